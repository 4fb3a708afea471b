"""``flask --app app suggest train`` (train on the database, print the held-out figures) and
``flask --app app suggest text "TEXT"`` (print the suggestion as JSON)."""

import json

import click
from flask.cli import AppGroup

from app.extensions import db
from app.suggest import suggest
from app.suggest import training
from app.timeutil import utcnow

suggest_group = AppGroup("suggest", help="The suggested category and lead department: train, try a text.")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@suggest_group.command("train")
def train_command() -> None:
    """Train on the closed cases and the keyword hints; store the model; print top-1/top-3 on the held-out split."""
    row = training.train(utcnow())
    db.session.commit()
    if row is None:
        raise click.ClickException(
            "Nothing to learn from: no closed cases with a category and no keyword hints."
        )
    click.echo(
        f"Model {row.version}: {row.cases_used} cases, {row.hint_documents} hint documents, "
        f"{row.categories} categories, {row.seconds:.1f} s. Held out {row.held_out}: "
        f"top-1 {_share(row.top1)}, top-3 {_share(row.top3)}."
    )


@suggest_group.command("text")
@click.argument("text")
@click.option("--title", default="", help="A title, read before the text.")
def text_command(text: str, title: str) -> None:
    """Print the suggested categories and lead department for TEXT as JSON."""
    result = suggest(title, text)
    if result is None:
        click.echo(json.dumps({"categories": [], "department": None}))
        return
    department = result["department"]
    click.echo(
        json.dumps(
            {
                "categories": [{k: c[k] for k in ("code", "name", "score")} for c in result["categories"]],
                "department": {k: department[k] for k in ("code", "name")} if department else None,
            },
            ensure_ascii=False,
        )
    )
