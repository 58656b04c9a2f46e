"""Flask commands: demo, create-admin, tally, close-due."""

from __future__ import annotations

import click
from flask import Flask

from deliberate.extensions import db
from deliberate.voting.tally import tally_command


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(tally_command)
    app.cli.add_command(close_due_command)


@click.command("demo")
def demo_command() -> None:
    """Load the demo organization (does nothing if it is already loaded)."""
    from deliberate.demo import DEMO_PASSWORD, demo_loaded, demo_logins, load_demo

    if demo_loaded():
        click.echo("The demo organization is already loaded.")
    else:
        load_demo()
        db.session.commit()
        click.echo("Loaded the demo organization.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in demo_logins().items():
        click.echo(f"  {role:<24} {email}")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Display name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an admin account (prompts for anything not given)."""
    from flask import current_app

    from deliberate.accounts.models import MemberRole
    from deliberate.accounts.services import create_member
    from deliberate.errors import ValidationError

    try:
        member = create_member(
            email,
            name,
            password,
            role=MemberRole.ADMIN,
            min_password_length=current_app.config["MIN_PASSWORD_LENGTH"],
        )
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Admin {member.email} created.")


@click.command("close-due")
def close_due_command() -> None:
    """Open the scheduled votes whose time has come and close the open votes past their close.

    Meant for cron: one transaction, one line per vote opened or closed, nothing printed when
    nothing was due. On an error nothing is changed and the command exits with status 1.
    """
    from flask import current_app

    from deliberate.database import utcnow
    from deliberate.errors import DomainError
    from deliberate.voting import services

    now = utcnow()
    try:
        opened = services.open_due_votes(now)
        closed = services.close_due_votes(
            breakdown_min=current_app.config.get("SECRET_BREAKDOWN_MIN", 10), now=now
        )
    except (DomainError, ValueError) as error:
        db.session.rollback()
        raise click.ClickException(f"nothing was opened or closed: {error}") from None
    db.session.commit()
    for vote in sorted(opened, key=lambda v: v.id):
        click.echo(f"opened vote {vote.id} “{vote.title}”")
    for vote in sorted(closed, key=lambda v: v.id):
        summary = vote.result["outcome"]["summary"] if vote.result else vote.outcome
        click.echo(f"closed vote {vote.id} “{vote.title}”: {summary}")
