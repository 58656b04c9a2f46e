"""The member directory: members search only what they may see, and not too fast."""

from __future__ import annotations

from deliberate.accounts.models import MemberRole
from tests.factories import make_member, make_tendency


def search(client, q: str) -> str:
    response = client.get("/members/", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_members_search_names_but_not_hidden_emails(client, login_as, session):
    make_member("Quiet Person", email="zq-hidden@example.org")
    login_as(make_member())
    assert "Quiet Person" in search(client, "Quiet")
    assert "Quiet Person" not in search(client, "zq-hidden")
    assert "Quiet Person" not in search(client, "@example")


def test_admins_search_emails_too(client, login_as, session):
    make_member("Quiet Person", email="zq-hidden@example.org")
    login_as(make_member(role=MemberRole.ADMIN))
    assert "Quiet Person" in search(client, "zq-hidden")
    admin_page = client.get("/admin/members", query_string={"q": "zq-hidden"})
    assert "Quiet Person" in admin_page.get_data(as_text=True)


def test_searching_is_rate_limited_per_member(client, login_as, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "DIRECTORY_SEARCH_LIMIT_PER_MEMBER", "2 per minute")
    login_as(make_member())
    search(client, "a")
    search(client, "b")
    assert client.get("/members/", query_string={"q": "c"}).status_code == 429
    assert client.get("/members/").status_code == 200  # browsing without a search is not limited
    login_as(make_member())
    search(client, "d")


def test_the_search_limit_is_thirty_a_minute(app):
    assert app.config["DIRECTORY_SEARCH_LIMIT_PER_MEMBER"] == "30 per minute"


def test_the_directory_names_tendency_coordinators(client, login_as, session):
    tendency = make_tendency("Red Current")
    coordinator = make_member("Rosa Coordinator", tendency=tendency, coordinator=True)
    make_member("Mo Member", tendency=tendency)
    login_as(coordinator)
    page = client.get("/members/").get_data(as_text=True)
    page = page[page.index("<tbody>") :]
    row = page[page.index("Rosa Coordinator") :]
    assert "tendency coordinator" in row[: row.index("</tr>")]
    other = page[page.index("Mo Member") :]
    assert "tendency coordinator" not in other[: other.index("</tr>")]
