"""The "database unchanged" check sees every change of content, not only of row counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from deliberate.accounts.models import Member
from deliberate.extensions import db
from tests.factories import make_member
from tests.security.snapshot import DatabaseWatch, database_snapshot


# A snapshot draws the stamps the changes before it touched, as a commit would: these tests
# watch the tables they change, not the page cache's stamps that follow from them.
def changed_tables(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before if before[name] != after[name] and name != "stamps"}


def counts(snapshot: dict[str, str]) -> dict[str, str]:
    return {name: value.split(":")[0] for name, value in snapshot.items() if name != "stamps"}


def test_an_update_that_keeps_every_row_count_is_seen(session):
    member = make_member("Ada")
    before = database_snapshot()
    # Core UPDATE, as a careless service might write it: nothing in the session knows.
    session.execute(update(Member).where(Member.id == member.id).values(display_name="Eve"))
    after = database_snapshot()
    assert counts(after) == counts(before)
    assert changed_tables(before, after) == {"members"}


def test_a_timestamp_moved_by_one_microsecond_is_seen(session):
    member = make_member()
    before = database_snapshot()
    member.joined_at += timedelta(microseconds=1)
    assert changed_tables(before, database_snapshot()) == {"members"}


def test_two_rows_exchanging_a_value_are_seen(session):
    first, second = make_member("First"), make_member("Second")
    before = database_snapshot()
    first.display_name, second.display_name = second.display_name, first.display_name
    assert changed_tables(before, database_snapshot()) == {"members"}


def test_a_change_undone_is_no_change(session):
    member = make_member("Ada")
    before = database_snapshot()
    member.display_name = "Eve"
    db.session.flush()
    member.display_name = "Ada"
    assert changed_tables(before, database_snapshot()) == set()


def test_the_watch_sees_a_request_that_wrote(client, login_as, connection):
    member = make_member("Ada")
    login_as(member)
    with DatabaseWatch(connection) as watch:
        response = client.post("/account/name", data={"display_name": "Ada Lovelace"})
        assert response.status_code == 303
        assert not watch.unchanged()
        # A new name draws a new token for the parts of pages that name people.
        assert watch.changed_tables == ["members", "stamps"]


def test_the_watch_sees_an_update_that_keeps_every_row_count(session, connection):
    member = make_member("Ada")
    with DatabaseWatch(connection) as watch:
        session.execute(update(Member).where(Member.id == member.id).values(display_name="Eve"))
        assert not watch.unchanged()
        assert watch.changed_tables == ["members"]


def test_for_the_watch_a_change_undone_or_a_read_is_no_change(session, connection):
    member = make_member("Ada")
    with DatabaseWatch(connection) as watch:
        session.execute(update(Member).where(Member.id == member.id).values(display_name="Eve"))
        session.execute(update(Member).where(Member.id == member.id).values(display_name="Ada"))
        assert watch.unchanged()
    with DatabaseWatch(connection) as watch:
        assert session.scalar(select(func.count()).select_from(Member)) == 1
        assert watch.unchanged()


def test_the_watch_undoes_what_the_block_wrote(session, connection):
    with DatabaseWatch(connection):
        make_member()
    assert session.scalar(select(func.count()).select_from(Member)) == 0
