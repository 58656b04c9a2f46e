"""The "how this works" page: open to anyone, and reached from the pages where each rule
comes up."""

from __future__ import annotations

from tests.factories import make_member


def test_anyone_reads_how_this_works(client):
    page = client.get("/help").get_data(as_text=True)
    for section in ("amendments", "competing", "irv", "stv", "consensus", "secret", "unity"):
        assert f'id="{section}"' in page
    assert "Fortnightly wins with 5 of 9" in page  # the worked ranked-choice example
    assert "<em>two-thirds</em>, <em>three-quarters</em>" in page  # how a fallback is written


def test_every_page_links_to_it(client, login_as):
    login_as(make_member())
    assert 'href="/help">How this works</a>' in client.get("/").get_data(as_text=True)
