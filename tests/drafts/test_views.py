"""Draft and amendment pages: what members see and do; refusals store nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deliberate.accounts.models import MemberRole, MemberStatus
from deliberate.database import utcnow
from deliberate.drafts import services
from deliberate.drafts.models import (
    Amendment,
    AmendmentCosponsor,
    AmendmentSecond,
    AmendmentState,
    Draft,
    DraftConvener,
    DraftState,
    DraftVersion,
)
from deliberate.drafts.queries import current_version
from tests.drafts.factories import make_draft, paragraph_text, propose, table
from tests.drafts.test_services import snapshot
from tests.factories import make_member, make_tendency


def page(response) -> str:
    return response.get_data(as_text=True)


def amendment_form(draft, **fields) -> dict:
    return {
        "version": str(draft.current_version_number),
        "kind": "replace",
        "first": "2",
        "last": "2",
        "new_text": "The branch commits to organizing every tenant in building two.",
        "title": "Every tenant",
        "rationale": "Half measures lose *strikes*.",
    } | fields


@pytest.fixture
def chair():
    return make_member("Chair Person", role=MemberRole.CONVENER)


# --- drafts -----------------------------------------------------------------------------------


def test_index_lists_drafts_with_their_state_and_counts(client, login_as, chair):
    draft = make_draft(chair, title="Rent strike resolution")
    propose(make_member(), draft)
    login_as(make_member())
    response = client.get("/drafts/")
    assert response.status_code == 200
    body = page(response)
    assert "Rent strike resolution" in body
    assert "amendments open" in body
    assert "1 open · 1 in all" in body
    assert "Create a draft" not in body


def test_a_convener_creates_a_draft(client, login_as, session, chair):
    named = make_member("Named Helper", email="helper@example.org")
    login_as(chair)
    assert client.get("/drafts/new").status_code == 200
    response = client.post(
        "/drafts/new",
        data={
            "title": "Six months on Eastside",
            "kind": "situational_objective",
            "body": "We organize.\n\nWe win.",
            "valid_from": "2026-01-01",
            "valid_until": "2026-06-30",
            "evaluation_date": "2026-07-10",
            "conveners": "Helper@Example.org",
        },
    )
    assert response.status_code == 303
    draft = session.scalars(select(Draft).where(Draft.title == "Six months on Eastside")).one()
    assert current_version(draft).paragraph_count == 2
    assert session.scalar(select(DraftConvener.member_id)) == named.id
    detail = page(client.get(response.headers["Location"]))
    assert "Holds from <strong>1\u00a0January\u00a02026</strong>" in detail
    assert "evaluated on <strong>10\u00a0July\u00a02026</strong>" in detail


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"body": " "}, "This field is required"),
        ({"kind": "situational_objective"}, "needs a validity period"),
        (
            {"conveners": "nobody@example.org"},
            "No active member has the email nobody@example.org",
        ),
        ({"valid_from": "2026-02-30"}, "Not a valid date value"),
    ],
)
def test_create_refuses_bad_input_and_stores_nothing(
    client, login_as, session, chair, fields, message
):
    login_as(chair)
    before = snapshot(session)
    data = {"title": "T", "kind": "resolution", "body": "Text."} | fields
    response = client.post("/drafts/new", data=data)
    assert response.status_code == 400
    assert message in page(response)
    assert snapshot(session) == before


def test_members_cannot_create_drafts(client, login_as, session):
    login_as(make_member())
    assert client.get("/drafts/new").status_code == 403
    response = client.post("/drafts/new", data={"title": "T", "kind": "resolution", "body": "B"})
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(Draft)) == 0


def test_draft_page_shows_paragraphs_lines_markers_groups_and_history(client, login_as, chair):
    draft = make_draft(chair)
    a = propose(make_member(), draft, first=2, last=3, title="Two and three")
    b = propose(make_member(), draft, first=3, last=3, title="Only three")
    c = propose(make_member(), draft, kind="insert_after", first=5, last=None, title="Add one")
    table(c)
    login_as(make_member())
    body = page(client.get(f"/drafts/{draft.id}"))
    assert 'id="p5"' in body
    assert ">¶5</a>" in body
    assert 'data-ln="1"' in body
    assert re.search(
        r'id="p3".*?>A1<span class="visually-hidden">, [^<]*</span></a>'
        r'<a class="mark[^"]*"[^>]*>A2<span class="visually-hidden">, ',
        body,
        re.S,
    )
    assert "Competing group 1" in body
    assert "competes with" in body
    assert "Tabled <small>(1)</small>" in body
    assert "2/2 seconders" in body
    assert "Version history" in body
    assert "first version" in body
    assert "Convener actions" not in body
    assert a.title in body
    assert b.title in body


def test_conveners_see_their_panel(client, login_as, chair):
    draft = make_draft(chair)
    login_as(chair)
    body = page(client.get(f"/drafts/{draft.id}"))
    assert "Convener actions" in body
    assert "Close amendments now" in body


def test_missing_draft_is_404(client, login_as):
    login_as(make_member())
    assert client.get("/drafts/999999").status_code == 404


def test_window_open_and_close(client, login_as, session, chair):
    draft = make_draft(chair, open_window=False)
    login_as(chair)
    past = client.post(f"/drafts/{draft.id}/window/open", data={"deadline": "2001-01-01T10:00"})
    assert past.status_code == 400
    assert "must be in the future" in page(past)
    deadline = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/drafts/{draft.id}/window/open", data={"deadline": deadline})
    assert response.status_code == 303
    session.refresh(draft)
    assert draft.state == DraftState.AMENDMENTS_OPEN
    assert draft.amendment_deadline_at.strftime("%Y-%m-%dT%H:%M") == deadline
    assert client.post(f"/drafts/{draft.id}/window/close").status_code == 303
    session.refresh(draft)
    assert draft.state == DraftState.DEBATE
    login_as(make_member())
    body = page(client.get(f"/drafts/{draft.id}"))
    assert "The amendment window closed on" in body


def test_edit_details_and_revise_while_drafting(client, login_as, session, chair):
    draft = make_draft(chair, open_window=False)
    login_as(chair)
    assert client.get(f"/drafts/{draft.id}/edit").status_code == 200
    response = client.post(
        f"/drafts/{draft.id}/edit", data={"title": "Better title", "kind": "statement"}
    )
    assert response.status_code == 303
    assert client.get(f"/drafts/{draft.id}/revise").status_code == 200
    response = client.post(
        f"/drafts/{draft.id}/revise",
        data={
            "version": "1",
            "body": "Entirely new.\n\nText.",
            "note": "Rewritten by the committee",
        },
    )
    assert response.status_code == 303
    session.refresh(draft)
    assert (draft.title, draft.kind, draft.current_version_number) == (
        "Better title",
        "statement",
        2,
    )
    stale = client.post(
        f"/drafts/{draft.id}/revise", data={"version": "1", "body": "x", "note": "n"}
    )
    assert stale.status_code == 409
    assert "now at version 2" in page(stale)


def test_version_and_compare_pages(client, login_as, chair):
    draft = make_draft(chair)
    services.accept_amendment(
        chair,
        propose(
            make_member(),
            draft,
            first=2,
            last=2,
            new_text=paragraph_text(2).replace("every month", "every week"),
        ),
    )
    login_as(make_member())
    old = page(client.get(f"/drafts/{draft.id}/versions/1"))
    assert "every month" in old
    compare = page(client.get(f"/drafts/{draft.id}/compare?from=1&to=2"))
    assert "<del>month</del><ins>week</ins>" in compare
    assert "accepted friendly amendment A1" in compare
    assert client.get(f"/drafts/{draft.id}/compare?from=1&to=9").status_code == 404
    assert client.get(f"/drafts/{draft.id}/versions/9").status_code == 404


def test_naming_a_convener_does_not_tell_suspended_from_unknown(client, login_as, session, chair):
    named = make_member("Named Convener")
    draft = make_draft(chair)
    services.add_convener(chair, draft, named)
    make_member("Gone", email="gone@example.org", status=MemberStatus.SUSPENDED)
    login_as(named)
    url = f"/drafts/{draft.id}/conveners"
    suspended = client.post(url, data={"email": "gone@example.org"})
    unknown = client.post(url, data={"email": "nobody@example.org"})
    assert suspended.status_code == unknown.status_code == 400
    assert "No active member has the email gone@example.org." in page(suspended)
    assert "No active member has the email nobody@example.org." in page(unknown)
    assert "suspended" not in page(suspended)
    assert session.scalar(select(func.count()).select_from(DraftConvener)) == 1


def test_several_conveners_are_named_at_once(client, login_as, session, chair):
    draft = make_draft(chair)
    make_member("First Helper", email="first@example.org")
    make_member("Second Helper", email="second@example.org")
    login_as(chair)
    url = f"/drafts/{draft.id}/conveners"
    response = client.post(url, data={"email": "first@example.org, second@example.org"})
    assert response.status_code == 303
    shown = page(client.get(response.headers["Location"]))
    assert "First Helper, Second Helper now convene this draft." in shown
    assert session.scalar(select(func.count()).select_from(DraftConvener)) == 2
    # One address already convening refuses the whole list, and names who.
    make_member("Third Helper", email="third@example.org")
    again = client.post(url, data={"email": "third@example.org, first@example.org"})
    assert again.status_code == 409
    assert "First Helper already convenes this draft." in page(again)
    assert session.scalar(select(func.count()).select_from(DraftConvener)) == 2


def test_withdraw_draft_and_conveners(client, login_as, session, chair):
    draft = make_draft(chair)
    helper = make_member("Helper", email="helper2@example.org")
    login_as(chair)
    response = client.post(f"/drafts/{draft.id}/conveners", data={"email": "helper2@example.org"})
    assert response.status_code == 303
    again = client.post(f"/drafts/{draft.id}/conveners", data={"email": "helper2@example.org"})
    assert again.status_code == 409
    assert "already convenes" in page(again)
    assert client.post(f"/drafts/{draft.id}/conveners/{helper.id}/remove").status_code == 303
    assert session.scalar(select(func.count()).select_from(DraftConvener)) == 0
    no_reason = client.post(f"/drafts/{draft.id}/withdraw", data={"reason": ""})
    assert no_reason.status_code == 400
    assert (
        client.post(f"/drafts/{draft.id}/withdraw", data={"reason": "Merged."}).status_code == 303
    )
    session.refresh(draft)
    assert draft.state == DraftState.WITHDRAWN


# --- proposing ------------------------------------------------------------------------------


def test_propose_page_prefills_the_chosen_paragraphs(client, login_as, chair):
    draft = make_draft(chair)
    login_as(make_member())
    body = page(client.get(f"/drafts/{draft.id}/amendments/new?kind=replace&first=2&last=3"))
    assert paragraph_text(2) + "\n\n" + paragraph_text(3) in body.replace("&#39;", "'")
    assert 'value="1"' in body  # the version the member reads


def test_propose_an_amendment(client, login_as, session, chair):
    draft = make_draft(chair)
    member = make_member()
    login_as(member)
    response = client.post(f"/drafts/{draft.id}/amendments/new", data=amendment_form(draft))
    assert response.status_code == 303
    amendment = session.scalars(select(Amendment)).one()
    assert (amendment.proposer_id, amendment.first_paragraph, amendment.state) == (
        member.id,
        2,
        AmendmentState.PROPOSED,
    )
    body = page(client.get(response.headers["Location"]))
    assert "A1: Every tenant" in body
    assert "<ins>" in body
    assert "lines 3–4" in body
    assert "<em>strikes</em>" in body


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"new_text": "  "}, 400, "Write the new text of the amendment."),
        ({"first": "4", "last": "9"}, 400, "¶4–9 is not a paragraph range of version 1"),
        ({"kind": "insert_after", "after": "17"}, 400, "after ¶0 (the beginning) to ¶5"),
        ({"title": ""}, 400, "This field is required"),
        ({"first": "x"}, 400, "Not a valid integer value"),
        ({"kind": "bogus"}, 400, "Not a valid choice"),
        ({"version": "0"}, 409, "Version 0 has been superseded"),
        ({"rationale": "bell\x07"}, 400, "Control characters are not allowed"),
    ],
)
def test_propose_refuses_bad_input_and_stores_nothing(
    client, login_as, session, chair, fields, status, message
):
    draft = make_draft(chair)
    login_as(make_member())
    before = snapshot(session)
    response = client.post(
        f"/drafts/{draft.id}/amendments/new", data=amendment_form(draft, **fields)
    )
    assert response.status_code == status
    assert message in page(response)
    assert snapshot(session) == before


def test_propose_after_the_deadline_names_when_it_closed(client, login_as, session, chair):
    draft = make_draft(chair)
    draft.amendment_deadline_at = utcnow() - timedelta(hours=1)
    session.flush()
    login_as(make_member())
    before = snapshot(session)
    response = client.post(f"/drafts/{draft.id}/amendments/new", data=amendment_form(draft))
    assert response.status_code == 409
    assert (
        f"The amendment window closed on {services.format_utc(draft.amendment_deadline_at)}"
        in page(response)
    )
    assert snapshot(session) == before
    assert "The amendment window closed on" in page(
        client.get(f"/drafts/{draft.id}/amendments/new")
    )


# --- amendment page and actions --------------------------------------------------------------


def test_second_and_repeated_second(client, login_as, session, chair):
    draft = make_draft(chair)
    proposer = make_member()
    amendment = propose(proposer, draft)
    url = f"/drafts/{draft.id}/amendments/{amendment.number}"
    login_as(proposer)
    own = client.post(url + "/second")
    assert own.status_code == 400
    assert "You proposed this amendment" in page(own)
    member = make_member("Second Person")
    login_as(member)
    assert "Second A1" in page(client.get(url))
    assert client.post(url + "/second").status_code == 303
    again = client.post(url + "/second")
    assert again.status_code == 400
    assert "You have already seconded A1" in page(again)
    assert session.scalar(select(func.count()).select_from(AmendmentSecond)) == 1
    body = page(client.get(url))
    assert "Second Person" in body
    assert "1 (2 needed to table it)" in body


def test_edit_until_the_first_second(client, login_as, session, chair):
    draft = make_draft(chair)
    proposer = make_member()
    amendment = propose(proposer, draft)
    url = f"/drafts/{draft.id}/amendments/{amendment.number}/edit"
    login_as(make_member())
    assert client.get(url).status_code == 403
    login_as(proposer)
    assert client.get(url).status_code == 200
    response = client.post(url, data=amendment_form(draft, title="Retitled"))
    assert response.status_code == 303
    assert session.get(Amendment, amendment.id).title == "Retitled"
    services.second_amendment(make_member(), amendment)
    assert client.get(url).status_code == 403
    assert client.post(url, data=amendment_form(draft, title="Again")).status_code == 403


def test_withdraw_by_the_proposer(client, login_as, session, chair):
    draft = make_draft(chair)
    proposer = make_member()
    amendment = propose(proposer, draft)
    url = f"/drafts/{draft.id}/amendments/{amendment.number}/withdraw"
    login_as(make_member())
    assert client.post(url).status_code == 403
    login_as(proposer)
    assert client.post(url, data={"reason": "Better wording coming."}).status_code == 303
    assert session.get(Amendment, amendment.id).state == AmendmentState.WITHDRAWN
    history = page(client.get(f"/drafts/{draft.id}/amendments/{amendment.number}"))
    assert "Withdrawn by the proposer." in history
    assert "Better wording coming." in history


def test_sponsorship_pages(client, login_as, session, chair):
    caucus, network, assembly = (
        make_tendency("Rank-and-File Caucus"),
        make_tendency("Assembly Network"),
        make_tendency("Mass Party Platform"),
    )
    proposer = make_member(tendency=caucus)
    coordinator = make_member(tendency=caucus, coordinator=True)
    draft = make_draft(chair)
    amendment = propose(proposer, draft)
    url = f"/drafts/{draft.id}/amendments/{amendment.number}"
    login_as(proposer)
    assert "Ask Rank-and-File Caucus to sponsor it" in page(client.get(url))
    assert client.post(url + "/sponsor/request").status_code == 303
    login_as(make_member(tendency=network))
    assert client.post(url + "/sponsor/confirm").status_code == 403
    login_as(coordinator)
    assert client.post(url + "/sponsor/confirm").status_code == 303
    for tendency in (network, assembly):
        login_as(make_member(tendency=tendency))
        assert client.post(url + "/cosponsor").status_code == 303
    body = page(client.get(url))
    assert (
        "Tabled by Rank-and-File Caucus, supported by members of Assembly Network and "
        "Mass Party Platform." in body
    )
    assert "Stop co-sponsoring" in body
    assert client.post(url + "/cosponsor/withdraw").status_code == 303
    assert session.scalar(select(func.count()).select_from(AmendmentCosponsor)) == 1
    login_as(coordinator)
    assert client.post(url + "/sponsor/decline", data={"reason": "Changed line"}).status_code == 303
    assert session.get(Amendment, amendment.id).sponsor_tendency_id is None


def test_convener_accepts_as_friendly_and_others_get_notices(client, login_as, session, chair):
    draft = make_draft(chair)
    friendly = propose(make_member(), draft, first=2, last=2)
    colliding_proposer = make_member()
    colliding = propose(colliding_proposer, draft, first=2, last=3)
    login_as(make_member())
    assert client.post(f"/drafts/{draft.id}/amendments/1/accept").status_code == 403
    login_as(chair)
    response = client.post(f"/drafts/{draft.id}/amendments/1/accept")
    assert response.status_code == 303
    assert session.get(Amendment, friendly.id).state == AmendmentState.MERGED
    assert session.scalar(select(func.count()).select_from(DraftVersion)) == 2
    login_as(colliding_proposer)
    body = page(client.get(f"/drafts/{draft.id}/amendments/{colliding.number}"))
    assert "Your amendment needs an update." in body
    assert "Update A2" in body
    assert client.get(f"/drafts/{draft.id}/amendments/{colliding.number}/edit").status_code == 200
    login_as(make_member())
    other_view = page(client.get(f"/drafts/{draft.id}/amendments/{colliding.number}"))
    assert "its proposer has been asked to update it" in other_view


def test_accept_without_merging_then_merge_selected(client, login_as, session, chair):
    draft = make_draft(chair)
    a = propose(make_member(), draft, first=1, last=1)
    b = propose(make_member(), draft, kind="delete", first=4, last=4)
    login_as(chair)
    for amendment in (a, b):
        response = client.post(
            f"/drafts/{draft.id}/amendments/{amendment.number}/accept", data={"merge": "0"}
        )
        assert response.status_code == 303
    body = page(client.get(f"/drafts/{draft.id}"))
    assert "Merge into version 2" in body
    nothing = client.post(f"/drafts/{draft.id}/merge", data={})
    assert nothing.status_code == 400
    assert "Choose at least one amendment" in page(nothing)
    response = client.post(f"/drafts/{draft.id}/merge", data={"amendments": ["1", "2"]})
    assert response.status_code == 303
    session.refresh(draft)
    assert draft.current_version_number == 2
    assert current_version(draft).note == "merged amendments A1, A2"


def test_merge_refuses_a_selection_that_is_not_accepted(client, login_as, session, chair):
    draft = make_draft(chair)
    propose(make_member(), draft)
    login_as(chair)
    before = snapshot(session)
    response = client.post(f"/drafts/{draft.id}/merge", data={"amendments": ["1"]})
    assert response.status_code == 409
    assert "A1 is awaiting seconders; only accepted or adopted amendments can be merged" in page(
        response
    )
    assert snapshot(session) == before


def test_rule_out_needs_a_reason_and_is_shown(client, login_as, session, chair):
    draft = make_draft(chair)
    propose(make_member(), draft)
    url = f"/drafts/{draft.id}/amendments/1"
    login_as(chair)
    empty = client.post(url + "/rule-out", data={"reason": " "})
    assert empty.status_code == 400
    assert session.scalars(select(Amendment.state)).one() == AmendmentState.PROPOSED
    assert (
        client.post(url + "/rule-out", data={"reason": "Belongs to the bylaws."}).status_code == 303
    )
    body = page(client.get(url))
    assert "ruled out of order" in body
    assert "Belongs to the bylaws." in body
    assert "Chair Person" in body


def test_group_and_ungroup(client, login_as, session, chair):
    draft = make_draft(chair)
    propose(make_member(), draft, first=1, last=1)
    propose(make_member(), draft, first=5, last=5)
    login_as(chair)
    response = client.post(f"/drafts/{draft.id}/group", data={"amendments": ["1", "2"]})
    assert response.status_code == 303
    assert "Competing group 1" in page(client.get(f"/drafts/{draft.id}"))
    assert client.post(f"/drafts/{draft.id}/amendments/1/ungroup").status_code == 303
    assert (
        session.scalar(select(Amendment.competition_group_id).where(Amendment.number == 1)) is None
    )


def test_unknown_amendment_is_404(client, login_as, chair):
    draft = make_draft(chair)
    login_as(make_member())
    assert client.get(f"/drafts/{draft.id}/amendments/7").status_code == 404
    assert client.post(f"/drafts/{draft.id}/amendments/7/second").status_code == 404


def test_member_text_is_escaped(client, login_as, chair):
    draft = make_draft(chair, body="Safe <script>alert(1)</script> text.")
    propose(
        make_member(),
        draft,
        new_text="New <img src=x onerror=alert(1)>",
        title="<b>bold</b>",
        rationale="<script>alert(2)</script>",
    )
    login_as(make_member())
    for url in (f"/drafts/{draft.id}", f"/drafts/{draft.id}/amendments/1"):
        body = page(client.get(url))
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "<b>bold</b>" not in body


def test_posts_need_the_csrf_token(client, login_as, session, chair, csrf_enabled):
    draft = make_draft(chair)
    amendment = propose(make_member(), draft)
    login_as(make_member())
    response = client.post(f"/drafts/{draft.id}/amendments/{amendment.number}/second")
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(AmendmentSecond)) == 0


def test_anonymous_visitors_are_sent_to_login(client, chair):
    draft = make_draft(chair)
    response = client.get(f"/drafts/{draft.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
