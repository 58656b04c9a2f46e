"""Body pages: what admins see and do, what conveners may see, what everyone else is refused."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.bodies import queries
from deliberate.bodies.models import Body, BodyMembership
from deliberate.bodies.services import add_member
from deliberate.extensions import db
from tests.bodies.factories import make_body
from tests.conftest import page_queries, warm_navigation
from tests.factories import make_member


@pytest.fixture
def admin(session):
    return make_member("Ada Admin", role=MemberRole.ADMIN)


def current_seats(body) -> list[BodyMembership]:
    return list(
        db.session.scalars(
            select(BodyMembership).where(
                BodyMembership.body_id == body.id, BodyMembership.removed_at.is_(None)
            )
        )
    )


def test_an_admin_creates_a_body_and_finds_it_in_the_list(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/admin/bodies/new", data={"name": "Convention delegates", "description": "By branch."}
    )
    assert response.status_code == 303
    body = db.session.scalar(select(Body).where(Body.name == "Convention delegates"))
    assert response.headers["Location"].endswith(f"/admin/bodies/{body.id}")
    page = client.get("/admin/bodies/").get_data(as_text=True)
    assert "Convention delegates" in page
    assert "0 members" in page
    assert f'href="/admin/bodies/{body.id}"' in page
    assert "Create a body" in page


def test_a_taken_name_is_refused_on_the_form(client, login_as, admin):
    make_body("Delegates")
    login_as(admin)
    response = client.post("/admin/bodies/new", data={"name": "delegates"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(Body.id).where(Body.name == "delegates")) is None


def test_a_conveners_sees_names_and_sizes_but_not_who_sits(client, login_as, session):
    members = [make_member() for _ in range(3)]
    body = make_body("Coordinating committee", members=members, description="Elected in May")
    make_body("Delegates")
    login_as(make_member(role=MemberRole.CONVENER))
    page = client.get("/admin/bodies/").get_data(as_text=True)
    assert "Coordinating committee" in page
    assert "3 members" in page
    assert "Elected in May" in page
    assert f"/admin/bodies/{body.id}" not in page
    assert "Create a body" not in page
    assert members[0].display_name not in page
    assert client.get(f"/admin/bodies/{body.id}").status_code == 403


@pytest.mark.parametrize("role", [MemberRole.MEMBER, MemberRole.CONVENER])
def test_non_admins_are_refused_every_admin_page_and_action(client, login_as, role):
    member = make_member()
    body = make_body("Delegates", members=[member])
    login_as(make_member(role=role))
    pages = ["/new", f"/{body.id}", f"/{body.id}/edit", f"/{body.id}/import"]
    for page in pages:
        assert client.get(f"/admin/bodies{page}").status_code == 403, page
    posts = {
        "/new": {"name": "Mine"},
        f"/{body.id}/edit": {"name": "Mine"},
        f"/{body.id}/members": {"email": "x@example.org"},
        f"/{body.id}/members/{member.id}/remove": {},
        f"/{body.id}/import": {"file": (io.BytesIO(b"x@example.org"), "x.csv")},
    }
    for url, data in posts.items():
        assert client.post(f"/admin/bodies{url}", data=data).status_code == 403, url
    assert db.session.get(Body, body.id).name == "Delegates"
    assert len(current_seats(body)) == 1
    if role == MemberRole.MEMBER:
        assert client.get("/admin/bodies/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, session):
    response = client.get("/admin/bodies/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_admin_adds_by_email_and_the_page_shows_member_and_history(client, login_as, admin):
    body = make_body("Delegates")
    make_member("Mia Member", email="mia@example.org")
    login_as(admin)
    response = client.post(f"/admin/bodies/{body.id}/members", data={"email": "Mia@example.org"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mia Member is now a member of Delegates." in page
    assert "1 member on its roll" in page
    assert "mia@example.org" in page
    history = page.split("<h2>History</h2>")[1]
    assert "Mia Member added" in history
    assert "Ada Admin" in history


@pytest.mark.parametrize(
    ("email", "status", "message"),
    [
        ("nobody@example.org", 400, "No member has the email nobody@example.org."),
        ("", 400, "This field is required."),
        ("mia@example.org", 409, "Mia Member is already a member of Delegates."),
        ("sue@example.org", 409, "Sue is suspended"),
    ],
)
def test_adding_is_refused_with_the_reason_on_the_page(
    client, login_as, admin, email, status, message
):
    mia = make_member("Mia Member", email="mia@example.org")
    make_member("Sue", email="sue@example.org", status=MemberStatus.SUSPENDED)
    body = make_body("Delegates", members=[mia])
    login_as(admin)
    response = client.post(f"/admin/bodies/{body.id}/members", data={"email": email})
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    assert "Mia Member" in page  # the body's page, with its members, around the error
    assert [s.member_id for s in current_seats(body)] == [mia.id]


def test_an_admin_removes_a_member_and_the_history_keeps_it(client, login_as, admin):
    mia = make_member("Mia Member")
    body = make_body("Delegates")
    add_member(admin, body, mia)
    login_as(admin)
    response = client.post(f"/admin/bodies/{body.id}/members/{mia.id}/remove")
    assert response.status_code == 303
    assert current_seats(body) == []
    page = client.get(f"/admin/bodies/{body.id}").get_data(as_text=True)
    assert "Mia Member is no longer a member of Delegates." in page
    assert "Nobody sits in this body yet." in page
    history = page.split("<h2>History</h2>")[1]
    assert "Mia Member removed" in history
    assert "Mia Member added" in history
    again = client.post(f"/admin/bodies/{body.id}/members/{mia.id}/remove")
    assert again.status_code == 409
    assert "Mia Member is not a member of Delegates." in again.get_data(as_text=True)


def test_an_admin_renames_a_body(client, login_as, admin):
    body = make_body("Delegates 2026")
    login_as(admin)
    form = client.get(f"/admin/bodies/{body.id}/edit").get_data(as_text=True)
    assert 'value="Delegates 2026"' in form
    response = client.post(
        f"/admin/bodies/{body.id}/edit", data={"name": "Delegates 2027", "description": "New"}
    )
    assert response.status_code == 303
    assert db.session.get(Body, body.id).name == "Delegates 2027"


def test_the_import_page_reports_each_row(client, login_as, admin):
    body = make_body("Delegates")
    make_member("Ana", email="ana@example.org")
    login_as(admin)
    assert "email,name" in client.get(f"/admin/bodies/{body.id}/import").get_data(as_text=True)
    data = b"\xef\xbb\xbfemail\r\nana@example.org\r\nnobody@example.org\r\n<b>x</b>\r\n"
    response = client.post(
        f"/admin/bodies/{body.id}/import", data={"file": (io.BytesIO(data), "delegates.csv")}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Result: 1 added, 0 already members, 2 refused" in page
    assert "refused: no member has this email" in page
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert [s.member.email for s in queries.current_members(body)[0]] == ["ana@example.org"]


def test_an_unreadable_file_is_refused_on_the_import_page(client, login_as, admin):
    body = make_body()
    login_as(admin)
    response = client.post(
        f"/admin/bodies/{body.id}/import", data={"file": (io.BytesIO(b"\xff\xfe"), "x.csv")}
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)


def test_an_unknown_body_is_404_for_admins(client, login_as, admin):
    login_as(admin)
    assert client.get("/admin/bodies/987654").status_code == 404


def test_members_and_history_are_paginated(client, login_as, admin, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(queries, "HISTORY_PAGE_SIZE", 2)
    body = make_body("Delegates")
    for name in ("Ann", "Bob", "Cy"):
        add_member(admin, body, make_member(name))
    login_as(admin)
    first = client.get(f"/admin/bodies/{body.id}").get_data(as_text=True)
    assert ">Ann</a>" in first
    assert ">Cy</a>" not in first.split("<h2>History</h2>")[0]
    assert f"/admin/bodies/{body.id}?page=2" in first
    second = client.get(f"/admin/bodies/{body.id}?page=2").get_data(as_text=True)
    assert ">Cy</a>" in second.split("<h2>History</h2>")[0]
    older = client.get(f"/admin/bodies/{body.id}?history=2").get_data(as_text=True)
    assert "Ann added" in older.split("<h2>History</h2>")[1]


def test_a_body_page_runs_the_same_queries_for_3_and_60_members(client, login_as, admin):
    small = make_body("Small")
    large = make_body("Large")
    for body, size in ((small, 3), (large, 60)):
        for _ in range(size):
            add_member(admin, body, make_member())
    login_as(admin)
    warm_navigation(client, admin)
    few = page_queries(client, f"/admin/bodies/{small.id}")
    many = page_queries(client, f"/admin/bodies/{large.id}")
    assert len(few) == len(many), "\n\n".join(many)
    assert len(many) <= 8, "\n\n".join(many)
