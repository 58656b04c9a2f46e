"""`export-archive`: every sealed record in one JSON document or one Markdown file, members'
names only when the organization's setting says so."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

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
    # The links of the records, put together, are the whole chain up to its head.
    links = sorted(
        (link for r in document["records"] for link in r["chain"]), key=lambda x: x["position"]
    )
    assert [link["position"] for link in links] == list(range(1, len(links) + 1))
    assert links[-1]["hash"] == document["chain_head"]


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


def test_the_readme_check_of_an_export_holds(app, archive, tmp_path):
    """The check the README gives anyone holding an export, without the database."""
    path = tmp_path / "archive.json"
    assert export(app, path).exit_code == 0
    exported = json.loads(path.read_text(encoding="utf-8"))
    links = sorted(
        (x for r in exported["records"] for x in r["chain"]), key=lambda x: x["position"]
    )
    previous = "0" * 64
    for number, link in enumerate(links, start=1):
        text = f"deliberate-chain/1\n{number}\n{link['kind']}\n{previous}\n{link['content_hash']}"
        assert link["position"] == number
        assert link["previous_hash"] == previous
        assert hashlib.sha256(text.encode("ascii")).hexdigest() == link["hash"]
        previous = link["hash"]
    assert previous == exported["chain_head"]
    assert len(links) == 3


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
