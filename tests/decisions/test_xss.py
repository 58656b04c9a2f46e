"""No payload of the XSS corpus survives into a decision page as executable markup.

Payloads are written wherever decision records take text: the vote's question (the record's
title), the conveners' statements, members' registered disagreements, a minority report's
title and body, the evaluation; and searched for, so that highlighted snippets are audited too.
The commitments chart names tendencies, which take payloads as well.
"""

from __future__ import annotations

import pytest

from deliberate.accounts.models import MemberRole
from deliberate.decisions import services
from deliberate.subjects import resolve
from tests.decisions.factories import decided_record
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper
from tests.security.test_xss import PAYLOADS, assert_safe
from tests.voting.test_xss import assert_chart_inert, page_without_chart

SAMPLE = PAYLOADS[::8]


@pytest.mark.sweep
def test_records_statements_disagreements_and_reports(client, login_as):
    convener = make_member("Convener", role=MemberRole.CONVENER)
    tendency = make_tendency(PAYLOADS[3][:120].strip() or "T")
    coordinator = make_member("Coordinator", tendency=tendency, coordinator=True)
    members = [make_member(tendency=tendency if i % 2 else None) for i in range(len(SAMPLE))]
    records = []
    for index, payload in enumerate(SAMPLE[:12]):
        record = decided_record(convener, members[:3], title=payload[:300].strip() or "x")
        services.revise_statements(
            convener,
            record,
            services.Statements(outcome=payload, unity=payload + " unity"),
            seen_revision=record.revision,
        )
        services.seal_record(convener, record)
        records.append(record)
        if index == 0:
            for member, text in zip(members, SAMPLE, strict=True):
                services.record_commitment(
                    member, record, commits=bool(index % 2), disagreement=text + " reasons"
                )
            paper = make_paper(
                coordinator,
                tendency,
                resolve("decision", record.id),
                (payload[:200].strip() or "x"),
                payload,
                publish=True,
            )
            services.attach_minority_report(coordinator, record, paper)
    login_as(make_member())
    assert_safe(client.get("/decisions/").text, "archive")
    for word in ("script", "alert", "img", "svg", "javascript", "reasons"):
        assert_safe(client.get("/decisions/", query_string={"q": word}).text, f"search {word}")
    for record in records[::3]:
        for address in (f"/decisions/{record.id}", f"/decisions/{record.id}/print"):
            html, charts = page_without_chart(client.get(address).text)
            assert_safe(html, address)
            for figure in charts:
                assert_chart_inert(figure)
    assert_safe(
        client.get(f"/decisions/{records[0].id}/entries/{members[0].id}").text, "entry history"
    )
