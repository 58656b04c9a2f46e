"""What accounts tells other domains in the transaction of an invitation or a reset link:
the link's token exists only now (only its hash is stored), so a listener that mails it
must take it here (deliberate/notifications/hooks.py writes it to the outbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deliberate.accounts.models import Invitation, PasswordReset

Invited = Callable[["Invitation", str], object]
ResetIssued = Callable[["PasswordReset", str], object]

_invited: list[Invited] = []
_reset_issued: list[ResetIssued] = []


def on_invitation(listener: Invited) -> None:
    """Call `listener(invitation, token)` in the transaction that creates an invitation."""
    if listener not in _invited:
        _invited.append(listener)


def on_password_reset(listener: ResetIssued) -> None:
    """Call `listener(reset, token)` in the transaction that issues a reset link."""
    if listener not in _reset_issued:
        _reset_issued.append(listener)


def invited(invitation: Invitation, token: str) -> None:
    for listener in _invited:
        listener(invitation, token)


def reset_issued(reset: PasswordReset, token: str) -> None:
    for listener in _reset_issued:
        listener(reset, token)
