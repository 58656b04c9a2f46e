"""Hostile input to every form and file import: a clear 4xx or a validation error, never a
500, and nothing stored when refused."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.markup import render_markdown
from deliberate.voting.counting.formats import FormatError, parse_blt, parse_csv
from deliberate.voting.tally import tally_command
from tests.security.conftest import client_as, world_case
from tests.security.hostile import (
    hostile_email,
    hostile_file,
    hostile_int,
    hostile_moment,
    hostile_text,
)
from tests.security.snapshot import DatabaseWatch, database_snapshot

FORMS: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    Path(__file__).with_name("hostile_forms.yaml").read_text()
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REFUSALS_WITHOUT_PAGE = {302, 405, 413, 429}
json_any = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)

CASES = [
    pytest.param(endpoint, index, id=f"{endpoint}[{index}]")
    for endpoint, entries in FORMS.items()
    for index, _entry in enumerate(entries)
]


def field_strategy(kind: str, entry: dict[str, Any], world_ids: list[str]) -> st.SearchStrategy:
    return {
        "text": hostile_text,
        "line": hostile_text,
        "password": hostile_text,
        "email": hostile_email,
        "int": hostile_int,
        "moment": hostile_moment,
        "choice": st.one_of(st.sampled_from(entry.get("choices") or [""]), hostile_text),
        "multi": st.lists(st.one_of(st.sampled_from(world_ids), hostile_int), max_size=4),
        "file": hostile_file.map(lambda content: (io.BytesIO(content), "hostile.csv")),
        # JSON values (API entries): numbers of any size, booleans, lists of labels, and
        # anything else JSON carries where they are expected.
        "number": st.one_of(
            st.integers(-(2**70), 2**70), st.sampled_from([int(i) for i in world_ids]), json_any
        ),
        "flag": st.one_of(st.booleans(), json_any),
        "labels": st.one_of(
            st.lists(st.one_of(st.sampled_from(entry.get("choices") or [""]), hostile_text)),
            json_any,
        ),
    }[kind]


def assert_refusal_is_clean(response, before: DatabaseWatch | dict[str, str]) -> None:
    """No 500; a refusal changed nothing (`before`: the watch of the request, or a
    `database_snapshot()` taken before it) and says why, unless it has no page."""
    assert response.status_code < 500, response.get_data(as_text=True)[:1000]
    if response.status_code >= 400 or response.status_code == 302:
        if isinstance(before, DatabaseWatch):
            assert before.unchanged(), f"a refused request changed {before.changed_tables}"
        else:
            assert database_snapshot() == before, "a refused request changed data"
    if response.content_type == "application/problem+json":
        assert response.get_json()["detail"], "no message for the refusal"
    elif response.status_code >= 400 and response.status_code not in REFUSALS_WITHOUT_PAGE:
        page = response.get_data(as_text=True)
        assert 'class="error' in page or "error-message" in page, "no message for the refusal"


def test_every_post_route_is_fuzzed(app):
    missing = sorted(
        f"POST {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and rule.endpoint not in FORMS
    )
    assert not missing, "POST routes missing from hostile_forms.yaml:\n" + "\n".join(missing)


@pytest.mark.sweep
@pytest.mark.parametrize(("endpoint", "index"), CASES)
def test_hostile_form_input(app, built, endpoint, index):
    entry = FORMS[endpoint][index]
    url = entry["url"].format(**built.values)
    world_ids = [v for v in built.values.values() if v.isdigit()] or ["1"]
    fields = entry.get("fields") or {}
    form = st.fixed_dictionaries(
        {
            name.format(**built.values): field_strategy(kind, entry, world_ids)
            for name, kind in fields.items()
        },
        optional={"unexpected_field": hostile_text},
    )
    with world_case(built, entry.get("state")):
        client = client_as(app, built, entry["as"])
        # An API entry: a JSON body of hostile values, sent with the role's token.
        token = entry.get("token") and {
            "Authorization": f"Bearer {built.values[entry['as'] + '_secret']}"
        }

        @FUZZ
        @given(data=form)
        def fuzz(data: dict[str, Any]) -> None:
            with DatabaseWatch(built.connection) as watch:
                if token:
                    response = app.test_client().post(url, json=data, headers=token)
                else:
                    response = client.post(url, data=data, content_type="multipart/form-data")
                assert_refusal_is_clean(response, watch)

        fuzz()


@pytest.mark.sweep
@pytest.mark.parametrize(("endpoint", "index"), CASES)
def test_invalid_utf8_and_nul_bytes(app, built, endpoint, index):
    entry = FORMS[endpoint][index]
    url = entry["url"].format(**built.values)
    names = list(entry.get("fields") or {"x": "text"})
    with world_case(built, entry.get("state")):
        client = client_as(app, built, entry["as"])
        for body in (
            "&".join(f"{name}=%FF%FE%00%C0%AF" for name in names).encode(),
            b"&".join(name.encode() + b"=\xff\xfe\x00\xc3" for name in names),
            b"\x00" * 100,
        ):
            with DatabaseWatch(built.connection) as watch:
                response = client.post(
                    url, data=body, content_type="application/x-www-form-urlencoded"
                )
                assert_refusal_is_clean(response, watch)


@pytest.mark.sweep
def test_oversized_bodies_get_413_everywhere(app, built):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    with world_case(built):
        client = client_as(app, built, "admin")
        for endpoint, entries in FORMS.items():
            with DatabaseWatch(built.connection) as watch:
                response = client.post(
                    entries[0]["url"].format(**built.values),
                    data=big,
                    content_type="application/x-www-form-urlencoded",
                )
                assert response.status_code == 413, endpoint
                assert watch.unchanged(), watch.changed_tables


@FUZZ
@given(text=hostile_text)
def test_markdown_rendering_survives_anything(text):
    html = render_markdown(text)
    assert render_markdown(text) == html
    assert "<script" not in html.lower()


@FUZZ
@given(text=st.one_of(hostile_text, hostile_file.map(lambda b: b.decode("utf-8", "replace"))))
def test_ballot_files_parse_or_fail_with_a_line_number(text):
    for parse in (parse_blt, parse_csv):
        try:
            parse(text)
        except FormatError as error:  # the only exception allowed, and it gives a reason
            reason = error.reason
            assert reason


@settings(max_examples=15, deadline=None)
@given(content=hostile_file)
def test_tally_command_exits_cleanly_on_hostile_files(tmp_path_factory, content):
    from click.testing import CliRunner

    path = tmp_path_factory.mktemp("tally") / "ballots.blt"
    path.write_bytes(content)
    result = CliRunner().invoke(tally_command, [str(path)])
    assert result.exit_code in (0, 2), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


HOSTILE_BALLOTS = [
    ("ranked_vote", {"rank_1": "1", "rank_2": "7" * 5000}, "whole number"),
    ("ranked_vote", {"rank_1": "1", "rank_2": "\u00b2"}, "whole number"),  # superscript two
    ("ranked_vote", {"rank_1": "\u2460"}, "whole number"),  # circled one
    ("consensus_vote", {"position": "agree", "reason": "fine\x00by me"}, "Control characters"),
    ("consensus_vote", {"position": "block", "reason": "\x1b[2J no"}, "Control characters"),
]


@pytest.mark.parametrize(("vote", "fields", "message"), HOSTILE_BALLOTS)
@pytest.mark.parametrize("confirm", ["", "1"])
def test_hostile_ballots_get_the_form_back_with_a_message(
    app, built, vote, fields, message, confirm
):
    """Ranks that `str.isdigit` takes but `int` does not, and reasons with control
    characters: the ballot form again with the member's input, a message, nothing stored."""
    url = f"/votes/{built.values[vote]}/cast"
    with world_case(built):
        client = client_as(app, built, "member")
        with DatabaseWatch(built.connection) as watch:
            response = client.post(url, data={**fields, "confirm": confirm})
            assert_refusal_is_clean(response, watch)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in page
        assert 'class="ballot-form"' in page


HUGE_COUNTS = ["9" * 31, str(10**18)]
MEETING = {
    "title": "At the assembly",
    "method": "majority",
    "threshold": "simple",
    "quorum_percent": "0",
    "held_at": "2026-01-10T18:00",
    "present": "60",
    "yes": "41",
    "no": "12",
    "abstain": "3",
}


@pytest.mark.parametrize("count", HUGE_COUNTS)
@pytest.mark.parametrize("field", ["present", "yes", "no", "abstain"])
def test_a_meeting_count_beyond_any_roll_gets_the_form_back(app, built, field, count):
    with world_case(built):
        client = client_as(app, built, "convener")
        with DatabaseWatch(built.connection) as watch:
            response = client.post("/votes/record", data={**MEETING, field: count})
            assert_refusal_is_clean(response, watch)
        assert response.status_code == 400
        assert "A count is a whole number from" in response.get_data(as_text=True)


@pytest.mark.parametrize("count", HUGE_COUNTS)
def test_a_paper_weight_beyond_any_roll_gets_the_form_back(app, built, count):
    blt = f'2 1\n{count} 1 2 0\n0\n"Ana"\n"Ben"\n"Chair"\n'.encode()
    with world_case(built):
        client = client_as(app, built, "convener")
        with DatabaseWatch(built.connection) as watch:
            response = client.post(
                f"/votes/{built.values['ranked_vote']}/import",
                data={
                    "ballot_file": (io.BytesIO(blt), "paper.blt"),
                    "register": built.values["paper_register"],
                },
            )
            assert_refusal_is_clean(response, watch)
        assert response.status_code == 400
        assert "A file holds at most 200000 ballots." in response.get_data(as_text=True)
        with DatabaseWatch(built.connection) as watch:
            response = client.post(
                "/votes/record",
                data={
                    **MEETING,
                    "method": "irv",
                    "options": "Ana\nBen",
                    "ballot_file": (io.BytesIO(blt), "count.blt"),
                },
            )
            assert_refusal_is_clean(response, watch)
        assert response.status_code == 400
        assert "A file holds at most 200000 ballots." in response.get_data(as_text=True)


def test_every_field_of_the_vote_form_is_fuzzed(app):
    """The vote form grows with each setting; each one is fuzzed, so a new one fails here
    until it is listed in hostile_forms.yaml."""
    from deliberate.voting.forms import VoteForm

    with app.test_request_context():
        fields = set(VoteForm(meta={"csrf": False})._fields)
    listed = set(FORMS["votes.create"][0]["fields"])
    assert fields - listed == set()
