"""Command-line tools: ``flask --app app seed-demo`` and ``flask --app app create-user``."""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.deadlines.calendar_cli import calendar_group
from app.extensions import db
from jobs.cli import jobs_group
from models.enums import Role
from models.org import Department
from models.user import User


def register(app: Flask) -> None:
    """Attach the commands to ``app``."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(analyze_command)
    app.cli.add_command(jobs_group)
    app.cli.add_command(calendar_group)
    app.cli.add_command(seed_policies_command)


@click.command("seed-policies")
@with_appcontext
def seed_policies_command() -> None:
    """Add the default deadline policy sets that are missing (idempotent)."""
    from app.deadlines.policies import seed_default_policies

    added = seed_default_policies()
    db.session.commit()
    click.echo(f"Deadline policies added: {added}")


@click.command("analyze")
@with_appcontext
def analyze_command() -> None:
    """Refresh the query planner's table statistics (run after upgrades and big imports; the jobs do it daily)."""
    from app.maintenance import refresh_planner_statistics

    click.echo(f"Planner statistics refreshed ({refresh_planner_statistics()}).")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed when the database holds no departments yet.")
@click.option("--cases", default=500, show_default=True, help="How many demo cases to create.")
def seed_demo_command(if_empty: bool, cases: int) -> None:
    """Load the demo district (idempotent: a second run adds nothing)."""
    from app.demo import print_logins
    from app.demo import seed_demo
    from app.demo.volunteers import print_volunteer_link

    if if_empty and db.session.query(Department.id).first() is not None:
        click.echo("Database already has data; demo data not loaded.")
        print_logins(click.echo, only_existing=True)
        print_volunteer_link(click.echo)
        return
    summary = seed_demo(cases=cases)
    for name, count in summary.items():
        click.echo(f"  {name}: {count}")
    print_logins(click.echo)
    print_volunteer_link(click.echo)


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--department", "department_code", help="Department code (required for handlers).")
@click.option("--name", "display_name", help="Display name (defaults to the username).")
@click.option("--password", help="Password; prompted for (hidden, twice) when omitted.")
def create_user_command(username, role, department_code, display_name, password) -> None:
    """Create a staff account, or reset the password and role of an existing one."""
    department = None
    if department_code:
        department = db.session.query(Department).filter_by(code=department_code).one_or_none()
        if department is None:
            raise click.UsageError(f"No department has code {department_code!r}.")
    if role == Role.HANDLER and department is None:
        raise click.UsageError("A handler needs --department.")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.UsageError("The password must have at least 8 characters.")
    user = db.session.query(User).filter_by(username=username).one_or_none()
    created = user is None
    if created:
        user = User(username=username, display_name=display_name or username)
        db.session.add(user)
    elif display_name:
        user.display_name = display_name
    user.role = role
    user.department = department
    user.active = True
    user.set_password(password)
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} {role} {username}.")
