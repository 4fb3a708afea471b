"""``flask --app app storage migrate --to database|local [--batch N] [--keep]``."""

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.intake.storage import KINDS
from app.intake.storage_migrate import migrate


@click.group("storage")
def storage_group() -> None:
    """Attachment storage (ATTACHMENT_STORAGE: local folder or database)."""


@storage_group.command("migrate")
@click.option("--to", "to", type=click.Choice(KINDS), required=True, help="The backend to move files into.")
@click.option(
    "--batch", type=click.IntRange(min=1), help="Copy at most N files this run (re-run for the rest)."
)
@click.option("--keep", is_flag=True, help="Leave each file in the source backend too.")
@with_appcontext
def migrate_command(to, batch, keep):
    """Move the attachments into another backend, checking each copy's SHA-256; safe to interrupt and re-run."""
    configured = current_app.config.get("ATTACHMENT_STORAGE") or "local"

    def report(name, outcome):
        if outcome in ("corrupt", "missing", "failed"):
            click.echo(f"{name}: {outcome}", err=True)

    counts = migrate(to, batch=batch, keep=keep, commit=db.session.commit, report=report)
    db.session.commit()
    click.echo(", ".join(f"{outcome} {count}" for outcome, count in counts.items()))
    if configured != to and not counts["left"]:
        click.echo(f"Now set ATTACHMENT_STORAGE = {to!r} and restart the web and jobs processes.")
    if counts["corrupt"] or counts["failed"] or counts["missing"]:
        raise click.ClickException("Some files were not moved (listed above); their source is unchanged.")
