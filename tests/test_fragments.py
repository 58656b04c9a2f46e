"""Parts of pages kept between requests (deliberate/fragments.py): a second reader is served
what the first one's request rendered, and every change shows on the next read."""

from __future__ import annotations

import re
from functools import partial

import pytest
from flask import g
from markupsafe import Markup
from sqlalchemy import select, update

from deliberate import fragments
from deliberate.accounts.models import MemberRole
from deliberate.accounts.services import rename_member
from deliberate.debate import services as debate
from deliberate.debate.models import thread_stamp
from deliberate.drafts import services as drafts
from deliberate.drafts.models import Amendment, stamp_of
from deliberate.extensions import db
from deliberate.fragments import EVERYTHING, PEOPLE
from deliberate.main.needs import COUNT_LABEL
from deliberate.stamps import NEEDS, Stamp
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
    make_comment(resolve("draft", draft.id), rosa, "The second paragraph is weak.", paragraph=2)
    readers = [make_member(f"Delegate {n}", tendency=caucus) for n in range(3)]
    db.session.commit()
    return {
        "draft": draft,
        "amendment": amendment,
        "rosa": rosa,
        "convener": convener,
        "readers": readers,
    }


def draft_page(client, scene, reader) -> str:
    login(client, reader)
    response = client.get(f"/drafts/{scene['draft'].id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_second_reader_is_served_the_parts_the_first_one_rendered(client, scene):
    first, second = scene["readers"][:2]
    login(client, first)
    cold = page_queries(client, f"/drafts/{scene['draft'].id}")
    login(client, second)
    warm = page_queries(client, f"/drafts/{scene['draft'].id}")
    # The text, amendments, thread and papers are not read again: only what is live.
    assert len(warm) <= len(cold) - 8, "\n\n".join(warm)
    # (The navigation's count of what waits for the reader reads amendments of their own.)
    assert not any(
        "FROM amendments" in q and "draft_id" in q and COUNT_LABEL not in q for q in warm
    ), warm
    page = draft_page(client, scene, second)
    assert "Every fortnight" in page
    assert "The second paragraph is weak." in page


@pytest.mark.parametrize("change", ["comment", "second", "rename", "withdraw", "bulk"])
def test_every_change_shows_on_the_next_read(client, scene, change):
    reader, other = scene["readers"][:2]
    draft_page(client, scene, reader)  # renders and keeps the parts
    amendment = scene["amendment"]
    if change == "comment":
        make_comment(resolve("draft", scene["draft"].id), other, "Fortnightly is right.")
        expected = "Fortnightly is right."
    elif change == "second":
        drafts.second_amendment(other, amendment)
        expected = f"1/{scene['draft'].seconds_required} seconders"
    elif change == "rename":
        rename_member(scene["rosa"], "Rosa K. Lindqvist")
        expected = "Rosa K. Lindqvist"
    elif change == "withdraw":
        drafts.withdraw_amendment(scene["rosa"], amendment, "The branches disagree.")
        expected = "Withdrawn"
    else:  # a bulk statement names no row: it draws every stamp afresh
        db.session.execute(
            update(Amendment).where(Amendment.id == amendment.id).values(title="Twice a month")
        )
        expected = "Twice a month"
    db.session.commit()
    page = draft_page(client, scene, reader)
    assert expected in page


def test_a_members_own_comments_are_rendered_for_them_alone(client, scene):
    reader = scene["readers"][0]
    subject = resolve("draft", scene["draft"].id)
    mine = make_comment(subject, reader, "My own remark.")
    db.session.commit()
    edit = f"/comments/{mine.id}/edit"
    for viewer, sees_edit in [(scene["readers"][1], False), (reader, True)] * 2:
        page = draft_page(client, scene, viewer)
        assert "My own remark." in page
        assert (edit in page) is sees_edit, viewer.display_name


def test_a_hidden_comment_shows_to_moderators_and_its_author_only(client, scene, csrf_enabled):
    subject = resolve("draft", scene["draft"].id)
    author, reader = scene["readers"][:2]
    comment = make_comment(subject, author, "Something out of order.")
    db.session.commit()
    debate.hide_comment(scene["convener"], comment, "Off topic.")
    db.session.commit()
    for _ in range(2):  # the second round is served what the first rendered
        assert "Something out of order." not in draft_page(client, scene, reader)
        assert "Something out of order." in draft_page(client, scene, author)
        moderated = draft_page(client, scene, scene["convener"])
        assert "Something out of order." in moderated
    # The moderator's kept part carries the moderator's own CSRF token, which works.
    form = re.search(
        rf'action="/comments/{comment.id}/unhide".*?name="csrf_token" value="([^"]+)"',
        moderated,
    )
    assert form is not None
    assert fragments.CSRF_PLACEHOLDER not in moderated
    response = client.post(f"/comments/{comment.id}/unhide", data={"csrf_token": form.group(1)})
    assert response.status_code == 303
    db.session.commit()
    assert "Something out of order." in draft_page(client, scene, reader)


def test_a_commit_draws_a_fresh_random_token(session, scene):
    key = stamp_of(scene["draft"].id)
    before = db.session.scalar(select(Stamp.token).where(Stamp.key == key))
    assert before  # the draft's creation drew it
    drafts.second_amendment(scene["readers"][0], scene["amendment"])
    db.session.commit()
    after = db.session.scalar(select(Stamp.token).where(Stamp.key == key))
    assert after not in (before, before + 1)
    assert db.session.scalar(select(Stamp.token).where(Stamp.key == EVERYTHING)) is None


def test_a_login_draws_no_stamp_but_a_new_name_does(session, scene):
    member = scene["readers"][0]
    people = db.session.scalar(select(Stamp.token).where(Stamp.key == PEOPLE))
    member.session_token = "another"
    db.session.commit()
    assert db.session.scalar(select(Stamp.token).where(Stamp.key == PEOPLE)) == people
    rename_member(member, "Someone else")
    db.session.commit()
    assert db.session.scalar(select(Stamp.token).where(Stamp.key == PEOPLE)) != people


def test_a_part_holding_a_real_csrf_token_is_refused(app, session):
    stamps = fragments.Tokens((("x", 1),))
    leaking = fragments.Part((Markup('<input name="csrf_token" value="secret-of-one">'),))
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="real CSRF token"):
        fragments.part("leak", stamps, None, lambda: leaking)


def test_a_page_that_forgot_a_stamp_is_a_mistake(app, session):
    with app.test_request_context("/"), pytest.raises(ValueError, match="did not read"):
        fragments.tokens("a").covering("a", "b")


def test_stamps_of_rows_known_by_another_name_are_read_with_the_others(session, scene):
    """One statement reads an amendment's thread's stamp by its draft and number, with the
    stamps named outright, and reads the same tokens as `tokens` would."""
    amendment, draft = scene["amendment"], scene["draft"]
    make_comment(resolve("amendment", amendment.id), scene["rosa"], "Fortnightly it is.")
    db.session.commit()
    thread = partial(thread_stamp, "amendment")

    def number(n: int):
        return (
            select(Amendment.id)
            .where(Amendment.draft_id == draft.id, Amendment.number == n)
            .scalar_subquery()
        )

    found, ids = fragments.tokens_and_ids([stamp_of(draft.id), PEOPLE], [(thread, number(1))])
    assert ids == (amendment.id,)
    assert found == fragments.tokens(stamp_of(draft.id), PEOPLE, thread(amendment.id))
    assert dict(found.values)[thread(amendment.id)] != 0  # the comment drew it
    missing, ids = fragments.tokens_and_ids([PEOPLE], [(thread, number(99))])
    assert ids == (None,)
    assert missing == fragments.tokens(PEOPLE)
    with pytest.raises(ValueError, match="prefix"):
        fragments.tokens_and_ids([PEOPLE], [(lambda n: f"{n}:thread", number(1))])


def test_the_kept_convener_panel_carries_each_conveners_own_token(app, scene, csrf_enabled):
    other_convener = make_member("Ines", role=MemberRole.CONVENER)
    db.session.commit()
    url = f"/drafts/{scene['draft'].id}/window/close"
    tokens = []
    for convener in (scene["convener"], other_convener):
        client = app.test_client()  # a browser of their own
        g.pop("csrf_token", None)  # the tests' app context outlives requests; a server's not
        page = draft_page(client, scene, convener)
        found = re.search(rf'action="{url}".*?name="csrf_token" value="([^"]+)"', page, re.S)
        assert found is not None
        tokens.append(found.group(1))
    assert tokens[0] != tokens[1]
    assert fragments.CSRF_PLACEHOLDER not in page
    response = client.post(url, data={"csrf_token": tokens[1]})
    assert response.status_code == 303


def test_readers_in_two_time_zones_are_each_served_their_own_times(client, scene):
    paris, new_york = scene["readers"][:2]
    paris.time_zone = "Europe/Paris"
    new_york.time_zone = "America/New_York"
    db.session.commit()
    first = draft_page(client, scene, paris)
    second = draft_page(client, scene, new_york)
    assert re.search(r"\d\d:\d\d\xa0CES?T", first)
    assert re.search(r"\d\d:\d\d\xa0E[SD]T", second)
    assert not re.search(r"\d\d:\d\d\xa0CES?T", second)


def test_a_rolled_back_savepoint_undoes_only_what_it_touched(session):
    from deliberate.fragments import PENDING, SAVEPOINTS
    from tests.factories import make_tendency

    session.flush()
    session.info[PENDING] = {"touched before"}
    session.info.pop(SAVEPOINTS, None)

    def refused() -> None:
        with session.begin_nested():
            make_tendency("Undone")
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused()
    assert session.info.get(PENDING) == {"touched before"}
    with session.begin_nested():
        make_tendency("Kept")
    # Released, not committed: the stamp waits for the commit, whose locks come last.
    assert session.info.get(PENDING) == {"touched before", PEOPLE, NEEDS}
    session.info.pop(PENDING)
