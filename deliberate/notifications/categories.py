"""The kinds of notification, the mail category each belongs to, and the defaults."""

from __future__ import annotations

from dataclasses import dataclass

from deliberate.notifications.models import Mode


@dataclass(frozen=True)
class Category:
    """A kind of mail a member chooses to get immediately, in a daily digest, or never."""

    name: str
    label: str
    default: Mode


# What a member sets in their settings, in the order shown. Votes opening and closing within
# a day, and nominations (they close before the election opens), are worth a mail at once;
# the rest waits for the digest.
CATEGORIES: dict[str, Category] = {
    category.name: category
    for category in (
        Category("vote_opened", "A vote you are on the roll of opens", Mode.IMMEDIATELY),
        Category(
            "vote_closing", "A vote you are on the roll of closes within a day", Mode.IMMEDIATELY
        ),
        Category("vote_closed", "A vote you were on the roll of has closed", Mode.DIGEST),
        Category("evaluation_due", "A decision's evaluation is coming due", Mode.DIGEST),
        Category("nominated", "A member nominates you as a candidate", Mode.IMMEDIATELY),
        Category(
            "nomination_answered",
            "A member you nominated accepts or declines",
            Mode.IMMEDIATELY,
        ),
    )
}

# Mail that is not a member's choice: it answers an admin's action for this person alone.
ACCOUNT_KINDS = frozenset({"invitation", "password_reset"})
DIGEST = "digest"
