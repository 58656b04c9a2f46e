"""The API's documents, as marshmallow schemas: what flask-smorest validates and describes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from deliberate.drafts.models import AmendmentKind
from deliberate.routing import MAX_ID

# Ids as the app's id converter takes them; numbers within a draft (versions, paragraphs).
ID = validate.Range(min=1, max=MAX_ID)
NUMBER = validate.Range(min=0, max=MAX_ID)


class Problem(Schema):
    """An error, as RFC 9457 describes it (application/problem+json)."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Per field, what is wrong with what was sent"},
    )


class Me(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    token = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The first characters of the token used, if any"},
    )


class MemberBrief(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)


class CursorQuery(Schema):
    cursor = fields.String(metadata={"description": "The `next` of the previous page"})


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page of a list: its items and the cursor of the next page (null on the last)."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page"},
            ),
        },
        name=name,
    )


# --- drafts --------------------------------------------------------------------------------


class DraftSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True)
    current_version = fields.Integer(required=True)
    open_amendments = fields.Integer(required=True)
    all_amendments = fields.Integer(required=True)
    updated_at = fields.AwareDateTime(required=True)


class VersionSummary(Schema):
    number = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    author = fields.String(required=True, allow_none=True)
    note = fields.String(required=True)


class Draft(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True)
    current_version = fields.Integer(required=True)
    seconds_required = fields.Integer(required=True)
    amendment_deadline_at = fields.AwareDateTime(required=True, allow_none=True)
    amendments_closed_at = fields.AwareDateTime(required=True, allow_none=True)
    conveners = fields.List(fields.Nested(MemberBrief), required=True)
    versions = fields.List(fields.Nested(VersionSummary), required=True)


class Paragraph(Schema):
    number = fields.Integer(required=True, metadata={"description": "¶n"})
    markdown = fields.String(required=True)
    first_line = fields.Integer(required=True)
    last_line = fields.Integer(required=True)


class Version(VersionSummary):
    line_width = fields.Integer(required=True)
    line_count = fields.Integer(required=True)
    paragraphs = fields.List(fields.Nested(Paragraph), required=True)


class Amendment(Schema):
    number = fields.Integer(required=True, metadata={"description": "A<n> within its draft"})
    title = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "The version it amends"})
    first_paragraph = fields.Integer(required=True)
    last_paragraph = fields.Integer(required=True)
    new_text = fields.String(required=True)
    rationale = fields.String(required=True)
    proposer = fields.Nested(MemberBrief, required=True)
    seconds = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)


# --- votes ---------------------------------------------------------------------------------


class VoteOption(Schema):
    position = fields.Integer(required=True)
    label = fields.String(required=True)


class Standing(Schema):
    on_roll = fields.Boolean(required=True)
    voted = fields.Boolean(required=True)


class Participation(Schema):
    voted = fields.Integer(required=True)
    roll = fields.Integer(required=True)


class VoteSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    method = fields.String(required=True)
    state = fields.String(required=True)
    secret = fields.Boolean(required=True)
    opens_at = fields.AwareDateTime(required=True, allow_none=True)
    closes_at = fields.AwareDateTime(required=True, allow_none=True)
    closed_at = fields.AwareDateTime(required=True, allow_none=True)
    outcome = fields.String(required=True, allow_none=True)
    standing = fields.String(required=True, metadata={"description": "Where you stand, in words"})


class Vote(VoteSummary):
    description = fields.String(required=True)
    purpose = fields.String(required=True)
    seats = fields.Integer(required=True)
    replaceable = fields.Boolean(required=True)
    in_person = fields.Boolean(required=True)
    settings = fields.List(
        fields.String(), required=True, metadata={"description": "The ballot's rules, in words"}
    )
    options = fields.List(fields.Nested(VoteOption), required=True)
    participation = fields.Nested(Participation, required=True)
    you = fields.Nested(Standing, required=True)
    result = fields.Dict(
        required=True,
        allow_none=True,
        metadata={"description": "The stored result, once closed (as results.json)"},
    )


class VotesQuery(CursorQuery):
    pass


# --- decisions -----------------------------------------------------------------------------


class RecordSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True)
    adopted = fields.Boolean(required=True, allow_none=True)
    outcome_summary = fields.String(required=True)
    decided_at = fields.AwareDateTime(required=True, allow_none=True)
    verdict = fields.String(required=True, allow_none=True)
    snippet = fields.String(
        required=True, allow_none=True, metadata={"description": "Where the search matched"}
    )


class ArchiveQuery(CursorQuery):
    q = fields.String(metadata={"description": "Words to search for"})
    kind = fields.String()
    tendency = fields.String(metadata={"description": "A tendency's id"})
    outcome = fields.String(metadata={"description": "adopted or rejected"})
    verdict = fields.String()
    borne_out = fields.String(metadata={"description": "1: dissent borne out"})
    from_ = fields.String(data_key="from", metadata={"description": "YYYY-MM-DD"})
    to = fields.String(metadata={"description": "YYYY-MM-DD"})


class Record(Schema):
    """The record's export document (deliberate.decision-record-export/1), as its page's
    JSON export gives it."""

    schema = fields.String(required=True)
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True)
    adopted = fields.Boolean(required=True, allow_none=True)
    outcome_summary = fields.String(required=True)
    vote = fields.Dict(required=True)
    participation = fields.Dict(required=True, allow_none=True)
    commitments = fields.Dict(
        required=True, metadata={"description": "Counts overall and by tendency, and entries"}
    )
    disagreements = fields.List(fields.Dict(), required=True)
    subject = fields.Dict(required=True)
    statements = fields.Dict(required=True)
    valid_from = fields.String(required=True, allow_none=True)
    valid_until = fields.String(required=True, allow_none=True)
    evaluation_date = fields.String(required=True, allow_none=True)
    decided_at = fields.String(required=True, allow_none=True)
    sealed_at = fields.String(required=True, allow_none=True)
    sealed_by = fields.String(required=True, allow_none=True)
    adopted_text = fields.Raw(required=True, allow_none=True)
    minority_reports = fields.List(fields.Dict(), required=True)
    evaluation = fields.Raw(required=True, allow_none=True)
    chain = fields.List(fields.Dict(), required=True)


class VoteResult(Schema):
    vote = fields.Integer(required=True)
    title = fields.String(required=True)
    result = fields.Dict(
        required=True, metadata={"description": "The stored result: counts, rounds, ties"}
    )


# --- what members write --------------------------------------------------------------------


class AmendmentProposal(Schema):
    version = fields.Integer(
        required=True,
        validate=NUMBER,
        metadata={"description": "The version you read (the current one)"},
    )
    kind = fields.String(
        required=True,
        validate=validate.OneOf([kind.value for kind in AmendmentKind]),
    )
    first = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "First ¶ (or ¶ to insert after)"},
    )
    last = fields.Integer(load_default=None, allow_none=True, validate=NUMBER)
    new_text = fields.String(load_default="")
    title = fields.String(required=True)
    rationale = fields.String(required=True)


class Seconded(Schema):
    amendment = fields.Integer(required=True)
    seconds = fields.Integer(required=True)
    tabled = fields.Boolean(
        required=True, metadata={"description": "Whether this second tabled it"}
    )


class CommentIn(Schema):
    body = fields.String(required=True, metadata={"description": "Markdown"})
    paragraph = fields.Integer(load_default=None, allow_none=True, validate=NUMBER)
    parent = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=NUMBER,
        metadata={"description": "The comment answered"},
    )


class Comment(Schema):
    id = fields.Integer(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
    paragraph = fields.Integer(required=True, allow_none=True)
    parent = fields.Integer(required=True, allow_none=True)
    body = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class BallotIn(Schema):
    """One of: `choice` (majority: yes, no, abstain), `position` and `reason` (consensus),
    `ranking` (ranked votes: option labels, first choice first)."""

    choice = fields.String()
    position = fields.String()
    reason = fields.String(load_default="")
    ranking = fields.List(fields.String())
    receipt = fields.String(
        metadata={"description": "To replace your secret ballot: the receipt code it gave"}
    )


class Receipt(Schema):
    vote = fields.Integer(required=True)
    replaced = fields.Boolean(required=True)
    receipt = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "A secret ballot's receipt code, shown this once: it proves your "
            "ballot was counted, not what it says"
        },
    )


class CommitmentIn(Schema):
    commits = fields.Boolean(required=True)
    disagreement = fields.String(
        load_default=None, allow_none=True, metadata={"description": "Reasons, in Markdown"}
    )


class Commitment(Schema):
    record = fields.Integer(required=True)
    commits = fields.Boolean(required=True)
    disagrees = fields.Boolean(required=True)
    revision = fields.Integer(required=True)


# --- what admins do ------------------------------------------------------------------------


class MemberRow(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    status = fields.String(required=True)
    tendency = fields.Integer(required=True, allow_none=True)


class MembersQuery(CursorQuery):
    q = fields.String(metadata={"description": "Part of a name or an email"})


class InvitationIn(Schema):
    email = fields.String(required=True)
    display_name = fields.String(load_default="")
    tendency = fields.Integer(load_default=None, allow_none=True, validate=NUMBER)


class OpenInvitation(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class Invitation(OpenInvitation):
    link = fields.String(required=True, metadata={"description": "Shown once; also mailed"})


class SuspensionIn(Schema):
    reason = fields.String(required=True)


class TendencyIn(Schema):
    tendency = fields.Integer(
        required=True, allow_none=True, validate=ID, metadata={"description": "null: no tendency"}
    )


class SeatIn(Schema):
    member = fields.Integer(required=True, validate=ID)


class Seat(Schema):
    body = fields.Integer(required=True)
    member = fields.Integer(required=True)
    seated = fields.Boolean(required=True)


class Tendency(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    line = fields.String(required=True, metadata={"description": "Its political line"})
    size = fields.Integer(required=True, metadata={"description": "Current members"})


# --- threads and position papers -------------------------------------------------------------


class ThreadComment(Schema):
    """A comment as the thread's page shows it: a hidden one keeps its place and the
    convener's reason; its text goes only to moderators and its author; a deleted one keeps
    its place alone."""

    id = fields.Integer(required=True)
    parent = fields.Integer(required=True, allow_none=True)
    depth = fields.Integer(required=True)
    paragraph = fields.Integer(required=True, allow_none=True)
    author = fields.Nested(MemberBrief, required=True, allow_none=True)
    tendency = fields.String(required=True, allow_none=True)
    body_html = fields.String(
        required=True, allow_none=True, metadata={"description": "Null when not shown"}
    )
    hidden = fields.Boolean(required=True)
    hidden_reason = fields.String(required=True, allow_none=True)
    deleted = fields.Boolean(required=True)
    context = fields.Boolean(
        required=True,
        metadata={"description": "An earlier comment a reply on this page answers"},
    )
    reply_count = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    edited_at = fields.AwareDateTime(required=True, allow_none=True)


class ThreadQuery(CursorQuery):
    order = fields.String(validate=validate.OneOf(["oldest", "newest"]))
    tendency = fields.Integer(validate=ID)
    paragraph = fields.Integer(validate=NUMBER)


class TendencyBrief(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PaperSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    tendency = fields.Nested(TendencyBrief, required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    published_at = fields.AwareDateTime(required=True, allow_none=True)


class Paper(PaperSummary):
    body_markdown = fields.String(required=True)
    body_html = fields.String(required=True)
    signature_count = fields.Integer(required=True)
    superseded_by = fields.Integer(required=True, allow_none=True)


class PaperList(Schema):
    items = fields.List(fields.Nested(PaperSummary), required=True)
