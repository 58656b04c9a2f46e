"""No payload of the XSS corpus survives into a vote page as executable markup.

Payloads are written where conveners and members write in votes: questions, explanations,
options (candidates), consensus reasons. The pages are audited as in tests/security/test_xss.py;
the result chart, an SVG the server builds with every name escaped, is audited apart.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.errors import ValidationError
from deliberate.voting import services
from deliberate.voting.rules import MAX_OPTIONS, Settings
from tests.factories import make_member
from tests.security.test_xss import PAYLOADS, assert_safe

CHART = re.compile(r'<figure class="chart">.*?</figure>', re.DOTALL)


def page_without_chart(html: str) -> tuple[str, list[str]]:
    return CHART.sub("", html), CHART.findall(html)


def assert_chart_inert(figure: str) -> None:
    # The figure holds the chart drawn for a wide page and the one drawn for a phone.
    svgs = figure.removeprefix('<figure class="chart">').removesuffix("</figure>")
    root = ET.fromstring(f"<figure>{svgs}</figure>")  # noqa: S314 - well-formed proves the escaping
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        assert tag not in {"script", "foreignObject", "a", "image", "use"}, tag
        for name in element.attrib:
            assert not name.lower().startswith("on"), name
            assert name != "style"


@pytest.fixture
def convener(session):
    return make_member("Convener", role=MemberRole.CONVENER)


def test_questions_and_explanations(client, login_as, convener):
    votes = [
        services.create_vote(
            convener,
            title=payload[:300].strip() or "x",
            description=payload,
            settings=Settings(method="majority", threshold="simple"),
        )
        for payload in PAYLOADS[:120]
    ]
    login_as(make_member())
    assert_safe(client.get("/votes/").get_data(as_text=True), "votes index")
    for vote in votes[::6]:
        assert_safe(client.get(f"/votes/{vote.id}").get_data(as_text=True), f"vote {vote.id}")


@pytest.mark.sweep
def test_options_ballots_results_and_receipts(client, login_as, convener):
    voters = [make_member() for _ in range(3)]
    unique: dict[str, str] = {}
    for payload in PAYLOADS:
        label = " ".join(payload.split())[:200].strip()
        if label:
            unique.setdefault(label.casefold(), label)
    labels = list(unique.values())
    for start in range(0, len(labels), MAX_OPTIONS):
        chunk = labels[start : start + MAX_OPTIONS]
        if len(chunk) < 2:
            continue
        vote = services.create_vote(
            convener,
            title="Who chairs?",
            settings=Settings(method="irv"),
            options=[services.OptionSpec(label) for label in chunk],
        )
        login_as(voters[0])
        page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
        assert_safe(page, "ballot")
        review = client.post(f"/votes/{vote.id}/cast", data={"rank_1": "1", "rank_2": "2"})
        assert review.status_code == 200
        assert_safe(review.get_data(as_text=True), "confirmation")
        stored = [o.label for o in services.load_options(vote)]
        for voter in voters:
            services.cast_ballot(voter, vote, {"ranking": stored[:3]})
        services.close_vote(convener, vote)
        closed, figures = page_without_chart(client.get(f"/votes/{vote.id}").get_data(as_text=True))
        assert_safe(closed, "results")
        assert figures
        for figure in figures:
            assert_chart_inert(figure)
        assert_safe(client.get(f"/votes/{vote.id}/receipts").get_data(as_text=True), "receipts")


def test_consensus_reasons(client, login_as, convener):
    voters = [make_member() for _ in range(len(PAYLOADS[:80]))]
    vote = services.create_vote(
        convener,
        title="Agree?",
        settings=Settings(method="consensus", block_rule="no_decision", secret=False),
    )
    for voter, payload in zip(voters, PAYLOADS[:80], strict=True):
        reason = payload[:4000].strip() or "x"
        services.cast_ballot(voter, vote, {"position": "block", "reason": reason})
    services.close_vote(convener, vote)
    login_as(voters[0])
    page, _ = page_without_chart(client.get(f"/votes/{vote.id}").get_data(as_text=True))
    assert_safe(page, "consensus reasons and roll call")


def test_candidates_statements_and_names(client, login_as, convener):
    """Statements and candidates' names on the nominations page, the ballot, the review and
    the results of an election by nomination."""
    payloads = [p for p in PAYLOADS if p.strip()][:40]
    election = services.create_vote(
        convener,
        title="Elect the treasurer",
        settings=Settings(method="irv"),
        purpose="election",
        by_nomination=True,
    )
    candidates = [make_member(payload[:120].strip() or "x") for payload in payloads[:8]]
    for candidate, payload in zip(candidates, payloads[8:], strict=False):
        try:
            services.nominate(candidate, election, candidate, statement=payload)
        except ValidationError:  # a payload that renders to nothing is refused, not stored
            services.nominate(candidate, election, candidate)
    voter = make_member()
    login_as(voter)
    pages = {"nominations": client.get(f"/votes/{election.id}/nominations")}
    services.open_vote(convener, election)
    pages["ballot"] = client.get(f"/votes/{election.id}")
    pages["review"] = client.post(f"/votes/{election.id}/cast", data={"rank_1": "1"})
    services.cast_ballot(voter, election, {"ranking": [services.load_options(election)[0].label]})
    services.close_vote(convener, election)
    pages["results"] = client.get(f"/votes/{election.id}")
    for name, response in pages.items():
        html, charts = page_without_chart(response.get_data(as_text=True))
        assert_safe(html, name)
        for figure in charts:
            assert_chart_inert(figure)
