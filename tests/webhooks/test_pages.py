"""The admins' webhooks page: registering an endpoint shows its secret once, a refused
address comes back with the input, disabling stops deliveries, deleting is audited."""

from __future__ import annotations

from sqlalchemy import select

from deliberate.accounts.models import MemberRole
from deliberate.audit.models import AuditEntry
from deliberate.extensions import db
from deliberate.webhooks import worker
from deliberate.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import make_member
from tests.notifications.test_delivery import open_vote
from tests.webhooks.receiver import Receiver


def test_an_admin_registers_disables_and_deletes_an_endpoint(session, client, login_as):
    admin = make_member("Admin", role=MemberRole.ADMIN)
    convener = make_member("Convener", role=MemberRole.CONVENER)
    db.session.commit()
    login_as(admin)
    receiver = Receiver().start()
    try:
        page = client.post(
            "/admin/webhooks/",
            data={"url": receiver.url, "description": "Chat", "events": ["vote.opened"]},
        )
        assert page.status_code == 200
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        text = page.get_data(as_text=True)
        assert endpoint.secret in text  # shown this once
        assert endpoint.secret not in client.get("/admin/webhooks/").get_data(as_text=True)
        receiver.secret = endpoint.secret
        open_vote(convener, "Strike?")
        db.session.commit()
        worker.send_due()
        assert [r.event for r in receiver.accepted()] == ["vote.opened"]
        listed = client.get("/admin/webhooks/").get_data(as_text=True)
        assert "vote.opened:" in listed
        assert "<td>sent</td>" in listed

        assert client.post(f"/admin/webhooks/{endpoint.id}/disable").status_code == 303
        open_vote(convener, "Another?")
        db.session.commit()
        assert worker.send_due() == 0  # a disabled endpoint gets nothing
        assert client.post(f"/admin/webhooks/{endpoint.id}/delete").status_code == 303
        assert db.session.scalars(select(WebhookDelivery)).all() == []
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("webhook.%"))
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["webhook.create", "webhook.disable", "webhook.delete"]
    finally:
        receiver.stop()


def test_a_private_address_is_refused_with_the_input_kept(
    app, monkeypatch, session, client, login_as
):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_LOOPBACK", False)
    admin = make_member("Admin", role=MemberRole.ADMIN)
    db.session.commit()
    login_as(admin)
    page = client.post(
        "/admin/webhooks/",
        data={
            "url": "https://192.168.0.10/hook",
            "description": "Office",
            "events": ["vote.opened"],
        },
    )
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "private or local address" in text
    assert 'value="https://192.168.0.10/hook"' in text
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
