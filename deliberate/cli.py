"""Flask commands: demo, create-admin, tally, close-due, worker, bounce, export-archive,
verify-archive, backup, restore."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import click
from flask import Flask

from deliberate.extensions import db
from deliberate.timezones import plural
from deliberate.voting.tally import tally_command


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(tally_command)
    app.cli.add_command(close_due_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(bounce_command)
    app.cli.add_command(export_archive_command)
    app.cli.add_command(verify_archive_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("demo")
def demo_command() -> None:
    """Load the demo organization (does nothing if it is already loaded)."""
    from deliberate.demo import (
        DEMO_PASSWORD,
        demo_loaded,
        demo_logins,
        demo_walkthrough,
        load_demo,
    )

    if demo_loaded():
        click.echo("The demo organization is already loaded.")
    else:
        load_demo()
        db.session.commit()
        click.echo("Loaded the demo organization.")
        from deliberate.demo.mail import deliver_demo_mail

        deliver_demo_mail()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    shows = demo_walkthrough()
    for role, email in demo_logins().items():
        click.echo(f"  {role:<24} {email}")
        click.echo(f"  {'':<24} {shows[role]}")


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


@click.command("worker")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    envvar="WORKER_CONCURRENCY",
    help="Threads or processes taking tasks (or WORKER_CONCURRENCY in the settings).",
)
@click.option(
    "--kind",
    type=click.Choice(["thread", "process"]),
    default="thread",
    show_default=True,
    envvar="WORKER_KIND",
    help="Threads share one core; processes use as many as --workers (or WORKER_KIND).",
)
@click.option(
    "--once", is_flag=True, help="Do what is due now (schedule, deliveries, mail) and exit."
)
def worker_command(workers: int, kind: str, once: bool) -> None:
    """Run the worker: send notifications and mail, and keep the schedule (votes opened and
    closed on time, closing-soon reminders, evaluations coming due, daily digests).

    Whatever queue TASK_QUEUE_URL names (a SQLite file by default, Redis in production); run
    as many as you like, on as many hosts: each delivery is sent once. Composing mail is
    Python's work: on a host with several cores, `--kind process --workers N` uses N of them.
    """
    from flask import current_app

    from deliberate.notifications import schedule, worker

    if once:
        schedule.every_minute()
        try:
            report = worker.deliver_all()
        except worker.MailServerUnavailable as error:
            raise click.ClickException(f"the mail server is unavailable: {error}") from None
        click.echo(
            f"sent {report.sent}, refused {report.refused}, skipped {report.skipped} messages"
        )
        return
    from deliberate import logs

    # What is sent, and the queue's own news, on the console (with no MAIL_SERVER, each
    # message's address and subject: the letter box's log), each line with the id of the
    # request that queued its task. In JSON, create_app has already set that up.
    if current_app.config["LOG_FORMAT"] != "json":
        logs.install(logs.text_handler())
    huey = current_app.extensions["huey"]
    current_app.extensions["huey.deliver"]()  # whatever waited while no worker ran
    if kind == "process":
        # Each forked process opens its own database connections, none of this one's.
        db.engine.dispose()
    consumer = huey.create_consumer(workers=workers, worker_type=kind, periodic=True)
    consumer.run()


# A delivery status notification carries at most the returned message's headers or body;
# anything larger is not one.
MAX_BOUNCE_BYTES = 5_000_000
EX_TEMPFAIL = 75  # what a mail server's pipe reads as "try again later"


@click.command("bounce")
@click.argument("files", nargs=-1, type=click.File("rb"))
@click.option(
    "--recipient",
    help="The address the message came to (the mail server's ${recipient}); else its headers.",
)
def bounce_command(files: tuple[BinaryIO, ...], recipient: str | None) -> None:
    """Read a message that came back to MAIL_BOUNCE_ADDRESS, from standard input (a pipe in
    the mail server's aliases) or from files. A permanent failure of one of our messages
    marks its delivery failed and counts against the member's address; anything else is
    ignored. Exits 0 whatever the message says (a bounce is never bounced back), 75 when the
    database cannot be reached (the mail server tries again later)."""
    from sqlalchemy.exc import OperationalError

    from deliberate.notifications import bounces

    sources = list(files) if files else [sys.stdin.buffer]
    for source in sources:
        raw = source.read(MAX_BOUNCE_BYTES + 1)
        if len(raw) > MAX_BOUNCE_BYTES:
            click.echo("too large for a bounce: ignored")
            continue
        try:
            said = bounces.read(raw, recipient)
            db.session.commit()
        except OperationalError as error:
            db.session.rollback()
            click.echo(f"the database cannot be reached, try again later: {error}", err=True)
            raise SystemExit(EX_TEMPFAIL) from None
        click.echo(said)


@contextmanager
def _reading_only() -> Iterator[None]:
    """A long read of the archive: on SQLite a plain BEGIN (the write lock stays free for the
    app); on PostgreSQL one snapshot for the whole read (REPEATABLE READ), so that what is
    written at the top (the chain's head) agrees with the records below."""
    from sqlalchemy import Engine

    from deliberate.database import write_intent

    token = write_intent.set(False)
    try:
        bind = db.session.get_bind()
        if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
            db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield
    finally:
        db.session.rollback()
        write_intent.reset(token)


@click.command("export-archive")
@click.option(
    "--format",
    "form",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="One JSON document, or one Markdown file.",
)
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_archive_command(form: str, path: Path) -> None:
    """Write every sealed decision record to PATH.

    Members' names are included only when the organization's ARCHIVE_PUBLIC_NAMES setting is
    on; nothing links a secret ballot to its voter. The file is written beside PATH and moved
    into place at the end, so PATH never holds half an archive.
    """
    from flask import current_app

    from deliberate.database import utcnow
    from deliberate.decisions import exports, queries

    names = bool(current_app.config.get("ARCHIVE_PUBLIC_NAMES", False))
    partial = path.with_name(path.name + ".part")
    count = 0
    with _reading_only(), partial.open("w", encoding="utf-8", newline="\n") as out:
        head = queries.chain_head()
        head_hash = head.hash if head is not None else None
        exported_at = utcnow().isoformat(timespec="seconds")
        if form == "json":
            header = {
                "schema": exports.ARCHIVE_SCHEMA,
                "exported_at": exported_at,
                "chain_head": head_hash,
                "names": names,
            }
            out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "records": [')
            for document in exports.archive_documents(names):
                out.write(",\n" if count else "\n")
                out.write(json.dumps(document, ensure_ascii=False))
                count += 1
            out.write('\n], "vote_links": [')
            for position, link in enumerate(exports.vote_links(names)):
                out.write(",\n" if position else "\n")
                out.write(json.dumps(link, ensure_ascii=False))
            out.write("\n]}\n")
        else:
            organization = current_app.config.get("ORGANIZATION_NAME", "Deliberate")
            chain_head = head_hash or "none (empty chain)"
            out.write(
                f"# The decision records of {organization}\n\n"
                f"Exported {exports.in_words(exported_at)}. Chain head: `{chain_head}`.\n"
            )
            for chapter in exports.archive_markdown(names):
                out.write("\n---\n\n" + chapter)
                count += 1
    partial.replace(path)
    said = "with members' names" if names else "without members' names"
    click.echo(f"Exported {plural(count, 'decision record')} to {path} ({form}, {said}).")


@click.command("verify-archive")
def verify_archive_command() -> None:
    """Check every hash of the archive's chain against what is stored, recount every closed
    vote from its stored ballots, and check what is shown against what is chained.

    Exit status 0 when everything holds; 1 with the first vote or record that does not hold,
    and why. Each run is written to the audit log.
    """
    from deliberate.decisions.verify import log_run, verify_archive

    try:
        with _reading_only():
            report = verify_archive()
    except Exception as error:  # whatever the database holds, say so rather than a traceback
        db.session.rollback()
        reason = f"it could not be read to the end ({type(error).__name__}: {error})"
        log_run(None, reason)
        db.session.commit()
        raise click.ClickException(f"the archive does not hold: {reason}") from None
    log_run(report, None)
    db.session.commit()
    click.echo(
        f"Checked {plural(report.links, 'link')} of the chain, recounted "
        f"{plural(report.votes, 'closed vote')} and checked "
        f"{plural(report.records, 'decision record')}."
    )
    if report.mismatch is not None:
        click.echo(f"Last link checked: {report.head}")
        raise click.ClickException(f"the archive does not hold: {report.mismatch}")
    click.echo(f"Chain head: {report.head}")
    click.echo(
        "The archive holds: every hash, every recount and everything shown matches what is chained."
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the SQLite database to PATH (a new file), consistently while the app serves.

    SQLite's online backup API copies the database as of one moment; the copy keeps no free
    pages (nothing deleted lingers in it) and is checked before it takes its name. For
    PostgreSQL, this says how to use pg_dump instead.
    """
    from deliberate import backups

    source = _sqlite_database()
    try:
        facts = backups.back_up(source, path)
    except backups.BackupRefused as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"Backed up {source} to {path} ({facts.size:,} bytes, migration {facts.revision}).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a database that holds data (it is backed up beside itself first).",
)
def restore_command(path: Path, force: bool) -> None:
    """Restore the SQLite backup at PATH into the configured database.

    Refuses a file that is not a backup of Deliberate (not SQLite, damaged, without this
    app's migration or tables), and a database that already holds data unless --force. Stop
    the app and the workers first. For PostgreSQL, this says how to use pg_restore instead.
    """
    from deliberate import backups

    target = _sqlite_database()
    db.engine.dispose()  # no connection of ours holds the file while it is replaced
    try:
        restored = backups.restore(path, target, force=force)
    except backups.BackupRefused as refused:
        raise click.ClickException(refused.message) from None
    if restored.kept is not None:
        click.echo(f"The database that was there is kept in {restored.kept}.")
    click.echo(f"Restored {path} into {target} (migration {restored.facts.revision}).")
    from deliberate.backups import script_directory

    if restored.facts.revision != script_directory().get_current_head():
        click.echo("It was made by an earlier version: run `flask --app deliberate db upgrade`.")


def _sqlite_database() -> Path:
    """The configured SQLite database's file; for PostgreSQL, a ClickException with the
    pg_dump and pg_restore commands to use instead."""
    from flask import current_app

    from deliberate import backups

    try:
        path = backups.sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
    except backups.BackupRefused as refused:
        raise click.ClickException(refused.message) from None
    if path is None:
        raise click.ClickException(backups.POSTGRESQL_ADVICE)
    return path
