"""`export-archive`: every sealed record in one JSON document or one Markdown file, members'
names only when the organization's setting says so."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.decisions import exports, services
from deliberate.decisions.queries import chain_head
from deliberate.extensions import db
from tests.decisions.factories import OUTCOME, UNITY, decided_record, sealed_record, write
from tests.factories import make_member, make_tendency

# The export forgets what it has read (a batch at a time), the test's objects with it: the
# names are kept here.
NAMES = ["Hesper Tolliver", "Ambrose Quill", "Sabine Orrery"]


@pytest.fixture
def convener(session):
    return make_member("Exporting Convener", role=MemberRole.CONVENER)


@pytest.fixture
def voters(session):
    tendency = make_tendency("Pier tendency")
    return [make_member(name, tendency=tendency if i else None) for i, name in enumerate(NAMES)]


@pytest.fixture
def archive(convener, voters):
    records = [sealed_record(convener, voters) for _ in range(2)]
    services.record_commitment(voters[1], records[0], commits=True, disagreement="Too late.")
    write(convener, decided_record(convener, voters, title="Not sealed yet"))
    db.session.commit()
    return [r.id for r in records]


@pytest.fixture
def public_names(app) -> Iterator[None]:
    app.config["ARCHIVE_PUBLIC_NAMES"] = True
    try:
        yield
    finally:
        app.config["ARCHIVE_PUBLIC_NAMES"] = False


def export(app, path, form="json"):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["export-archive", "--format", form, str(path)])


def test_the_json_export_holds_every_sealed_record_without_names(app, archive, voters, tmp_path):
    dissenter = voters[1].id
    path = tmp_path / "archive.json"
    result = export(app, path)
    assert result.exit_code == 0, result.output
    assert f"Exported 2 decision records to {path} (json, without members' names)." in (
        result.output
    )
    assert not (tmp_path / "archive.json.part").exists()
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["schema"] == exports.ARCHIVE_SCHEMA
    assert document["names"] is False
    assert document["exported_at"]
    head = chain_head()
    assert head is not None
    assert document["chain_head"] == head.hash
    assert [r["id"] for r in document["records"]] == archive
    assert all(r["schema"] == exports.SCHEMA for r in document["records"])
    assert document["records"][0]["statements"]["unity_in_action"] == UNITY
    for name in NAMES:
        assert name not in text
    assert "roll_call" not in text
    # The links of the records and of the votes no sealed record carries, put together, are
    # the whole chain up to its head: here the third vote's, whose record is being written.
    [unsealed] = document["vote_links"]
    assert unsealed["kind"] == "vote"
    assert unsealed["content"]["title"] == "Not sealed yet"
    links = sorted(
        [*(link for r in document["records"] for link in r["chain"]), unsealed],
        key=lambda x: x["position"],
    )
    assert [link["position"] for link in links] == list(range(1, len(links) + 1))
    assert links[-1]["hash"] == document["chain_head"]
    # No content names a member: neither by id nor by anything an id hashes to alone.
    [entry] = [x for x in links if x["kind"] == "commitment"]
    assert entry["content"]["member"] != dissenter
    assert len(entry["content"]["member"]) == 64


def test_the_json_export_names_members_when_the_setting_says_so(
    app, archive, voters, tmp_path, public_names
):
    path = tmp_path / "archive.json"
    result = export(app, path)
    assert result.exit_code == 0, result.output
    assert "with members' names" in result.output
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["names"] is True
    [dissent] = document["records"][0]["disagreements"]
    assert dissent["member"] == NAMES[1]


def test_the_markdown_export_is_one_readable_file(app, archive, voters, tmp_path):
    path = tmp_path / "archive.md"
    result = export(app, path, "markdown")
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# The decision records of ")
    assert text.count("\n# Run the spring campaign?\n") == 2
    assert "Not sealed yet" not in text
    assert OUTCOME in text
    assert UNITY in text
    assert "Too late." in text
    for name in NAMES:
        assert name not in text


def _readme_check() -> str:
    """The auditor's script as the README gives it."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The chain, and canonical JSON") :]
    start = section.index("```python\n") + len("```python\n")
    return section[start : section.index("\n```", start)]


def test_the_readme_check_of_an_export_holds(app, archive, tmp_path):
    """The README's script, run as anyone holding an export would run it (no database, the
    standard library only), recomputes every content hash and link hash."""
    assert export(app, tmp_path / "archive.json").exit_code == 0
    script = tmp_path / "check.py"
    script.write_text(_readme_check(), encoding="utf-8")
    run = subprocess.run(  # noqa: S603 (the interpreter running the tests, on our own file)
        [sys.executable, "-I", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    exported = json.loads((tmp_path / "archive.json").read_text(encoding="utf-8"))
    # two sealed records (a vote and a seal each, one commitment) and the third vote
    assert f"6 links hold, 6 contents recomputed; head {exported['chain_head']}" in run.stdout


def test_the_readme_check_finds_a_content_changed_in_the_export(app, archive, tmp_path):
    assert export(app, tmp_path / "archive.json").exit_code == 0
    path = tmp_path / "archive.json"
    exported = json.loads(path.read_text(encoding="utf-8"))
    exported["records"][0]["chain"][0]["content"]["outcome"] = "Adopted unanimously."
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    script = tmp_path / "check.py"
    script.write_text(_readme_check(), encoding="utf-8")
    run = subprocess.run(  # noqa: S603 (the interpreter running the tests, on our own file)
        [sys.executable, "-I", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "AssertionError" in run.stderr


def test_an_empty_archive_exports_an_empty_list(app, session, tmp_path):
    path = tmp_path / "archive.json"
    result = export(app, path)
    assert result.exit_code == 0, result.output
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["records"] == []
    assert document["chain_head"] is None


def test_a_bad_format_is_refused(app, session, tmp_path):
    result = export(app, tmp_path / "archive.pdf", "pdf")
    assert result.exit_code == 2
    assert not (tmp_path / "archive.pdf").exists()
