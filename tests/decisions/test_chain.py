"""The archive's hash chain, pure: canonical JSON, links, and the check that finds the first
link that does not hold."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliberate.decisions import chain

CONTENT = {"record": 7, "title": "Grève générale ?", "adopted": True, "nested": {"b": 1, "a": None}}


def test_canonical_json_is_sorted_compact_utf8():
    assert chain.canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_equal_contents_hash_equally_whatever_their_key_order():
    reordered = {
        "nested": {"a": None, "b": 1},
        "adopted": True,
        "title": CONTENT["title"],
        "record": 7,
    }
    assert chain.content_hash(CONTENT) == chain.content_hash(reordered)


@pytest.mark.parametrize("value", [1.5, {1: "x"}, {"s": {1, 2}}, object()])
def test_values_without_one_canonical_text_are_refused(value):
    with pytest.raises(chain.NotCanonical):
        chain.canonical({"v": value})


def _chain(contents):
    links, last = [], None
    for content in contents:
        last = chain.next_link(last, "record", content)
        links.append(last)
    return links


def test_a_chain_checks_and_each_link_follows_the_one_before():
    contents = [{"n": i} for i in range(5)]
    links = _chain(contents)
    assert links[0].previous_hash == chain.GENESIS
    assert all(b.previous_hash == a.hash for a, b in pairwise(links))
    assert chain.check(zip(links, contents, strict=True)) is None


def test_a_changed_content_is_found_at_its_link():
    contents = [{"n": i} for i in range(5)]
    links = _chain(contents)
    contents[2] = {"n": 99}
    problem = chain.check(zip(links, contents, strict=True))
    assert problem == chain.Problem(3, "its content was changed after it was chained")


def test_a_removed_link_and_a_missing_content_are_found():
    contents = [{"n": i} for i in range(4)]
    links = _chain(contents)
    pairs = list(zip(links, contents, strict=True))
    assert chain.check(pairs[:1] + pairs[2:]) == chain.Problem(3, "link 2 is missing")
    pairs[1] = (links[1], None)
    assert chain.check(pairs) == chain.Problem(2, "what it vouches for is missing")


def test_a_relinked_forgery_is_found_by_the_next_link():
    contents = [{"n": i} for i in range(3)]
    links = _chain(contents)
    forged = chain.next_link(links[0], "record", {"n": "forged"})
    problem = chain.check(
        [(links[0], contents[0]), (forged, {"n": "forged"}), (links[2], contents[2])]
    )
    assert problem == chain.Problem(3, "it does not follow the link before it")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_canonical_json_reads_back_as_the_same_content(content):
    assert json.loads(chain.canonical(content)) == content


@given(
    st.dictionaries(st.text(), json_values, max_size=6),
    st.dictionaries(st.text(), json_values, max_size=6),
)
def test_contents_share_a_hash_only_when_their_canonical_texts_are_equal(first, second):
    same_text = chain.canonical(first) == chain.canonical(second)
    assert (chain.content_hash(first) == chain.content_hash(second)) == same_text
