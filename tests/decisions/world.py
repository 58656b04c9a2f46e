"""Decision records for the security suite's world (tests/security/world.py).

drafting_record    written by the conveners, not sealed
sealed_record      sealed; `owner` committed and registered a disagreement; no evaluation date
due_record         sealed, its evaluation due today and not opened
evaluating_record  sealed, its evaluation open with a verdict, an assessment and every dissent
                   assessed (ready to seal); `member` registered a disagreement
report_paper       a published paper of tendency T on the sealed record (not attached)

State `evaluation_sealed`: the evaluation of `evaluating_record` is sealed.
"""

from __future__ import annotations

from typing import Any

from deliberate.database import utcnow
from deliberate.decisions import services
from deliberate.subjects import resolve
from tests.decisions.factories import decided_record, sealed_record, write
from tests.papers.factories import make_paper


def build_decisions(world: dict[str, Any]) -> None:
    convener = world["convener"]
    voters = [world["member"], world["other_member"], world["owner"]]
    today = utcnow().date()
    world["drafting_record"] = write(
        convener, decided_record(convener, voters, title="World decision being written")
    )
    sealed = sealed_record(convener, voters)
    services.record_commitment(world["owner"], sealed, commits=True, disagreement="Too soon.")
    world["sealed_record"] = sealed
    world["due_record"] = sealed_record(convener, voters, evaluation_date=today)
    evaluating = sealed_record(convener, voters, evaluation_date=today)
    services.record_commitment(world["member"], evaluating, commits=False, disagreement="No.")
    evaluation = services.open_evaluation(convener, evaluating, today=today)
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict="achieved",
            assessment="It worked.",
            dissents={services.DissentKey(member_id=world["member"].id): ("not_borne_out", "")},
        ),
    )
    world["evaluating_record"] = evaluating
    world["report_paper"] = make_paper(
        world["coordinator"],
        world["tendency"],
        resolve("decision", sealed.id),
        "Our dissent",
        "It is *too soon*.",
        publish=True,
    )


def _seal_evaluation(world: dict[str, Any]) -> None:
    evaluation = services.evaluation_of(world["evaluating_record"])
    assert evaluation is not None
    services.seal_evaluation(world["convener"], evaluation)


DECISION_STATES = {"evaluation_sealed": _seal_evaluation}
