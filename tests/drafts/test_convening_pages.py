"""What a convener sees before acting: the merge's result shown for confirmation, the convener
actions at the top of the draft, and the draft's own conveners each with a named button."""

from __future__ import annotations

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.drafts import services
from tests.drafts.factories import make_draft, propose
from tests.factories import make_member


@pytest.fixture
def chair():
    return make_member("Chair Person", role=MemberRole.CONVENER)


def accepted(chair, draft, **change):
    amendment = propose(make_member(), draft, **change)
    services.accept_amendment(chair, amendment, merge=False)
    return amendment


def test_the_merge_preview_shows_the_text_it_will_make_and_merges_nothing(
    client, login_as, session, chair
):
    draft = make_draft(chair)
    accepted(chair, draft, first=1, last=1, new_text="A sharper opening paragraph.")
    accepted(chair, draft, kind="delete", first=4, last=4)
    login_as(chair)
    response = client.get(f"/drafts/{draft.id}/merge/preview?amendments=1&amendments=2")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Merge into version 2?" in body
    assert "<ins>" in body
    assert "sharper" in body
    assert "deleted" in body
    assert f'action="/drafts/{draft.id}/merge"' in body
    session.refresh(draft)
    assert draft.current_version_number == 1


def test_the_merge_preview_names_what_cannot_be_merged(client, login_as, chair):
    draft = make_draft(chair)
    propose(make_member(), draft, first=2, last=2)
    login_as(chair)
    body = client.get(f"/drafts/{draft.id}/merge/preview?amendments=1").get_data(as_text=True)
    assert "only accepted or adopted amendments can be merged" in body
    assert "Merge into version 2</button>" not in body


def test_convener_actions_come_before_the_text(client, login_as, chair):
    draft = make_draft(chair)
    login_as(chair)
    body = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert body.index('id="convene"') < body.index('class="draft-text"')
    assert "Preview the merge" not in body  # nothing to merge yet


def test_each_draft_convener_has_a_named_remove_button(client, login_as, chair):
    draft = make_draft(chair)
    helper = make_member("Helper Person")
    services.add_convener(chair, draft, helper)
    login_as(chair)
    body = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "Remove Helper Person as convener" in body
    assert ">remove</button>" not in body


def test_the_compare_page_folds_each_run_of_unchanged_paragraphs(client, login_as, chair):
    draft = make_draft(chair, paragraphs=5)
    services.accept_amendment(chair, propose(make_member(), draft, first=1, last=1))
    login_as(chair)
    body = client.get(f"/drafts/{draft.id}/compare?from=1&to=2").get_data(as_text=True)
    assert "4 unchanged paragraphs, ¶2–¶5" in body
    assert body.count('class="diff-row diff-equal"') == 1
