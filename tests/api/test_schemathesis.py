"""A client nobody here wrote: Schemathesis reads the app's own OpenAPI document and sends
what it generates from it to every operation, as each role of the security world (with that
role's token; nobody for the anonymous). No answer may be a server error or stray from the
document (status, content type, headers, body), and a refused request changes nothing.

Bounded (a few examples per operation and role) so that the suite stays fast; each example
runs against the world as built, and is undone after it."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.security.conftest import world_case
from tests.security.snapshot import DatabaseWatch
from tests.security.world import ROLES

EXAMPLES_PER_OPERATION = 4
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
# Path parameters and the world's objects they may name.
WORLD_IDS = {
    "draft_id": ["draft"],
    "vote_id": ["ranked_vote", "open_vote", "closed_vote", "consensus_vote", "closed_roll_call"],
    "record_id": ["sealed_record", "drafting_record"],
    "member_id": ["bystander", "suspended", "member"],
    "body_id": ["body"],
}
EXAMPLES = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.sweep
@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_to_its_own_description_as_each_role(app, built, role):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers: dict[str, Any] = {}
    if role != "anonymous":
        headers["Authorization"] = f"Bearer {built.values[role + '_secret']}"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @EXAMPLES
        @given(case=operation.as_strategy(), in_world=st.booleans(), pick=st.randoms())
        def example(case: Any, in_world: bool, pick: Any) -> None:
            if in_world:  # ids of the world's objects, so that requests reach the services
                for name in case.path_parameters or {}:
                    if name in WORLD_IDS:
                        case.path_parameters[name] = int(built.values[pick.choice(WORLD_IDS[name])])
                if "number" in (case.path_parameters or {}):
                    case.path_parameters["number"] = pick.choice([1, 2])
                if "subject_type" in (case.path_parameters or {}):
                    case.path_parameters["subject_type"] = "draft"
                    case.path_parameters["subject_id"] = int(built.values["draft"])
            with world_case(built), DatabaseWatch(built.connection) as watch:
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)
                if response.status_code >= 400:
                    assert watch.unchanged(), (
                        f"a refused {case.method} {case.path} changed {watch.changed_tables}"
                    )

        example()
