"""A count agrees with its words wherever a page or an export shows one: 1 and 2 rendered."""

from __future__ import annotations

import re

import pytest

from deliberate.decisions import services
from tests.decisions.factories import sealed_record
from tests.drafts.factories import make_draft
from tests.factories import make_member

# Each template's phrase for one and for two, rendered by the filters the templates use.
PHRASES = [
    ('{{ n|counted("member") }}', "1 member", "2 members"),
    ('{{ n|counted("request waits", "requests wait") }}', "1 request waits", "2 requests wait"),
    ('{{ n|counted("link vouches", "links vouch") }}', "1 link vouches", "2 links vouch"),
    ("{{ n }} of them {{ n|noun('commits', 'commit') }}", "1 of them commits", "2 of them commit"),
    ('{{ n|counted("paragraph") }}', "1 paragraph", "2 paragraphs"),
    ("{{ n }}/2 {{ n|noun('seconder') }}", "1/2 seconder", "2/2 seconders"),
]


@pytest.mark.parametrize(("source", "one", "two"), PHRASES)
def test_a_phrase_agrees_with_one_and_with_two(app, source, one, two):
    template = app.jinja_env.from_string(source)
    assert template.render(n=1) == one
    assert template.render(n=2) == two


def test_a_record_with_one_disagreeing_commitment_reads_in_the_singular(client, login_as):
    convener = make_member(role="convener")
    voters = [make_member() for _ in range(3)]
    record = sealed_record(convener, voters)
    services.record_commitment(voters[0], record, commits=True, disagreement="Too early.")
    login_as(voters[1])
    page = " ".join(client.get(f"/decisions/{record.id}").get_data(as_text=True).split())
    assert "<strong>1</strong> member commits to act on this decision" in page
    assert "(1 of them commits all the same)" in page
    assert re.search(r"\b(1 link vouches|(?!1 )\d+ links vouch) for this record", page)
    services.record_commitment(voters[1], record, commits=True, disagreement="Too late.")
    page = " ".join(client.get(f"/decisions/{record.id}").get_data(as_text=True).split())
    assert "<strong>2</strong> members commit to act on this decision" in page
    assert "(2 of them commit all the same)" in page


def test_a_draft_of_one_paragraph_says_so(client, login_as):
    chair = make_member(role="convener")
    draft = make_draft(chair, paragraphs=1)
    login_as(make_member())
    page = " ".join(client.get(f"/drafts/{draft.id}").get_data(as_text=True).split())
    assert "1 paragraph," in page
    assert "1 paragraphs" not in page
