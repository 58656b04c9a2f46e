"""Times are entered and shown in the viewer's zone, named; spans and counts read in words."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from deliberate.accounts.models import Member, MemberRole, OrganizationSettings
from deliberate.app import create_app
from deliberate.audit.models import AuditEntry
from deliberate.database import utcnow
from deliberate.drafts.models import Draft
from deliberate.errors import ValidationError
from deliberate.filters import NBSP, format_datetime
from deliberate.timezones import clean_zone_name, format_duration, local_to_utc, plural
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings
from deliberate.voting.services import create_vote
from tests.drafts.factories import make_draft
from tests.factories import make_member

PARIS = ZoneInfo("Europe/Paris")


def wall(*parts: int) -> datetime:
    """A wall-clock time as a form sends it, with no zone: the zone is given beside it."""
    return datetime(*parts)  # noqa: DTZ001 (naive on purpose: the time before its zone is known)


def spaced(text: str) -> str:
    """A page or filter's text as it reads: entities decoded, no-break spaces as spaces."""
    return html.unescape(text).replace(NBSP, " ")


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(minutes=2855), "1 day 23 hours"),
        (timedelta(days=2, minutes=5), "2 days"),
        (timedelta(hours=1, minutes=1), "1 hour 1 minute"),
        (timedelta(minutes=5, seconds=59), "5 minutes"),
        (timedelta(seconds=59), "less than a minute"),
        (timedelta(days=400), "400 days"),
    ],
)
def test_a_span_reads_in_its_two_largest_units(span, words):
    assert format_duration(span) == words


def test_a_count_agrees_with_its_word():
    assert plural(1, "voter") == "1 voter"
    assert plural(2, "voter") == "2 voters"
    assert plural(1, "link vouches", "links vouch") == "1 link vouches"
    assert plural(3, "link vouches", "links vouch") == "3 links vouch"
    assert plural(1200, "member") == "1,200 members"


def test_a_moment_reads_in_a_named_zone():
    winter = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
    assert spaced(format_datetime(winter, PARIS)) == "14 December 2026 at 18:00 CET"
    summer = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
    assert spaced(format_datetime(summer, ZoneInfo("America/New_York"))) == (
        "1 July 2027 at 08:00 EDT"
    )
    # A zone with no letters for its name reads as an offset, still named.
    assert spaced(format_datetime(summer, ZoneInfo("Asia/Dubai"))) == "1 July 2027 at 16:00 UTC+04"
    # The day itself is the zone's: late evening in UTC is the next morning in Tokyo.
    late = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert spaced(format_datetime(late, ZoneInfo("Asia/Tokyo"))) == "1 January 2027 at 05:00 JST"


def test_a_wall_time_names_one_moment_or_is_refused():
    assert local_to_utc(wall(2026, 12, 14, 18, 0), PARIS) == datetime(
        2026, 12, 14, 17, 0, tzinfo=UTC
    )
    with pytest.raises(ValidationError, match="does not exist in Europe/Paris"):
        local_to_utc(wall(2027, 3, 28, 2, 30), PARIS)
    with pytest.raises(ValidationError, match="happens twice in Europe/Paris"):
        local_to_utc(wall(2027, 10, 31, 2, 30), PARIS)
    with pytest.raises(ValidationError, match="too far"):
        local_to_utc(wall(1, 1, 1, 0, 0), PARIS)


def test_only_iana_zone_names_are_accepted():
    assert clean_zone_name(" Europe/Paris ") == "Europe/Paris"
    assert clean_zone_name("") == ""
    for bad in ("Not/A_Zone", "europe/paris", "../../etc/passwd", "localtime", "x" * 500):
        with pytest.raises(ValidationError, match="is not a time zone"):
            clean_zone_name(bad)


def test_the_organization_zone_must_be_a_zone():
    with pytest.raises(RuntimeError, match="ORGANIZATION_TIME_ZONE"):
        create_app({"ENV_NAME": "testing", "ORGANIZATION_TIME_ZONE": "Mars/Olympus"})


def test_pages_show_times_in_the_organization_zone(app, client, login_as):
    app.config["ORGANIZATION_TIME_ZONE"] = "Europe/Paris"
    try:
        member = make_member()
        member.joined_at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
        login_as(member)
        body = spaced(client.get("/account/time-zone").get_data(as_text=True))
        assert "The organization's (Europe/Paris)" in body
        profile = spaced(client.get(f"/members/{member.id}").get_data(as_text=True))
        # Half past midnight in Paris: the new year.
        assert "member since 1 January 2027" in profile
        assert "Times are shown in Europe/Paris, the organization's zone" in profile
    finally:
        app.config["ORGANIZATION_TIME_ZONE"] = "UTC"


def test_a_member_chooses_a_zone_and_a_bad_name_is_refused(client, login_as, session):
    member = make_member()
    login_as(member)
    refused = client.post("/account/time-zone", data={"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert "“Mars/Olympus” is not a time zone" in spaced(refused.get_data(as_text=True))
    assert session.scalar(select(Member.time_zone).where(Member.id == member.id)) == ""
    chosen = client.post("/account/time-zone", data={"time_zone": "America/New_York"})
    assert chosen.status_code == 303
    session.refresh(member)
    assert member.time_zone == "America/New_York"
    profile = spaced(client.get(f"/members/{member.id}").get_data(as_text=True))
    assert "Times are shown in America/New_York." in profile


def test_a_deadline_is_entered_in_the_member_zone(client, login_as, session):
    chair = make_member(role=MemberRole.CONVENER)
    chair.time_zone = "Europe/Paris"
    draft = make_draft(chair, open_window=False)
    login_as(chair)
    form = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "Deadline (Europe/Paris time)" in form
    year = utcnow().year + 1
    # Paris clocks go forward at 02:00 on the last Sunday of March: 02:30 does not exist.
    last_sunday = max(d for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    gap = client.post(
        f"/drafts/{draft.id}/window/open", data={"deadline": f"{year}-03-{last_sunday}T02:30"}
    )
    assert gap.status_code == 400
    assert "does not exist in Europe/Paris" in spaced(gap.get_data(as_text=True))
    session.refresh(draft)
    assert draft.amendment_deadline_at is None
    past = client.post(f"/drafts/{draft.id}/window/open", data={"deadline": "2020-07-01T09:30"})
    assert past.status_code == 400
    assert "1 July 2020 at 09:30 CEST has passed" in spaced(past.get_data(as_text=True))
    assert 'value="2020-07-01T09:30"' in past.get_data(as_text=True)
    response = client.post(
        f"/drafts/{draft.id}/window/open", data={"deadline": f"{year}-12-14T18:00"}
    )
    assert response.status_code == 303
    stored = session.scalar(select(Draft.amendment_deadline_at).where(Draft.id == draft.id))
    assert stored == datetime(year, 12, 14, 17, 0, tzinfo=UTC)
    page = spaced(client.get(f"/drafts/{draft.id}").get_data(as_text=True))
    assert f"14 December {year} at 18:00 CET" in page
    assert client.post(f"/drafts/{draft.id}/window/close").status_code == 303
    page = spaced(client.get(f"/drafts/{draft.id}").get_data(as_text=True))
    closed = r"The amendment window closed on \d+ \w+ \d{4} at \d\d:\d\d CES?T"
    assert re.search(closed, page)
    # A proposal sent after the close is refused by the service, in the member's zone too.
    refused = client.post(
        f"/drafts/{draft.id}/amendments/new",
        data={"version": "1", "rationale": "Late", "paragraph-0": "Changed."},
    )
    assert refused.status_code == 400
    assert re.search(closed, spaced(refused.get_data(as_text=True)))


def test_an_admin_sets_the_organization_zone_and_the_log_says_so(client, login_as, session):
    admin = make_member(role=MemberRole.ADMIN)
    member = make_member()
    member.joined_at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    login_as(admin)
    refused = client.post("/admin/settings", data={"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert "is not a time zone" in refused.get_data(as_text=True)
    assert session.get(OrganizationSettings, 1) is None
    assert client.post("/admin/settings", data={"time_zone": "Asia/Tokyo"}).status_code == 303
    assert session.get(OrganizationSettings, 1).time_zone == "Asia/Tokyo"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "organization.time_zone")
    ).one()
    assert entry.summary == "The organization's time zone: not set → Asia/Tokyo"
    login_as(member)
    profile = spaced(client.get(f"/members/{member.id}").get_data(as_text=True))
    assert "member since 1 January 2027" in profile  # 08:30 in Tokyo
    assert "Times are shown in Asia/Tokyo, the organization's zone" in profile


def test_a_vote_closes_at_the_time_entered_in_the_convener_zone(client, login_as, session):
    convener = make_member(role=MemberRole.CONVENER)
    convener.time_zone = "America/New_York"
    login_as(convener)
    form = client.get("/votes/new").get_data(as_text=True)
    assert "Close at (America/New_York time; empty: a convener closes it)" in form
    year = utcnow().year + 1
    data = {
        "title": "Join the tenants' federation?",
        "method": "majority",
        "threshold": "simple",
        "quorum_percent": "0",
        "secret": "y",
        "body_id": "",
        "stv_variant": "stv",
        "quota": "droop",
        "block_rule": "no_decision",
        "seats": "1",
    }
    # New York clocks go back at 02:00 on the first Sunday of November: 01:30 happens twice.
    first_sunday = min(d for d in range(1, 8) if date(year, 11, d).weekday() == 6)
    twice = client.post(
        "/votes/new", data={**data, "closes_at": f"{year}-11-0{first_sunday}T01:30"}
    )
    assert twice.status_code == 400
    assert "happens twice in America/New_York" in spaced(twice.get_data(as_text=True))
    assert session.scalar(select(Vote.id)) is None
    response = client.post("/votes/new", data={**data, "closes_at": f"{year}-07-01T20:00"})
    assert response.status_code == 303, response.get_data(as_text=True)
    vote = session.scalars(select(Vote)).one()
    assert vote.closes_at == datetime(year, 7, 2, 0, 0, tzinfo=UTC)
    page = spaced(client.get(f"/votes/{vote.id}").get_data(as_text=True))
    assert f"Voting ends 1 July {year} at 20:00 EDT" in page


def test_the_vote_page_says_the_time_left_in_words(client, login_as, session):
    convener = make_member(role=MemberRole.CONVENER)
    vote = create_vote(
        convener,
        title="Adopt the budget?",
        settings=Settings(method="majority", threshold="simple"),
        closes_at=utcnow() + timedelta(minutes=2855, seconds=30),
    )
    login_as(make_member())
    page = spaced(client.get(f"/votes/{vote.id}").get_data(as_text=True))
    assert ", in 1 day 23 hours." in page
    assert "2855 minutes" not in page
