"""The layering contracts (pyproject.toml, run by ``lint-imports`` in ``make test``) hold, and each one
fails when its rule is broken: a copy of the code with one deliberate violation must not pass."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"
COPIED = ("app", "models", "admin_views", "jobs", "tests/support")


def _copy(target: Path) -> Path:
    """The code, the contract types and the contract file in ``target``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "static", "translations")
    for name in COPIED:
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    (target / "tests" / "__init__.py").write_text("")
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120)


def _after_docstring(path: Path, line: str) -> None:
    """Insert ``line`` below the module docstring (an import on top, where imports belong)."""
    text = path.read_text()
    end = text.index('"""', 3) + 3
    path.write_text(text[:end] + "\n" + line + "\n" + text[end:])


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


# (what is broken, how, the contract that must report it)
VIOLATIONS = [
    (
        "a model imports the panel",
        lambda r: _after_docstring(r / "models/case.py", "from admin_views import base  # noqa"),
        "Layers: kernel <- models",
    ),
    (
        "the deadline domain imports the case domain above it",
        lambda r: _after_docstring(r / "app/deadlines/clock.py", "from app.cases import lifecycle  # noqa"),
        "Layers: kernel <- models",
    ),
    (
        "a job imports the panel",
        lambda r: _after_docstring(r / "jobs/tasks.py", "import admin_views.base  # noqa"),
        "Layers: kernel <- models",
    ),
    (
        "a kernel module imports a domain",
        lambda r: _after_docstring(r / "app/timeutil.py", "from app.auth import access  # noqa"),
        "Layers: kernel <- models",
    ),
    (
        "the panel imports the composition root",
        lambda r: _after_docstring(r / "admin_views/base.py", "from app import create_app  # noqa"),
        "Only the app factory's CLI may import the composition root",
    ),
    (
        "two modules of a package import each other",
        lambda r: _after_docstring(r / "app/cases/actions.py", "from app.cases import lifecycle  # noqa"),
        "No import cycles",
    ),
    (
        "a private name is imported from another module",
        lambda r: _after_docstring(
            r / "app/cases/lifecycle.py", "from app.deadlines.clock import _row  # noqa"
        ),
        "No private name imported",
    ),
    (
        "an import hides below the code",
        lambda r: _append(r / "app/audit.py", "\n\nfrom app import timeutil  # noqa: E402\n"),
        "No imports below the code",
    ),
    (
        "a domain service commits",
        lambda r: _append(r / "app/cases/supervision.py", "\n\ndef sneaky():\n    db.session.commit()\n"),
        "Commit at the edge",
    ),
    (
        "an audit row is built outside app.audit",
        lambda r: _append(r / "app/volunteers/clues.py", "\n\ndef sneaky():\n    return ConfigChange()\n"),
        "One writer per record kind",
    ),
    (
        "a timeline event is written outside the state machine",
        lambda r: _append(r / "app/volunteers/rewards.py", "\n\ndef sneaky():\n    return CaseEvent()\n"),
        "One writer per record kind",
    ),
]


def test_the_code_keeps_every_contract(tmp_path):
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("what, break_it, contract", VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_a_deliberate_violation_fails_its_contract(tmp_path, what, break_it, contract):
    root = _copy(tmp_path)
    break_it(root)
    result = _lint(root)
    assert result.returncode != 0, f"{what}: lint-imports passed\n{result.stdout}"
    broken = [line for line in result.stdout.splitlines() if line.rstrip().endswith("BROKEN")]
    assert (
        any(contract in line for line in broken) or contract in result.stdout.split("Broken contracts")[-1]
    ), f"{what}: expected '{contract}' to break\n{result.stdout}"
