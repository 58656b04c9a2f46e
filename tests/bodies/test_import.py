"""Importing a body's members from a CSV of emails: every line reported, refusals change
nothing, and the file's limits hold."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.audit.models import AuditEntry
from deliberate.bodies import queries
from deliberate.bodies.models import BodyMembership
from deliberate.bodies.services import ImportOutcome, add_member, import_members
from deliberate.errors import PermissionDenied, ValidationError
from deliberate.extensions import db
from tests.bodies.factories import make_body
from tests.factories import make_member

ADDED, ALREADY, REFUSED = ImportOutcome.ADDED, ImportOutcome.ALREADY, ImportOutcome.REFUSED


@pytest.fixture
def admin(session):
    return make_member("Ada Admin", role=MemberRole.ADMIN)


@pytest.fixture
def people(session):
    return {
        name: make_member(name.capitalize(), email=f"{name}@example.org")
        for name in ("ana", "ben", "cai", "dee")
    }


def report(rows):
    return [(r.line, r.email, r.outcome, r.reason) for r in rows]


def seated(body) -> set[str]:
    return {s.member.email for s in queries.current_members(body)[0]}


def test_a_spreadsheet_export_with_bom_crlf_and_a_header_is_read(admin, people):
    body = make_body()
    data = "\ufeffname,email\r\nAna,ANA@example.org\r\nBen,ben@example.org\r\n\r\n".encode()
    rows = import_members(admin, body, data, max_rows=100)
    assert report(rows) == [
        (2, "ana@example.org", ADDED, ""),
        (3, "ben@example.org", ADDED, ""),
    ]
    assert [r.member_name for r in rows] == ["Ana", "Ben"]
    assert seated(body) == {"ana@example.org", "ben@example.org"}
    seat = db.session.scalar(select(BodyMembership).where(BodyMembership.body_id == body.id))
    assert seat.added_by_id == admin.id


def test_each_line_is_added_already_a_member_or_refused_with_its_reason(admin, people):
    body = make_body("Delegates")
    add_member(admin, body, people["ben"])
    make_member("Sue", email="sue@example.org", status=MemberStatus.SUSPENDED)
    data = (
        b"email,name\n"
        b"ana@example.org,Ana\n"
        b"ben@example.org\n"
        b"nobody@example.org,Nobody\n"
        b"sue@example.org,Sue\n"
        b"not an email,Who\n"
        b"Ana@Example.org,Ana again\n"
        b"cai@example.org,Cai,extra\n"
        b",\n"
        b"dee@example.org\n"
    )
    rows = import_members(admin, body, data, max_rows=100)
    got = report(rows)
    assert got[:4] == [
        (2, "ana@example.org", ADDED, ""),
        (3, "ben@example.org", ALREADY, ""),
        (4, "nobody@example.org", REFUSED, "no member has this email"),
        (5, "sue@example.org", REFUSED, "Sue is suspended"),
    ]
    assert got[4][:3] == (6, "not an email", REFUSED)
    assert "not a valid email address" in got[4][3]
    assert got[5] == (7, "ana@example.org", REFUSED, "appears earlier in this file (line 2)")
    assert got[6] == (8, "cai@example.org", REFUSED, "expected at most 2 columns, found 3")
    assert got[7] == (10, "dee@example.org", ADDED, "")
    assert len(got) == 8  # the line of empty cells is skipped, as blank lines are
    assert seated(body) == {"ana@example.org", "ben@example.org", "dee@example.org"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "body.import"))
    assert entry.summary == "Imported members into Delegates: 2 added, 1 already members, 5 refused"
    assert entry.details == {"added": 2, "already": 1, "refused": 5}


def test_without_a_header_the_email_comes_first(admin, people):
    body = make_body()
    rows = import_members(admin, body, b"cai@example.org,Cai\ndee@example.org", max_rows=10)
    assert [r.outcome for r in rows] == [ADDED, ADDED]


def test_a_member_csv_without_header_is_refused_line_by_line_with_a_reason(admin, people):
    body = make_body()
    rows = import_members(admin, body, b"Ana,ana@example.org\n", max_rows=10)
    assert rows[0].outcome == REFUSED
    assert "“Ana” is not a valid email address" in rows[0].reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"email\nana@example.org\x00\n", "NUL bytes"),
        (b"email,tendency\nana@example.org,T\n", "header row names the columns"),
        (b"email,email\nana@example.org,ana@example.org\n", "header row names the columns"),
        (b'email\n"unterminated\n', None),
    ],
)
def test_a_file_that_is_not_a_list_of_emails_changes_nothing(admin, people, data, message):
    body = make_body()
    if message is None:  # the csv module reads an unterminated quote to the end: one bad row
        rows = import_members(admin, body, data, max_rows=10)
        assert [r.outcome for r in rows] == [REFUSED]
    else:
        with pytest.raises(ValidationError, match=message):
            import_members(admin, body, data, max_rows=10)
    assert seated(body) == set()


def test_too_many_rows_refuse_the_whole_file(admin, people):
    body = make_body()
    data = "email\n" + "".join(f"{name}@example.org\n" for name in people)
    with pytest.raises(ValidationError, match="at most 3 rows"):
        import_members(admin, body, data.encode(), max_rows=3)
    assert db.session.scalar(select(func.count()).select_from(BodyMembership)) == 0
    assert len(import_members(admin, body, data.encode(), max_rows=4)) == 4


def test_an_empty_file_reports_nothing(admin):
    body = make_body()
    assert import_members(admin, body, b"", max_rows=10) == []
    assert import_members(admin, body, b"\xef\xbb\xbfemail\r\n", max_rows=10) == []


def test_only_admins_import(session, people):
    convener = make_member(role=MemberRole.CONVENER)
    with pytest.raises(PermissionDenied):
        import_members(convener, make_body(), b"ana@example.org", max_rows=10)


def test_a_seat_taken_meanwhile_is_reported_as_already_there(admin, people, monkeypatch):
    """The import reads who sits before it writes; a seat taken in between (another admin)
    hits the unique index, and the import then seats the others one by one."""
    body = make_body()
    monkeypatch.setattr("deliberate.bodies.services.current_member_ids", lambda _body: set())
    add_member(admin, body, people["ana"])
    rows = import_members(admin, body, b"ana@example.org\nben@example.org\n", max_rows=10)
    assert [r.outcome for r in rows] == [ALREADY, ADDED]
    assert seated(body) == {"ana@example.org", "ben@example.org"}
