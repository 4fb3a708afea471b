"""``flask --app app backup [--dest DIR]`` and ``flask --app app restore BACKUP [--yes]``."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.backups.archive import make_backup
from app.backups.archive import resolve
from app.backups.archive import restore_backup
from app.backups.database import BackupError


@click.command("backup")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the backup into (default: BACKUP_DIR, instance/backups).",
)
@with_appcontext
def backup_command(dest):
    """Back up the database and the attachments into one checked, timestamped folder."""
    try:
        folder, manifest = make_backup(dest)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    database = manifest["database"]
    attachments = manifest["attachments"]
    click.echo(
        f"Backup written to {folder}: {database['kind']} database at migration {database['alembic_revision']}, "
        f"{sum(database['tables'].values())} rows in {len(database['tables'])} tables; "
        f"attachments: {len(attachments)} files, {sum(entry['size'] for entry in attachments)} bytes."
    )


@click.command("restore")
@click.argument("backup", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(backup, yes):
    """Restore a backup (a folder, or a backup's name under BACKUP_DIR) after checking its checksums."""
    try:
        report = restore_backup(resolve(backup), force=yes)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored a {report['kind']} database at migration {report['revision']} "
        f"({report['rows']} rows in {report['tables']} tables) and {report['files']} attachment files."
    )
    if report["problems"]:
        raise click.ClickException(
            "The restored data does not match the backup:\n  " + "\n  ".join(report["problems"])
        )
    click.echo("Checked: every table's row count and every attachment's checksum match the backup.")
    click.echo("If the code is newer than the backup, run `flask --app app db upgrade` next.")
