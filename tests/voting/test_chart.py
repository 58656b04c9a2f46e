"""SVG charts of stored results: structure, escaping of names, determinism."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from fractions import Fraction as F  # noqa: N817 - short for readable expected values

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.voting.chart import ChartError, majority_chart, rounds_chart
from deliberate.voting.counting import Rules, count
from deliberate.voting.counting.majority import MajorityRules, count_majority

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>" onload="x'

FOOD = ["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"]
FOOD_BALLOTS = [
    (["Oranges"], 4),
    (["Pears", "Oranges"], 2),
    (["Chocolate", "Strawberries"], 8),
    (["Chocolate", "Hamburgers"], 4),
    (["Strawberries"], 1),
    (["Hamburgers"], 1),
]


def food(candidates=FOOD, **rules) -> dict:
    ballots = [([candidates[FOOD.index(n)] for n in b], k) for b, k in FOOD_BALLOTS]
    return count(candidates, ballots, Rules(method="stv", seats=3, **rules)).as_dict()


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it well-formed
    assert root.tag == f"{SVG}svg"
    return root


def groups(root: ET.Element, css: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if css in g.get("class", "").split()]


def rects(element: ET.Element, css: str) -> list[ET.Element]:
    return [r for r in element.iter(f"{SVG}rect") if r.get("class") == css]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def assert_inert(root: ET.Element) -> None:
    """No script, no style, no event handler anywhere."""
    for element in root.iter():
        assert element.tag.removeprefix(SVG) not in ("script", "style", "foreignObject")
        for name in element.attrib:
            assert name != "style"
            assert not name.lower().startswith("on")
            assert "href" not in name


# --- ranked counts ---------------------------------------------------------------------------


def test_stv_rounds_chart_structure():
    data = food()
    root = parse(rounds_chart(data, title="Food"))
    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 640 {root.get('height')}"
    assert root.get("aria-label") == "Food. 5 rounds. Elected: Chocolate, Oranges, Strawberries."
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Food"
    assert root[1].tag == f"{SVG}desc"
    assert root[1].text.startswith("Elected: Chocolate, Oranges, Strawberries. Round 1: ")
    assert_inert(root)

    rounds = groups(root, "round")
    assert len(rounds) == 5
    # One bar per candidate in each round's tally (the Wikipedia food election).
    assert [len(rects(g, "bar")) for g in rounds] == [5, 4, 3, 2, 1]
    assert [len(rects(g, "exhausted")) for g in rounds] == [1] * 5
    assert all(not rects(g, "lost") for g in rounds)
    assert texts(rounds[0])[0] == "Round 1: elected Chocolate"
    assert texts(rounds[1])[0] == "Round 2: eliminated Pears"

    # Scale: the largest value, Chocolate's 12, spans 320 units from x = 176.
    first = rounds[0]
    chocolate = next(g for g in groups(first, "candidate") if "Chocolate" in texts(g))
    assert "elected" in chocolate.get("class").split()
    (bar,) = rects(chocolate, "bar")
    assert bar.get("width") == "320"
    assert bar.get("fill") == "#2e7d32"
    assert "12 elected" in texts(chocolate)
    # The quota, 6, is a vertical line half way, in every round.
    for g in rounds:
        (line,) = [x for x in g.iter(f"{SVG}line") if x.get("class") == "threshold"]
        assert line.get("x1") == line.get("x2") == "336"
        assert "quota 6" in texts(g)
    # Pears eliminated in round 2: faded and marked.
    pears = next(g for g in groups(rounds[1], "eliminated"))
    (faded,) = rects(pears, "bar")
    assert faded.get("fill-opacity") == "0.35"
    assert "2 eliminated" in texts(pears)
    # The last round shows the 3 exhausted votes: 3/12 of 320.
    (exhausted,) = rects(rounds[4], "exhausted")
    assert exhausted.get("width") == "80"


def test_irv_chart_marks_the_majority():
    data = count(["A", "B", "C"], [(["A", "B"], 4), (["B"], 3), (["C", "B"], 2)]).as_dict()
    root = parse(rounds_chart(data))
    assert root.find(f"{SVG}title").text == "Count, round by round"
    rounds = groups(root, "round")
    assert [len(rects(g, "bar")) for g in rounds] == [3, 2]
    assert "majority 5" in texts(rounds[0])
    assert [g.get("class") for g in groups(rounds[1], "candidate")] == [
        "candidate continuing",
        "candidate elected",
    ]


def test_candidate_elected_earlier_stays_marked():
    # STV: A is elected in round 1 with a surplus still to transfer in the same round; in a
    # Meek count the elected stay in later tallies and are shown as elected.
    data = count(
        ["A", "B", "C", "D"],
        [(["A", "B"], 7), (["C"], 3), (["D"], 2), (["B"], 1)],
        Rules(method="meek", seats=2),
    ).as_dict()
    root = parse(rounds_chart(data))
    later = groups(root, "round")[1]
    a_row = next(g for g in groups(later, "candidate") if "A" in texts(g))
    assert "elected" in a_row.get("class").split()
    assert any(t.endswith("(elected)") for t in texts(a_row))


def test_lost_votes_row_when_truncation_loses_some():
    root = parse(rounds_chart(food(decimals=0)))
    rounds = groups(root, "round")
    assert all(len(rects(g, "lost")) == 1 for g in rounds)
    assert "Lost to rounding" in texts(rounds[-1])


def test_hostile_names_come_out_inert():
    names = [*FOOD[:4], HOSTILE]
    svg = rounds_chart(food(names), title=HOSTILE)
    assert "<script" not in svg
    # Inside tags the quote is escaped; "onload" only ever appears as text.
    assert all('onload="' not in tag for tag in re.findall(r"<[^>]*>", svg))
    assert "onload=&quot;x" in svg
    root = parse(svg)
    assert_inert(root)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert root.get("aria-label").startswith(HOSTILE + ". 5 rounds.")
    # The full name in each row's tooltip, shortened on the bar's label, and text only.
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{HOSTILE}: 1" in tooltips
    assert "<script>alert(1)</scrip…" in texts(root)


def test_characters_xml_cannot_hold_are_replaced():
    names = ["A\x00\x01B", "C\ud800", "D\ufffe", "C\udfff"]
    data = count(names, [([names[0]], 2), ([names[1]], 1)]).as_dict()
    root = parse(rounds_chart(data, title="T\x0b"))
    # Two names that read the same once cleaned still have a bar each.
    assert len(rects(groups(root, "round")[0], "bar")) == 4
    assert root.find(f"{SVG}title").text == "T\ufffd"
    labels = texts(root)
    assert "A\ufffd\ufffdB" in labels
    assert "C\ufffd" in labels
    assert "D\ufffd" in labels


def test_json_text_and_dictionary_give_the_same_bytes():
    data = food()
    svg = rounds_chart(data)
    assert rounds_chart(json.dumps(data)) == svg
    assert rounds_chart(food()) == svg


def test_a_whole_vote_result_is_drawn_from_its_count():
    data = food()
    wrapped = {"schema": "deliberate.vote-result/1", "method": "stv", "count": data}
    assert rounds_chart(wrapped) == rounds_chart(data)
    yes_no = count_majority(3, 1, roll=5).as_dict()
    assert majority_chart({"method": "majority", "count": yes_no}) == majority_chart(yes_no)


def test_no_rounds():
    root = parse(rounds_chart(count([], []).as_dict()))
    assert not groups(root, "round")
    assert "No rounds to show." in texts(root)


@pytest.mark.parametrize(
    "data",
    [
        {},
        "not json",
        "[1, 2]",
        {"rounds": "x"},
        {"rounds": [{"tally": 3}]},
        {"rounds": [{"tally": {"A": "x"}}]},
    ],
)
def test_not_a_count(data):
    with pytest.raises(ChartError):
        rounds_chart(data)


# --- yes/no votes ----------------------------------------------------------------------------


def test_majority_chart_structure():
    result = count_majority(
        15, 10, 5, roll=40, participation=32, rules=MajorityRules("two_thirds", quorum=F(1, 2))
    )
    root = parse(majority_chart(result.as_dict(), title="Amendment 3"))
    assert_inert(root)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Amendment 3: 15 yes, 10 no, 5 abstain. Not adopted."
    assert root.find(f"{SVG}desc").text == (
        f"{result.explanation} Participation: 32 of 40; quorum 20, met."
    )
    bars = rects(root, "bar")
    assert [g.get("class") for g in root.iter(f"{SVG}g")] == ["yes", "no", "abstain", "blank"]
    # Scale: the base of 25 yes and no spans 320; two-thirds of it is 50/3.
    assert [b.get("width") for b in bars] == ["192", "128", "64", "25.6"]
    (line,) = root.iter(f"{SVG}line")
    assert line.get("x1") == "389.33"  # 176 + 320 × (50/3) / 25
    assert "at least 16 2/3: 17 yes needed" in texts(root)
    assert "Not adopted." in texts(root)


def test_majority_chart_quorum_and_absolute():
    short = count_majority(3, 0, roll=10, rules=MajorityRules(quorum=F(1, 2)))
    root = parse(majority_chart(short.to_json()))
    assert root.find(f"{SVG}title").text == "Vote"
    assert "Not adopted: quorum not met." in texts(root)
    assert "Participation: 3 of 10; quorum 5, not met." in texts(root)
    assert len(rects(root, "bar")) == 3

    absolute = count_majority(21, 4, roll=40, rules=MajorityRules("absolute"))
    root = parse(majority_chart(absolute.as_dict()))
    (line,) = root.iter(f"{SVG}line")
    assert line.get("x1") == "336"  # half of the roll of 40
    assert "more than 20: 21 yes needed" in texts(root)
    assert "Participation: 25 of 40 (no quorum)." in texts(root)
    assert "Adopted." in texts(root)


def test_majority_chart_escapes_its_title():
    result = count_majority(1, 0, roll=1).as_dict()
    svg = majority_chart(result, title=HOSTILE)
    assert "<script" not in svg
    root = parse(svg)
    assert_inert(root)
    assert root.find(f"{SVG}title").text == HOSTILE


@pytest.mark.parametrize(
    "data",
    [{}, "{", {"kind": "consensus", "counts": {}}, {"counts": {"yes": 1, "no": 0}}],
)
def test_not_a_majority_result(data):
    with pytest.raises(ChartError):
        majority_chart(data)


# --- properties ------------------------------------------------------------------------------

NAME = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(NAME, min_size=2, max_size=5, unique=True),
    st.lists(st.tuples(st.permutations(range(5)), st.integers(1, 9)), min_size=1, max_size=8),
    st.integers(1, 3),
)
def test_any_names_any_count_gives_a_well_formed_chart(names, raw, seats):
    ballots = [([names[i] for i in order if i < len(names)], n) for order, n in raw]
    method = "irv" if seats == 1 else "stv"
    data = count(names, ballots, Rules(method=method, seats=seats)).as_dict()
    svg = rounds_chart(data, title=names[0])
    assert svg == rounds_chart(data, title=names[0])
    root = parse(svg)
    assert_inert(root)
    rounds = groups(root, "round")
    assert [len(rects(g, "bar")) for g in rounds] == [len(r["tally"]) for r in data["rounds"]]
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert all(0 <= w <= 320 for w in widths)


# --- the narrow layout, for a phone ----------------------------------------------------------


@pytest.mark.parametrize("draw", ["rounds", "majority"])
def test_the_narrow_layout_fits_a_phone_at_body_size(draw):
    long_name = "Strawberries with cream and a very long name " + HOSTILE
    if draw == "rounds":
        svg = rounds_chart(food(candidates=[*FOOD[:4], long_name]), title="Food", narrow=True)
    else:
        data = count_majority(7, 3, 1, roll=12, participation=11, rules=MajorityRules()).as_dict()
        svg = majority_chart(data, title=HOSTILE, narrow=True)
    root = parse(svg)
    assert_inert(root)
    assert root.get("width") == "320"
    assert root.get("viewBox") == f"0 0 320 {root.get('height')}"
    assert root.get("font-size") == "16"
    for text in root.iter(f"{SVG}text"):
        # At least the body's size; short enough for 320 units at about 0.6 em a character.
        size = int(text.get("font-size", "16"))
        assert size >= 16
        assert len(text.text or "") * size * 0.6 <= 320, text.text
    assert "<script>" not in svg


def test_the_narrow_rounds_say_what_the_wide_rounds_say():
    wide = parse(rounds_chart(food(), title="Food"))
    narrow = parse(rounds_chart(food(), title="Food", narrow=True))
    assert narrow.get("aria-label") == wide.get("aria-label")
    assert narrow[1].text == wide[1].text  # the same description, round by round
    assert len(groups(narrow, "round")) == len(groups(wide, "round")) == 5
    assert len(rects(narrow, "bar")) == len(rects(wide, "bar"))
