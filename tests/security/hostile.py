"""Hypothesis strategies for hostile input: random and structured."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "hostile_payloads.txt").read_text().splitlines()
    if line and not line.startswith("#")
]

# Any Unicode scalar value (surrogates cannot be encoded in a request).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
structured = st.one_of(
    st.sampled_from(PAYLOADS),
    st.just(""),
    st.just("\x00"),
    st.just(" " * 50),
    st.builds(lambda n: "x" * n, st.integers(1000, 30_000)),  # very long line
    st.builds(lambda n: ">" * n + " deep", st.integers(50, 5000)),  # deep quotes
    st.builds(lambda n: "".join(f"{'  ' * i}- item\n" for i in range(n)), st.integers(50, 300)),
    st.builds(lambda n: "*" * n + "x" + "*" * n, st.integers(50, 3000)),
    st.builds(lambda n: "[" * n + "x" + "](" * n, st.integers(50, 2000)),
)
hostile_text = st.one_of(any_text, structured)
hostile_email = st.one_of(
    hostile_text,
    st.emails().map(str),
    st.builds(lambda local: f"{local}@example.org", any_text),
)
hostile_int = st.one_of(
    st.integers(-(2**70), 2**70).map(str), hostile_text, st.just("0"), st.just("-1")
)
hostile_file = st.one_of(
    st.binary(max_size=2000),
    hostile_text.map(lambda t: t.encode("utf-8")),
    st.lists(st.lists(hostile_text, max_size=5), max_size=20).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8")
    ),
)
# Dates and times as a datetime-local field sends them, and not: the hours the clocks skip or
# repeat in Europe/Paris and America/New_York (the convener of the world reads Paris time),
# impossible days, the ends of the calendar.
hostile_moment = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "2027-03-28T02:30",
            "2027-10-31T02:30",
            "2027-03-14T02:30",
            "2027-11-07T01:30",
            "2027-02-30T10:00",
            "2027-13-01T10:00",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "2027-06-01T25:00",
            "2027-06-01 10:00",
            "2027-06-01T10:00Z",
            "2027-06-01T10:00+02:00",
        ]
    ),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
)
