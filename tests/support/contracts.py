"""import-linter contract types of our own (``[tool.importlinter]`` in ``pyproject.toml``).

- ``no_private_names``: no module imports a name starting with ``_`` from another module; a private name
  is private to its module (``from x import _helper`` means the helper belongs in a public place).
- ``imports_on_top``: every module-level import of a project module stands above the first ``def`` or
  ``class``; an import further down is how an import cycle gets hidden.
- ``commits_at_edges``: ``.commit()`` and ``.rollback()`` are called only in the ``edges`` (requests, CLI
  commands, jobs) and the documented ``exceptions``; domain services only flush.
- ``only_writers``: each record kind is created only by its writer modules (``writers`` lines read
  ``Class: module, module``), e.g. audit rows only in ``app.audit``.

They read the source of each module of the root packages, found from the working directory.
"""

import ast
from fnmatch import fnmatch
from pathlib import Path

import grimp
from importlinter import Contract
from importlinter import ContractCheck
from importlinter import fields
from importlinter import output


def _source_file(module: str) -> Path | None:
    """The file of ``module`` under the working directory (a package's ``__init__.py``)."""
    base = Path.cwd().joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _project_modules(graph: grimp.ImportGraph) -> list[tuple[str, ast.Module]]:
    """Each module in the graph with its parsed source, in name order."""
    parsed = []
    for module in sorted(graph.modules):
        path = _source_file(module)
        if path is not None:
            parsed.append((module, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    return parsed


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_project(module: str | None, graph: grimp.ImportGraph) -> bool:
    return module is not None and module.split(".")[0] in {m.split(".")[0] for m in graph.modules}


class _SourceContract(Contract):
    """A contract that reads each project module's source and lists the offending lines."""

    message = ""

    def problems(self, module: str, tree: ast.Module, graph: grimp.ImportGraph) -> list[str]:
        """The offending lines of one module, as text."""
        raise NotImplementedError  # each contract type states its rule

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        found = [
            f"{module}:{line}"
            for module, tree in _project_modules(graph)
            for line in self.problems(module, tree, graph)
        ]
        return ContractCheck(kept=not found, warnings=None, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error(self.message, bold=False)
        output.new_line()
        for item in check.metadata["found"]:
            output.print_error(f"- {item}", bold=False)
            output.new_line()


class NoPrivateNames(_SourceContract):
    """No ``from <project module> import _name``."""

    type_name = "no_private_names"
    message = "Private names imported from another module (make the name public, or move the code):"

    def problems(self, module, tree, graph):
        return [
            f"{node.lineno} from {node.module} import {alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and _is_project(node.module, graph)
            for alias in node.names
            if _is_private(alias.name)
        ]


class ImportsOnTop(_SourceContract):
    """Module-level imports of project modules stand above the first ``def`` or ``class``."""

    type_name = "imports_on_top"
    message = "Imports below the code (an import cycle worked around; break the cycle instead):"

    def problems(self, module, tree, graph):
        first_code = None
        found = []
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and first_code is None:
                first_code = node.lineno
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and first_code is not None:
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                if any(_is_project(name, graph) for name in names):
                    found.append(f"{node.lineno} (below line {first_code})")
        return found


def _matches(module: str, patterns) -> bool:
    return any(fnmatch(module, pattern) or module.startswith(pattern + ".") for pattern in patterns)


class CommitsAtEdges(_SourceContract):
    """``.commit()`` / ``.rollback()`` only in the edge modules and the listed exceptions."""

    type_name = "commits_at_edges"
    message = "Transactions ended outside the edges (domain services only flush; the caller commits):"
    edges = fields.ListField(subfield=fields.StringField())
    exceptions = fields.ListField(subfield=fields.StringField(), required=False)

    def problems(self, module, tree, graph):
        if _matches(module, [str(e) for e in self.edges] + [str(e) for e in (self.exceptions or [])]):
            return []
        return [
            f"{node.lineno} .{node.func.attr}()"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
        ]


class OnlyWriters(_SourceContract):
    """Each listed class is constructed only in its writer modules."""

    type_name = "only_writers"
    message = "Records created outside their one writer:"
    writers = fields.ListField(subfield=fields.StringField())

    def _writers(self) -> dict[str, list[str]]:
        table = {}
        for line in self.writers:
            name, _, modules = str(line).partition(":")
            table[name.strip()] = [m.strip() for m in modules.split(",") if m.strip()]
        return table

    def problems(self, module, tree, graph):
        found = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            allowed = self._writers().get(name)
            if allowed is not None and module not in allowed:
                found.append(f"{node.lineno} {name}(...) (writers: {', '.join(allowed)})")
        return found
