"""The number of members is counted at most once per interval, and a new member at once."""

from __future__ import annotations

from sqlalchemy import event

from deliberate.accounts.queries import member_count
from deliberate.extensions import db
from tests.factories import make_member


def test_the_member_count_is_kept_and_a_new_member_is_counted_at_once(app, session):
    for _ in range(3):
        make_member()
    db.session.commit()
    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "count(members.id)" in statement:
            counted.append(statement)

    app.config["TENDENCY_SIZES_SECONDS"] = 60
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = member_count()
        assert member_count() == first
        assert len(counted) == 1
        make_member()
        assert member_count() == first + 1
        assert len(counted) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        app.config["TENDENCY_SIZES_SECONDS"] = 0


def test_a_count_read_inside_a_transaction_that_rolls_back_is_not_kept(app, session):
    make_member()
    db.session.commit()
    app.config["TENDENCY_SIZES_SECONDS"] = 60
    try:
        before = member_count()
        with db.session.begin_nested() as refused:
            make_member()
            assert member_count() == before + 1  # the transaction sees its own member
            refused.rollback()
        assert member_count() == before  # and no one is told of a member who never was
        make_member()
        db.session.commit()
        assert member_count() == before + 1
    finally:
        app.config["TENDENCY_SIZES_SECONDS"] = 0
