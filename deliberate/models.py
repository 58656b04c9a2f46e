"""Imports every model so the metadata (and migrations) know the whole schema."""

from deliberate.accounts.models import Invitation, Member, OrganizationSettings, PasswordReset
from deliberate.api.models import ApiToken
from deliberate.audit.models import AuditEntry
from deliberate.bodies.models import Body, BodyMembership
from deliberate.debate.models import Comment, CommentRevision
from deliberate.decisions.models import (
    ArchiveLink,
    ArchiveText,
    Commitment,
    CommitmentEntry,
    DecisionRecord,
    DissentAssessment,
    Evaluation,
    MinorityReport,
    RecordRevision,
)
from deliberate.drafts.models import (
    Amendment,
    AmendmentCosponsor,
    AmendmentEvent,
    AmendmentSecond,
    CompetitionGroup,
    Draft,
    DraftConvener,
    DraftParagraph,
    DraftVersion,
)
from deliberate.notifications.models import Delivery, NotificationSetting, OutboxEvent
from deliberate.papers.models import PaperRevision, PaperSignature, PositionPaper
from deliberate.stamps import Stamp
from deliberate.tendencies.models import JoinRequest, Tendency, TendencyMembership
from deliberate.voting.models import (
    Ballot,
    Nomination,
    Participation,
    RollEntry,
    Vote,
    VoteOption,
)
from deliberate.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Amendment",
    "AmendmentCosponsor",
    "AmendmentEvent",
    "AmendmentSecond",
    "ApiToken",
    "ArchiveLink",
    "ArchiveText",
    "AuditEntry",
    "Ballot",
    "Body",
    "BodyMembership",
    "Comment",
    "CommentRevision",
    "Commitment",
    "CommitmentEntry",
    "CompetitionGroup",
    "DecisionRecord",
    "Delivery",
    "DissentAssessment",
    "Draft",
    "DraftConvener",
    "DraftParagraph",
    "DraftVersion",
    "Evaluation",
    "Invitation",
    "JoinRequest",
    "Member",
    "MinorityReport",
    "Nomination",
    "NotificationSetting",
    "OrganizationSettings",
    "OutboxEvent",
    "PaperRevision",
    "PaperSignature",
    "Participation",
    "PasswordReset",
    "PositionPaper",
    "RecordRevision",
    "RollEntry",
    "Stamp",
    "Tendency",
    "TendencyMembership",
    "Vote",
    "VoteOption",
    "WebhookDelivery",
    "WebhookEndpoint",
]
