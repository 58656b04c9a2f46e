"""Faults: a database connection lost mid-write, and SQLite busy under concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from deliberate.accounts.models import Invitation, Member, MemberRole
from deliberate.accounts.services import invite_member
from deliberate.debate.models import Comment
from deliberate.drafts import services as drafts_services
from deliberate.drafts.models import DraftVersion
from deliberate.extensions import db
from deliberate.tendencies.models import JoinRequest
from tests.conftest import POSTGRES_URL
from tests.drafts.factories import make_draft, propose
from tests.factories import make_member, make_tendency


@contextmanager
def connection_killed_before(app: Flask, statement_prefix: str) -> Iterator[list[int]]:
    """Terminate the PostgreSQL backend of the connection about to run the given statement,
    from a second connection, once. Yields a list that receives the killed backend's pid."""
    engine = db.engine
    killed: list[int] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if killed or not statement.lstrip().upper().startswith(statement_prefix):
            return
        pid = cursor.connection.info.backend_pid
        killed.append(pid)
        with engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield killed
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.mark.skipif(not POSTGRES_URL, reason="terminating a backend needs PostgreSQL")
def test_invitation_acceptance_survives_a_dropped_connection(app, committed):
    admin = make_member(role=MemberRole.ADMIN)
    _, token = invite_member(admin, "drop@example.org", "Drop", None, valid_for=timedelta(days=1))
    db.session.commit()
    client = app.test_client()
    form = {"display_name": "Drop", "password": "a long enough password"}
    form["confirm"] = form["password"]
    with connection_killed_before(app, "INSERT INTO MEMBERS") as killed:
        failed = client.post(f"/invitations/{token}", data=form)
    assert killed, "the fault was not injected"
    assert failed.status_code == 503
    assert b"nothing was saved" in failed.data
    db.session.remove()
    assert db.session.scalar(select(func.count()).where(Member.email == "drop@example.org")) == 0
    retry = client.post(f"/invitations/{token}", data=form)
    assert retry.status_code == 303
    db.session.remove()
    assert db.session.scalar(select(func.count()).where(Member.email == "drop@example.org")) == 1
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "drop@example.org"))
    assert invitation.accepted_at is not None


def logged_in_client(app: Flask, member: Member) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = member.get_id()
    return client


def count_rows(statement) -> int:
    db.session.remove()
    return db.session.scalar(statement)


@pytest.mark.skipif(not POSTGRES_URL, reason="terminating a backend needs PostgreSQL")
def test_posting_a_comment_survives_a_dropped_connection(app, committed):
    draft = make_draft()
    author = make_member()
    client = logged_in_client(app, author)
    url = f"/debate/draft/{draft.id}/comments/new"
    db.session.commit()
    form = {"body": "Rent strikes need a strike fund first.", "post": "Post"}
    with connection_killed_before(app, "INSERT INTO COMMENTS") as killed:
        failed = client.post(url, data=form)
    assert killed, "the fault was not injected"
    assert failed.status_code == 503
    assert count_rows(select(func.count(Comment.id))) == 0
    assert client.post(url, data=form).status_code == 303
    assert count_rows(select(func.count(Comment.id))) == 1


@pytest.mark.skipif(not POSTGRES_URL, reason="terminating a backend needs PostgreSQL")
def test_merging_survives_a_dropped_connection(app, committed):
    chair = make_member(role=MemberRole.CONVENER)
    draft = make_draft(chair)
    amendment = propose(make_member(), draft, first=2, last=2, new_text="A sharper aim.")
    drafts_services.accept_amendment(chair, amendment, merge=False)
    client = logged_in_client(app, chair)
    url, number, draft_id = f"/drafts/{draft.id}/merge", amendment.number, draft.id
    db.session.commit()
    versions = select(func.count(DraftVersion.id)).where(DraftVersion.draft_id == draft_id)
    with connection_killed_before(app, "INSERT INTO DRAFT_VERSIONS") as killed:
        failed = client.post(url, data={"amendments": [str(number)]})
    assert killed, "the fault was not injected"
    assert failed.status_code == 503
    assert count_rows(versions) == 1
    assert client.post(url, data={"amendments": [str(number)]}).status_code == 303
    assert count_rows(versions) == 2
    # A second merge of the same amendment is refused, not doubled.
    assert client.post(url, data={"amendments": [str(number)]}).status_code == 409
    assert count_rows(versions) == 2


def test_concurrent_writers_wait_and_succeed(app, committed):
    tendency = make_tendency()
    make_member(tendency=tendency, coordinator=True)
    members = [make_member() for _ in range(8)]
    tendency_id, member_ids = tendency.id, [m.get_id() for m in members]
    db.session.commit()
    statuses: list[int] = []
    barrier = threading.Barrier(len(member_ids))

    def ask_to_join(member_id: str) -> None:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = member_id
        barrier.wait(timeout=10)
        statuses.append(client.post(f"/tendencies/{tendency_id}/join").status_code)

    threads = [threading.Thread(target=ask_to_join, args=(m,)) for m in member_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * len(member_ids)
    db.session.remove()
    assert db.session.scalar(select(func.count(JoinRequest.id))) == len(member_ids)
