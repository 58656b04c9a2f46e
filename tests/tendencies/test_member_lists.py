"""A tendency's members a page at a time, searchable, and its size counted cheaply."""

from __future__ import annotations

from sqlalchemy import event

from deliberate.extensions import db
from deliberate.tendencies.queries import MEMBERS_PAGE_SIZE, tendency_sizes
from tests.factories import join, make_member, make_tendency


def test_a_tendency_page_shows_a_page_of_members_and_their_number(client, login_as, session):
    tendency = make_tendency("Big Tent")
    for n in range(MEMBERS_PAGE_SIZE + 5):
        make_member(f"Member {n:03d}", tendency=tendency)
    make_member("Zoe Coordinator", tendency=tendency, coordinator=True)  # the newest
    login_as(make_member("Reader"))
    first = client.get(f"/tendencies/{tendency.id}").get_data(as_text=True)
    assert f"{MEMBERS_PAGE_SIZE + 6} members" in first
    # Coordinators first, then members by seniority.
    assert first.index("Zoe Coordinator") < first.index("Member 000") < first.index("Member 001")
    assert "Member 098" in first
    assert "Member 099" not in first
    assert "Next" in first
    second = client.get(f"/tendencies/{tendency.id}?page=2").get_data(as_text=True)
    assert "Member 099" in second
    assert "Member 104" in second
    assert "Member 000" not in second
    assert "Zoe Coordinator" not in second


def test_a_tendency_page_searches_its_members_by_name(client, login_as, session):
    tendency = make_tendency()
    make_member("Ana Ortega", tendency=tendency)
    make_member("Ben Okafor", tendency=tendency)
    make_member("Ana Outsider")  # in no tendency
    login_as(make_member())
    page = client.get(f"/tendencies/{tendency.id}?q=ana").get_data(as_text=True)
    assert "Ana Ortega" in page
    assert "Ben Okafor" not in page
    assert "Ana Outsider" not in page
    nothing = client.get(f"/tendencies/{tendency.id}?q=100%25").get_data(as_text=True)
    assert "No member" in nothing


def test_sizes_are_counted_once_per_interval_and_a_change_is_seen_at_once(app, session):
    tendency = make_tendency()
    for _ in range(3):
        make_member(tendency=tendency)
    db.session.commit()
    counted = []

    def count(_conn, _cursor, statement, *_args):
        if "GROUP BY tendency_memberships.tendency_id" in statement:
            counted.append(statement)

    app.config["TENDENCY_SIZES_SECONDS"] = 60
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert tendency_sizes()[tendency.id] == 3
        assert tendency_sizes()[tendency.id] == 3
        assert len(counted) == 1
        join(make_member(), tendency)  # a flushed change of membership forgets the sizes
        assert tendency_sizes()[tendency.id] == 4
        assert len(counted) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        app.config["TENDENCY_SIZES_SECONDS"] = 0


def test_a_new_member_shows_on_the_kept_members_page(client, login_as, session):
    tendency = make_tendency("Big Tent")
    make_member("Early Member", tendency=tendency)
    login_as(make_member("Reader"))
    assert "Early Member" in client.get(f"/tendencies/{tendency.id}").get_data(as_text=True)
    join(make_member("Late Member"), tendency)
    db.session.commit()
    page = client.get(f"/tendencies/{tendency.id}").get_data(as_text=True)
    assert "Late Member" in page
    assert "2 members" in page


def test_coordinators_see_the_oldest_join_requests_and_how_many_wait(client, login_as, session):
    from deliberate.tendencies.queries import REQUESTS_SHOWN
    from deliberate.tendencies.services import request_to_join

    tendency = make_tendency("Big Tent")
    coordinator = make_member("Cora", tendency=tendency, coordinator=True)
    for n in range(REQUESTS_SHOWN + 3):
        request_to_join(make_member(f"Applicant {n:03d}"), tendency)
    db.session.commit()
    login_as(coordinator)
    page = client.get(f"/tendencies/{tendency.id}").get_data(as_text=True)
    assert f"{REQUESTS_SHOWN + 3} requests wait; the {REQUESTS_SHOWN} oldest are shown" in page
    assert f"Applicant {REQUESTS_SHOWN - 1:03d}" in page
    assert f"Applicant {REQUESTS_SHOWN:03d}" not in page
    home = client.get("/").get_data(as_text=True)
    assert 'Requests to join your tendency <span class="badge">53</span>' in home
