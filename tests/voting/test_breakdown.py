"""The breakdown of a secret vote by tendency, pure: published only when every group shown,
"others" included, has the minimum and none is found by subtraction. No app needed."""

from __future__ import annotations

import pytest

from deliberate.voting.results import CountedBallot, compute, published_tendencies
from deliberate.voting.rules import Settings

SETTINGS = Settings(method="majority", threshold="simple", breakdown_by_tendency=True)
NAMES = {1: "Red", 2: "Green", 3: "Blue"}


def _ballots(groups):
    """{tendency id or None: (yes, no)} as counted ballots."""
    return [
        CountedBallot({"choice": choice}, tendency, None, n)
        for tendency, (yes, no) in groups.items()
        for choice, n in (("yes", yes), ("no", no))
        if n
    ]


def _result(groups, *, breakdown_min=10):
    ballots = _ballots(groups)
    voters = sum(b.weight for b in ballots)
    return compute(
        SETTINGS,
        ballots=ballots,
        roll_size=voters,
        participation=voters,
        tendencies=NAMES,
        breakdown_min=breakdown_min,
    )


def test_ten_and_one_publish_no_breakdown_and_say_why():
    result = _result({1: (10, 0), 2: (0, 1)})
    assert result["by_tendency"] == []
    assert "at least 10 voters" in result["by_tendency_withheld"]
    assert result["participation"]["voted"] == 11


def test_ten_and_ten_publish_both():
    result = _result({1: (7, 3), 2: (2, 8)})
    assert [(g["tendency"], g["voters"], g["count"]) for g in result["by_tendency"]] == [
        ("Green", 10, {"yes": 2, "no": 8, "abstain": 0}),
        ("Red", 10, {"yes": 7, "no": 3, "abstain": 0}),
    ]
    assert "by_tendency_withheld" not in result


def test_ten_ten_and_three_publish_none_since_others_would_be_three():
    result = _result({1: (10, 0), 2: (10, 0), 3: (1, 2)})
    assert result["by_tendency"] == []
    assert result["by_tendency_withheld"]


def test_members_of_no_tendency_and_paper_ballots_belong_with_others():
    # Blue has 4 voters, and 6 ballots carry no tendency (no tendency, or paper): "others"
    # is 10, as large as the minimum, so the breakdown is published with it.
    result = _result({1: (10, 0), 3: (4, 0), None: (3, 3)})
    assert [(g["tendency"], g["voters"]) for g in result["by_tendency"]] == [
        ("Red", 10),
        ("others", 10),
    ]


def test_a_group_of_one_is_never_shown_whatever_the_others():
    for groups in ({1: (30, 0), 2: (1, 0)}, {1: (1, 0)}, {None: (1, 0)}, {1: (5, 4)}):
        result = _result(groups)
        assert all(g["voters"] >= 10 for g in result["by_tendency"])


@pytest.mark.parametrize(
    ("sizes", "published"),
    [
        ({1: 10, 2: 1}, None),
        ({1: 10, 2: 10}, {1, 2}),
        ({1: 10, 2: 10, 3: 3}, None),
        ({1: 10, 2: 5, None: 5}, {1}),
        ({1: 9, 2: 9, None: 2}, None),
        ({7: 12}, None),  # a tendency not known by name is counted with the others
    ],
)
def test_which_tendencies_are_published(sizes, published):
    kept = published_tendencies(sizes, NAMES, breakdown_min=10)
    assert (set(kept) if kept is not None else None) == published


def test_the_breakdown_of_erased_ballots_is_the_published_one():
    """What close stores (tendencies erased below the minimum) recounts to what it published."""
    groups = {1: (10, 0), 2: (6, 4), 3: (2, 1), None: (4, 3)}
    published = _result(groups)
    kept = published_tendencies({1: 10, 2: 10, 3: 3, None: 7}, NAMES, breakdown_min=10)
    erased: dict = {}
    for tendency, (yes, no) in groups.items():
        key = tendency if kept and tendency in kept else None
        before = erased.get(key, (0, 0))
        erased[key] = (before[0] + yes, before[1] + no)
    assert _result(erased)["by_tendency"] == published["by_tendency"]
    assert [g["tendency"] for g in published["by_tendency"]] == ["Green", "Red", "others"]
