"""The API's documents, as marshmallow schemas: what flask-smorest validates and describes."""

from __future__ import annotations

from marshmallow import Schema, fields


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
