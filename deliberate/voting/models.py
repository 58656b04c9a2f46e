"""Votes, their options and rolls, who took part, and the ballots; a vote may go to a body.

Secrecy is a property of the schema, not only of the code. For a secret vote, who took part
(`vote_participations`) is stored apart from what was chosen (`ballots`). A secret ballot row
carries no member id, no timestamp, and a random primary key drawn from `secrets` (no
sequence shared with the participation table); it is found again only through the hash of the
receipt code its voter holds. Queries order ballots by that hash, never by insertion. On SQLite
the table has no implicit rowid (WITHOUT ROWID: rows are kept in the order of their random
key), and closing a secret vote writes its ballots again with fresh keys in a random order
(`services.close_vote`), so that no row identity of the database pairs them with the
participations.
"""

from __future__ import annotations

import json
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.accounts.models import Member
from deliberate.bodies.models import Body
from deliberate.database import Base, UTCDateTime, enum_check, immutable_rows, utcnow
from deliberate.voting.vocabulary import (
    RANKED_METHODS,
    BallotSource,
    BlockRule,
    NominationState,
    Quota,
    RankedThreshold,
    StvVariant,
    Threshold,
    TieBreak,
    VoteMethod,
    VoteState,
)


class Vote(Base):
    """A question put to a roll of members, with settings fixed before it opens.

    `subject_type`/`subject_id` name what the vote decides (an amendment, a competing group,
    a draft's adoption) through the subject registry; a free question or an election has none.
    `lot` is the tie-break order of the option labels, drawn when the vote opens. `result` is
    the stored count, written once when the vote closes and only displayed afterwards.
    """

    __tablename__ = "votes"
    __table_args__ = (
        CheckConstraint(enum_check("method", VoteMethod), name="method_known"),
        CheckConstraint(enum_check("state", VoteState), name="state_known"),
        CheckConstraint(
            "threshold IS NULL OR " + enum_check("threshold", Threshold), name="threshold_known"
        ),
        CheckConstraint(
            "stv_variant IS NULL OR " + enum_check("stv_variant", StvVariant),
            name="stv_variant_known",
        ),
        CheckConstraint(enum_check("quota", Quota), name="quota_known"),
        CheckConstraint(enum_check("tie_break", TieBreak), name="tie_break_known"),
        CheckConstraint(
            enum_check("ranked_threshold", RankedThreshold), name="ranked_threshold_known"
        ),
        CheckConstraint(
            "ranked_threshold != 'fractional' OR "
            "(method = 'stv' AND stv_variant = 'stv' AND quota = 'droop')",
            name="fractional_threshold_wigm_droop",
        ),
        CheckConstraint(
            "ranked_threshold != 'first_round' OR method = 'irv'", name="first_round_threshold_irv"
        ),
        CheckConstraint(
            "NOT one_winner_per_round OR (method = 'stv' AND stv_variant = 'stv')",
            name="one_winner_per_round_wigm",
        ),
        CheckConstraint(
            "NOT shuffled OR method IN ('irv', 'stv', 'schulze')", name="shuffled_ranked"
        ),
        CheckConstraint(
            "block_rule IS NULL OR " + enum_check("block_rule", BlockRule),
            name="block_rule_known",
        ),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("quorum_percent BETWEEN 0 AND 100", name="quorum_percent_range"),
        CheckConstraint(
            "(fallback_numerator IS NULL) = (fallback_denominator IS NULL)",
            name="fallback_whole_or_none",
        ),
        CheckConstraint(
            "fallback_numerator IS NULL OR (fallback_denominator BETWEEN 1 AND 10000 "
            "AND fallback_numerator <= fallback_denominator "
            "AND 2 * fallback_numerator > fallback_denominator)",
            name="fallback_supermajority",
        ),
        CheckConstraint(
            "method != 'majority' OR threshold IS NOT NULL", name="majority_has_threshold"
        ),
        CheckConstraint(
            "method != 'consensus' OR block_rule IS NOT NULL", name="consensus_has_block_rule"
        ),
        CheckConstraint(
            "block_rule IS NULL OR block_rule != 'fallback' OR fallback_numerator IS NOT NULL",
            name="fallback_has_share",
        ),
        CheckConstraint(
            "state != 'closed' OR (result_json IS NOT NULL AND closed_at IS NOT NULL)",
            name="closed_has_result",
        ),
        CheckConstraint(
            "state IN ('scheduled', 'cancelled') OR (opened_at IS NOT NULL AND lot IS NOT NULL)",
            name="opened_has_lot",
        ),
        CheckConstraint(
            "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
            name="closes_after_opening",
        ),
        CheckConstraint(
            "(subject_type IS NULL) = (subject_id IS NULL)", name="subject_whole_or_none"
        ),
        CheckConstraint(
            "NOT by_nomination OR purpose = 'election'", name="nominations_for_elections"
        ),
        CheckConstraint(
            "nominations_close_at IS NULL OR by_nomination", name="nominations_close_by_nomination"
        ),
        Index("ix_votes_subject", "subject_type", "subject_id"),
        Index("ix_votes_state_closes_at", "state", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description_markdown: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    subject_type: Mapped[str | None] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16), default="question")
    method: Mapped[str] = mapped_column(String(16))
    seats: Mapped[int] = mapped_column(Integer, default=1)
    stv_variant: Mapped[str | None] = mapped_column(String(16))
    quota: Mapped[str] = mapped_column(String(16), default=Quota.DROOP)
    tie_break: Mapped[str] = mapped_column(
        String(16), default=TieBreak.EARLIER_ROUNDS, server_default=TieBreak.EARLIER_ROUNDS.value
    )
    # RCTab's threshold options of a ranked count (a fractional STV quota, an IRV threshold
    # fixed by the first round) and its "one winner per round" for STV.
    ranked_threshold: Mapped[str] = mapped_column(
        String(16),
        default=RankedThreshold.STANDARD,
        server_default=RankedThreshold.STANDARD.value,
    )
    one_winner_per_round: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    threshold: Mapped[str | None] = mapped_column(String(16))
    abstentions_in_base: Mapped[bool] = mapped_column(Boolean, default=False)
    quorum_percent: Mapped[int] = mapped_column(Integer, default=0)
    block_rule: Mapped[str | None] = mapped_column(String(16))
    # The fallback supermajority, exactly: numerator / denominator (2 / 3), in lowest terms.
    fallback_numerator: Mapped[int | None] = mapped_column(Integer)
    fallback_denominator: Mapped[int | None] = mapped_column(Integer)
    secret: Mapped[bool] = mapped_column(Boolean, default=True)
    replaceable: Mapped[bool] = mapped_column(Boolean, default=True)
    breakdown_by_tendency: Mapped[bool] = mapped_column(Boolean, default=False)
    # Opt-in: the published receipts are paired with their ballots' contents, so a receipt
    # proves how its holder voted (to anyone she shows it). Off: two separate lists.
    receipts_show_content: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Each voter sees the options in an order of her own, drawn from a keyed hash of the
    # vote and the member (nothing stored); the ballots and the count are the same.
    shuffled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    in_person: Mapped[bool] = mapped_column(Boolean, default=False)
    # An election whose candidates stand by nomination: its options are the accepted
    # candidates, fixed when it opens; until then members nominate (and, with no
    # `nominations_close_at`, until a convener opens it).
    by_nomination: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    nominations_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    previous_vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id"))
    state: Mapped[str] = mapped_column(String(16), default=VoteState.SCHEDULED)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    roll_size: Mapped[int | None] = mapped_column(Integer)
    lot: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(200))
    result_json: Mapped[str | None] = mapped_column(Text)

    options: Mapped[list[VoteOption]] = relationship(
        lazy="raise_on_sql", order_by="VoteOption.position", back_populates="vote"
    )
    created_by: Mapped[Member] = relationship(foreign_keys=[created_by_id], lazy="raise_on_sql")
    body: Mapped[Body | None] = relationship(lazy="raise_on_sql")

    @property
    def is_open(self) -> bool:
        return self.state == VoteState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == VoteState.CLOSED

    @property
    def is_scheduled(self) -> bool:
        return self.state == VoteState.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.state == VoteState.CANCELLED

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS

    @property
    def result(self) -> dict[str, Any] | None:
        return json.loads(self.result_json) if self.result_json is not None else None

    @property
    def lot_order(self) -> list[str]:
        return json.loads(self.lot) if self.lot else []

    @property
    def fallback(self) -> Fraction | None:
        """The fallback supermajority of a consensus vote, exactly (None without one)."""
        if self.fallback_numerator is None or self.fallback_denominator is None:
            return None
        return Fraction(self.fallback_numerator, self.fallback_denominator)

    @fallback.setter
    def fallback(self, share: Fraction | None) -> None:
        self.fallback_numerator = None if share is None else share.numerator
        self.fallback_denominator = None if share is None else share.denominator

    def __repr__(self) -> str:
        return f"<Vote {self.id} {self.method} {self.state}>"


class VoteOption(Base):
    """One choice on the ballot. `ref_id` points into the subject's domain (an amendment of
    a competing group, say); voting never follows it."""

    __tablename__ = "vote_options"
    __table_args__ = (
        UniqueConstraint("vote_id", "position"),
        UniqueConstraint("vote_id", "label"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    # The member standing as this option in an election by nomination (None otherwise).
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    vote: Mapped[Vote] = relationship(back_populates="options", lazy="raise_on_sql")


class Nomination(Base):
    """A member standing, or put forward, as a candidate in an election by nomination.

    One row per member per election. A member who nominates herself stands at once
    (accepted); a nomination by another stands only once the nominee accepts. The nominee may
    decline, or withdraw, until the election opens; her statement (Markdown, sanitized HTML
    kept beside it) is shown with her name on the ballot, the review and the results.
    """

    __tablename__ = "vote_nominations"
    __table_args__ = (
        UniqueConstraint("vote_id", "nominee_id"),  # one nomination per member per election
        CheckConstraint(enum_check("state", NominationState), name="state_known"),
        CheckConstraint(
            "state != 'pending' OR nominated_by_id != nominee_id", name="self_stands_at_once"
        ),
        CheckConstraint(
            "(state = 'pending') = (answered_at IS NULL)", name="answered_unless_pending"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    nominee_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    state: Mapped[str] = mapped_column(String(16), default=NominationState.PENDING)
    statement_markdown: Mapped[str] = mapped_column(Text, default="", server_default="")
    statement_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    nominee: Mapped[Member] = relationship(foreign_keys=[nominee_id], lazy="raise_on_sql")
    nominated_by: Mapped[Member] = relationship(foreign_keys=[nominated_by_id], lazy="raise_on_sql")

    @property
    def is_self(self) -> bool:
        return self.nominee_id == self.nominated_by_id

    @property
    def is_standing(self) -> bool:
        return self.state == NominationState.ACCEPTED

    @property
    def is_pending(self) -> bool:
        return self.state == NominationState.PENDING


@immutable_rows
class RollEntry(Base):
    """A member on a vote's roll: the snapshot taken when it opened, with their tendency."""

    __tablename__ = "vote_roll"

    vote_id: Mapped[int] = mapped_column(
        ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tendency_id: Mapped[int | None] = mapped_column(ForeignKey("tendencies.id"))


@immutable_rows
class Participation(Base):
    """That a member took part in a vote, online or on paper. Its primary key is the
    one-ballot-per-member rule: a second ballot from the same member cannot be inserted,
    whatever the code does, and a member marked as voting on paper cannot vote online.

    `replace_hash` (secret ballots) is SHA-256 of the vote, the member and their receipt code,
    derived apart from the ballot's `receipt_hash`: replacing a ballot needs the code and
    being the member who cast it, and without the code neither hash leads to the other.
    Paper voters have none: their ballots carry no receipt.
    """

    __tablename__ = "vote_participations"

    vote_id: Mapped[int] = mapped_column(
        ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tendency_id: Mapped[int | None] = mapped_column(ForeignKey("tendencies.id"))
    replace_hash: Mapped[str | None] = mapped_column(String(64))
    # Marked on the register by a convener importing paper ballots: the member voted on paper
    # (their ballot is among the anonymous paper ballots) and cannot vote online as well.
    on_paper: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Ballot(Base):
    """What was chosen. Roll-call ballots name their member; secret ballots carry only the
    hash of their receipt code; paper ballots imported from a meeting carry neither.

    `content` is JSON: {"choice": "yes"}, {"ranking": ["A", "B"]}, or
    {"position": "block", "reason": "..."}. `tendency_id` is stored on a secret ballot only
    when the vote announced a breakdown by tendency before it opened, and only until close:
    closing erases it wherever the published breakdown does not show the voter's group.
    `weight` is how many
    identical ballots the row stands for: 1 for a ballot cast online, the count for paper
    ballots (identical paper rankings, and each of a meeting's yes/no/abstain counts, are
    stored once with their number).
    """

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("vote_id", "member_id"),
        UniqueConstraint("vote_id", "receipt_hash"),
        CheckConstraint(enum_check("source", BallotSource), name="source_known"),
        CheckConstraint(
            "(source = 'paper' AND member_id IS NULL AND receipt_hash IS NULL)"
            " OR (source = 'online' AND (member_id IS NULL) != (receipt_hash IS NULL))",
            name="one_way_to_identify",
        ),
        CheckConstraint("weight >= 1", name="weight_positive"),
        CheckConstraint("weight = 1 OR source = 'paper'", name="only_paper_weighs_more"),
        # No insertion-ordered row identity to pair a ballot with its participation.
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    receipt_hash: Mapped[str | None] = mapped_column(String(64))
    tendency_id: Mapped[int | None] = mapped_column(ForeignKey("tendencies.id"))
    source: Mapped[str] = mapped_column(String(8), default=BallotSource.ONLINE)
    content: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
