"""A paper's signatories: a few names on its pages, the whole list a page at a time."""

from __future__ import annotations

from sqlalchemy import insert

from deliberate.papers.models import PaperSignature
from deliberate.papers.queries import FEW_NAMES_ON_CARDS, FEW_SIGNATORIES, SIGNATORIES_PAGE_SIZE
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper


def test_a_paper_names_a_few_signatories_and_lists_them_all_page_by_page(
    client, login_as, session, make_subject
):
    tendency = make_tendency()
    coordinator = make_member("Coordinator", tendency=tendency, coordinator=True)
    paper = make_paper(coordinator, tendency, make_subject(), publish=True)
    signers = [make_member(f"Signer {n:03d}", tendency=tendency) for n in range(130)]
    session.execute(
        insert(PaperSignature),
        [{"paper_id": paper.id, "member_id": m.id, "revision": 1} for m in signers],
    )
    login_as(signers[-1])
    page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "Signatories <small>130</small>" in page
    assert "Signer 000" in page
    assert f"Signer {FEW_SIGNATORIES:03d}" not in page
    assert f"and {130 - FEW_SIGNATORIES} others" in page
    assert "Take back my signature" in page  # the last signer is known without the list
    listing = client.get(f"/papers/{paper.id}/signatories").get_data(as_text=True)
    assert "Signer 099" in listing
    assert "Signer 100" not in listing
    listing = client.get(f"/papers/{paper.id}/signatories?page=2").get_data(as_text=True)
    assert "Signer 129" in listing
    assert "Signer 000" not in listing
    found = client.get(f"/papers/{paper.id}/signatories?q=r+007").get_data(as_text=True)
    assert "Signer 007" in found
    assert "Signer 008" not in found
    assert SIGNATORIES_PAGE_SIZE == 100


def test_what_the_tendencies_say_names_a_few_and_counts_all(
    client, login_as, session, make_subject
):
    from deliberate.papers.queries import positions

    tendency = make_tendency()
    coordinator = make_member(tendency=tendency, coordinator=True)
    subject = make_subject()
    paper = make_paper(coordinator, tendency, subject, publish=True)
    signers = [make_member(f"Signer {n:02d}", tendency=tendency) for n in range(30)]
    session.execute(
        insert(PaperSignature),
        [{"paper_id": paper.id, "member_id": m.id, "revision": 1} for m in signers],
    )
    column = next(c for c in positions(subject, coordinator).columns if c.tendency == tendency)
    assert column.main is not None
    assert column.main.signature_count == 30
    assert column.main.signatories == [f"Signer {n:02d}" for n in range(FEW_NAMES_ON_CARDS)]
