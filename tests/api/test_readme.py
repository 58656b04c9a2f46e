"""The README's API examples, run as written against the app served by gunicorn on
127.0.0.1: curl publishing a closed vote's results (then asking again with its ETag), and the
httpx script that keeps the membership in step with a CSV export."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from deliberate.accounts.models import Invitation, Member, MemberRole, MemberStatus
from deliberate.api.services import create_token
from deliberate.database import utcnow
from deliberate.extensions import db
from deliberate.tendencies.queries import current_membership
from deliberate.voting import services as voting
from deliberate.voting.models import Vote
from deliberate.voting.rules import Settings
from tests.browser.conftest import PROJECT_ROOT, live_server
from tests.factories import make_member, make_tendency

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def example(name: str, language: str) -> str:
    """The code block the README marks `<!-- example: name -->`."""
    found = re.search(
        rf"<!-- example: {name} -->\n```{language}\n(.*?)\n```", README, flags=re.DOTALL
    )
    assert found, f"the README has no {language} example {name}"
    return found.group(1) + "\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    made: dict[str, Any] = {}

    def populate() -> None:
        admin = make_member("Ada Admin", role=MemberRole.ADMIN, email="ada@example.org")
        east, west = make_tendency("East"), make_tendency("West")
        make_member("Lena Lister", email="lena@example.org", tendency=east, coordinator=True)
        make_member("Mo Mover", email="mo@example.org", tendency=east)
        make_member("Gus Gone", email="gus@example.org")
        make_member("Sue Back", email="sue@example.org", status=MemberStatus.SUSPENDED)
        make_member("Wes West", email="wes@example.org", tendency=west, coordinator=True)
        vote = voting.create_vote(
            admin,
            title="Choose the campaign",
            settings=Settings(method="irv"),
            options=[voting.OptionSpec(name) for name in ("Rent", "Transit", "Parks")],
        )
        for voter, ranking in ((admin, ["Transit", "Rent"]),):
            voting.cast_ballot(voter, vote, {"ranking": ranking})
        voting.close_vote(admin, vote)
        made["vote"] = vote.id
        made["read"] = create_token(admin, "website", ["read"], 30, now=utcnow())[1]
        made["admin"] = create_token(admin, "sync", ["read", "admin"], 30, now=utcnow())[1]

    with live_server(tmp_path_factory.mktemp("readme"), "readme", populate) as server:
        made["server"] = server
        yield made


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (the README's own examples, against our own server)
        command,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_curl_publishes_a_closed_votes_results_and_asks_again_with_its_etag(served, tmp_path):
    server = served["server"]
    env = {"DELIBERATE_URL": server.url, "DELIBERATE_TOKEN": served["read"]}
    env["VOTE_ID"] = str(served["vote"])
    script = example("publish-results", "sh")
    first = _run(["bash", "-c", script], tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "200"
    published = json.loads((tmp_path / "results.json").read_text())
    with server.app.app_context():
        stored = json.loads(db.session.get_one(Vote, served["vote"]).result_json)
    assert published["result"] == stored
    again = _run(["bash", "-c", script], tmp_path, **env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "304"
    assert json.loads((tmp_path / "results.json").read_text()) == published


def test_the_httpx_script_syncs_the_members_from_a_csv(served, tmp_path):
    server = served["server"]
    (tmp_path / "members.csv").write_text(
        "name,email,tendency\n"
        "Lena Lister,lena@example.org,East\n"
        "Mo Mover,MO@example.org,West\n"
        "Sue Back,sue@example.org,\n"
        "Wes West,wes@example.org,West\n"
        "Nia New,nia@example.org,East\n",
        encoding="utf-8",
    )
    (tmp_path / "sync.py").write_text(example("sync-members", "python"), encoding="utf-8")
    env = {"DELIBERATE_URL": server.url, "DELIBERATE_TOKEN": served["admin"]}
    done = _run([sys.executable, "sync.py"], tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(done.stdout.splitlines()) == [
        "invited nia@example.org",
        "moved mo@example.org to West",
        "reactivated sue@example.org",
        "suspended gus@example.org",
    ]
    with server.app.app_context():
        people = {m.email: m for m in db.session.scalars(select(Member))}
        assert people["gus@example.org"].status == MemberStatus.SUSPENDED
        assert people["sue@example.org"].status == MemberStatus.ACTIVE
        assert people["ada@example.org"].status == MemberStatus.ACTIVE  # the token's own
        assert current_membership(people["mo@example.org"]).tendency.name == "West"
        invited = db.session.scalars(select(Invitation.email)).all()
        assert invited == ["nia@example.org"]
        db.session.remove()
    # A second run finds nothing to do.
    again = _run([sys.executable, "sync.py"], tmp_path, **env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == ""
