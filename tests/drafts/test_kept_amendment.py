"""An amendment's page reads its stamps (its thread's too) in one statement and its support
counts once per change (deliberate/fragments.py): a second reader is served them without
reading them again, and every change to what the page shows appears on the next read."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import rename_member
from deliberate.drafts import services as drafts
from deliberate.drafts.models import Amendment
from deliberate.extensions import db
from deliberate.subjects import resolve
from tests.conftest import login, page_queries
from tests.debate.factories import make_comment
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency


@pytest.fixture
def scene(session):
    caucus = make_tendency("Rank-and-File Caucus")
    convener = make_member("Kwame", role=MemberRole.CONVENER)
    rosa = make_member("Rosa Keller", tendency=caucus)
    draft = make_draft(convener, paragraphs=3)
    amendment = drafts.propose_amendment(
        rosa,
        draft,
        version_number=1,
        kind="replace",
        first=2,
        last=2,
        new_text="Each branch meets every fortnight.",
        title="Every fortnight",
        rationale="Monthly is too rare.",
    )
    make_comment(resolve("amendment", amendment.id), rosa, "Fortnightly keeps us busy.")
    readers = [make_member(f"Delegate {n}", tendency=caucus) for n in range(3)]
    db.session.commit()
    return {"draft": draft, "amendment": amendment, "rosa": rosa, "readers": readers}


def url(scene) -> str:
    return f"/drafts/{scene['draft'].id}/amendments/{scene['amendment'].number}"


def amendment_page(client, scene, reader) -> str:
    login(client, reader)
    response = client.get(url(scene))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_second_reader_reads_neither_the_counts_nor_the_thread_again(client, scene):
    first, second = scene["readers"][:2]
    login(client, first)
    cold = page_queries(client, url(scene))
    login(client, second)
    warm = page_queries(client, url(scene))

    def counts(q: str) -> bool:  # the support counts (not the viewer's own part)
        return "FROM amendment_seconds" in q and "amendment_seconds.member_id" not in q

    def comments(q: str) -> bool:  # the thread (not the navigation's count of what waits)
        return "comments.body_html" in q

    for reads in (counts, comments):
        assert any(reads(q) for q in cold), reads
        assert not any(reads(q) for q in warm), "\n\n".join(warm)
    # One statement reads every stamp of the page, the amendment's thread's with them.
    stamps = [q for q in warm if "FROM stamps" in q]
    assert len(stamps) == 1, stamps
    page = amendment_page(client, scene, scene["readers"][2])
    assert "Fortnightly keeps us busy." in page


@pytest.mark.parametrize(
    "change", ["second", "own second", "comment", "rename", "withdraw", "bulk"]
)
def test_every_change_to_an_amendment_shows_on_the_next_read(client, scene, change):
    reader, other = scene["readers"][:2]
    before = amendment_page(client, scene, reader)  # renders and keeps what it may
    amendment = scene["amendment"]
    if change == "second":
        drafts.second_amendment(other, amendment)
        expected = "Seconders <small>1 ("
    elif change == "own second":  # the reader's own part, beside the kept counts
        drafts.second_amendment(reader, amendment)
        expected = "You seconded it."
    elif change == "comment":  # the thread's stamp, read through the amendment's number
        make_comment(resolve("amendment", amendment.id), other, "Monthly was enough.")
        expected = "Monthly was enough."
    elif change == "rename":
        rename_member(scene["rosa"], "Rosa K. Lindqvist")
        expected = "Rosa K. Lindqvist"
    elif change == "withdraw":
        drafts.withdraw_amendment(scene["rosa"], amendment, "The branches disagree.")
        expected = "The branches disagree."
    else:  # a bulk statement names no row: it draws every stamp afresh
        db.session.execute(
            update(Amendment).where(Amendment.id == amendment.id).values(title="Twice a month")
        )
        expected = "Twice a month"
    db.session.commit()
    assert expected not in before
    assert expected in amendment_page(client, scene, reader)


def test_a_missing_amendment_or_draft_is_not_found(client, scene):
    login(client, scene["readers"][0])
    missing = client.get(f"/drafts/{scene['draft'].id}/amendments/99")
    assert missing.status_code == 404
    assert "This draft has no amendment A99." in missing.get_data(as_text=True)
    no_draft = client.get("/drafts/9999/amendments/1")
    assert no_draft.status_code == 404
    assert "That draft does not exist." in no_draft.get_data(as_text=True)
