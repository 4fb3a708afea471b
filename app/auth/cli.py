"""``flask --app app create-user``: create a staff account, or reset its password and role."""

import click
from flask.cli import with_appcontext

from app.auth.passwords import MIN_LENGTH
from app.auth.passwords import set_password
from app.extensions import db
from models.enums import Role
from models.org import Department
from models.user import User


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
    if len(password) < MIN_LENGTH:
        raise click.UsageError(f"The password must have at least {MIN_LENGTH} characters.")
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
    set_password(user, password)
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} {role} {username}.")
