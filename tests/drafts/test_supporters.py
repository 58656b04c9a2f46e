"""An amendment's seconders and co-sponsors: a few names on its page ("and 412 others"), the
whole list a page at a time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from deliberate.database import utcnow
from deliberate.drafts.models import AmendmentCosponsor, AmendmentSecond
from deliberate.drafts.queries import FEW_NAMES
from tests.drafts.factories import make_draft, propose
from tests.factories import make_member, make_tendency


def test_an_amendment_names_a_few_supporters_and_lists_them_all(client, login_as, session):
    draft = make_draft()
    amendment = propose(make_member(), draft)
    seconders = [make_member(f"Seconder {n:03d}") for n in range(150)]
    start = utcnow()
    session.execute(
        insert(AmendmentSecond),
        [
            {
                "amendment_id": amendment.id,
                "member_id": m.id,
                "created_at": start + timedelta(seconds=n),
            }
            for n, m in enumerate(seconders)
        ],
    )
    other = make_tendency("Other Current")
    cosponsors = [make_member(f"Cosponsor {n:03d}", tendency=other) for n in range(20)]
    session.execute(
        insert(AmendmentCosponsor),
        [
            {
                "amendment_id": amendment.id,
                "member_id": m.id,
                "tendency_id": other.id,
                "created_at": start + timedelta(seconds=n),
            }
            for n, m in enumerate(cosponsors)
        ],
    )
    login_as(seconders[-1])
    base = f"/drafts/{draft.id}/amendments/{amendment.number}"
    page = client.get(base).get_data(as_text=True)
    assert "Seconder 000" in page
    assert f"Seconder {FEW_NAMES:03d}" not in page
    assert f"and {150 - FEW_NAMES} others" in page
    assert "You seconded it." in page  # known without loading every seconder
    listing = client.get(f"{base}/seconders?page=2").get_data(as_text=True)
    assert "Seconder 100" in listing
    assert "Seconder 149" in listing
    assert "Seconder 099" not in listing
    found = client.get(f"{base}/seconders?q=der+042").get_data(as_text=True)
    assert "Seconder 042" in found
    assert "Seconder 043" not in found
    listing = client.get(f"{base}/cosponsors").get_data(as_text=True)
    assert "Cosponsor 019" in listing
    assert "Other Current" in listing
    assert client.get(f"{base}/voters").status_code == 404
