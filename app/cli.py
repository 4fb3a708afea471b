"""The command line: each domain's commands, collected here, and the app's own ``analyze``.

``create-user`` (app.auth.cli), ``calendar …`` and ``seed-policies`` (app.deadlines.cli), ``jobs run | tick``
(jobs.cli), ``seed-demo`` (app.demo.cli), ``reports …`` and ``hotspots scan`` (app.reports.cli), ``suggest train | text`` (app.suggest.cli), ``backup`` and ``restore`` (app.backups.cli), ``storage migrate`` (app.intake.cli), ``search reindex`` (app.cases.cli), ``seed-settings`` and ``analyze``. Each command commits once, as a request would.
"""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.auth.cli import create_user_command
from app.backups.cli import backup_command
from app.backups.cli import restore_command
from app.cases import wording
from app.cases.cli import search_group
from app.command import field_order_classes
from app.deadlines.cli import calendar_group
from app.deadlines.cli import seed_policies_command
from app.demo.cli import seed_demo_command
from app.extensions import db
from app.intake.cli import storage_group
from app.intake.grading_rules import seed_default_rules
from app.maintenance import refresh_planner_statistics
from app.reports.cli import hotspots_group
from app.reports.cli import reports_group
from app.suggest.cli import suggest_group
from jobs.cli import jobs_group


def register(app: Flask) -> None:
    """Attach the commands to ``app``."""
    for command in (
        seed_demo_command,
        create_user_command,
        analyze_command,
        seed_settings_command,
        jobs_group,
        calendar_group,
        seed_policies_command,
        reports_group,
        hotspots_group,
        suggest_group,
        backup_command,
        storage_group,
        restore_command,
        search_group,
    ):
        app.cli.add_command(command)


@click.command("analyze")
@with_appcontext
def analyze_command() -> None:
    """Refresh the query planner's table statistics (run after upgrades and big imports; the jobs do it daily)."""
    click.echo(f"Planner statistics refreshed ({refresh_planner_statistics()}).")


@click.command("seed-settings")
@with_appcontext
def seed_settings_command() -> None:
    """Add the default classes of 令, the 即接即办 scope, the 标准用语 and the 分级规则 where none are set (idempotent)."""
    classes = field_order_classes.seed_default_classes()
    added = wording.seed_defaults()
    rules = seed_default_rules()
    db.session.commit()
    click.echo(f"Classes of order added: {classes}; direct-answer scopes: {added['scopes']}; "
               f"reply templates: {added['templates']}; grading rules: {rules}.")  # fmt: skip
