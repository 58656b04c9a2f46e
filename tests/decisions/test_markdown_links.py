"""The Markdown export keeps only safe link destinations (http, https, mailto, relative, a
fragment), however a member writes the others: entities, escapes, mixed case, whitespace or
control characters inside the scheme, autolinks, reference definitions. Each export is
rendered as permissive renderers would (schemes not filtered, no percent-encoding, raw HTML and
linkify on) and no link of it may lead anywhere else."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.decisions import exports, services
from deliberate.decisions.models import DecisionRecord
from deliberate.subjects import resolve
from tests.decisions.factories import decided_record
from tests.factories import make_member, make_tendency
from tests.papers.factories import make_paper

DANGEROUS = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](java&#x73;cript:alert(1))",
    "[a](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](javascript&#58;alert(1))",
    "[a](javascript\\:alert(1))",
    "[a](jav&#x09;ascript:alert(1))",
    "[a](jav&Tab;ascript:alert(1))",
    "[a](java&NewLine;script:alert(1))",
    "[a](&Tab;javascript:alert(1))",
    "[a](&#0;javascript:alert(1))",
    "[a](&#x1F;javascript:alert(1))",
    "[a](java&#173;script:alert(1))",
    "[a](  javascript:alert(1) 'a title')",
    "[a](\njavascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](vbscript:msgbox(1))",
    "[a](VBScript&#58;msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a](dAtA&#x3a;text/html,<script>alert(1)</script>)",
    "[a](file:///etc/passwd)",
    "[a [nested]](javascript:alert(1))",
    "![i](javascript:alert(1))",
    "![i](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[r1] and [r2][] and [x][r3] and [r4]\n\n[r1]: javascript:alert(1)\n"
    "[r2]: &#106;avascript:alert(1)\n[r3]:\n   java&#x73;cript:alert(1) 'title'\n"
    "[r4]: <vbscript:msgbox(1)>",
    "  [r5]: JAVASCRIPT&colon;alert(1)\n\n[r5]",
    "> [quoted](javascript:alert(1))\n>\n> [q]: javascript:alert(1)\n>\n> [q]",
    "- [listed](javascript:alert(1))\n- [l2]\n\n  [l2]: vbscript:x",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,x>",
    '<a href="javascript:alert(1)">raw</a>',
    "javascript:alert(1) written plainly",
    "[a](javascript%3Aalert(1))",
]
SAFE = {
    "[web](https://example.org/a?b=1)": "https://example.org/a?b=1",
    "[plain](http://example.org)": "http://example.org",
    "[mail](mailto:someone@example.org)": "mailto:someone@example.org",
    "[relative](/decisions/1)": "/decisions/1",
    "[fragment](#unity)": "#unity",
}
CORPUS = "\n\n".join([*DANGEROUS, *SAFE])
SAFE_SCHEMES = {"http", "https", "mailto"}
DANGEROUS_SCHEMES = {"javascript", "vbscript", "data", "file"}


def _anything_goes(md: MarkdownIt) -> MarkdownIt:
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _unencoded(md: MarkdownIt) -> MarkdownIt:
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = lambda url: url  # type: ignore[method-assign]
    return _anything_goes(md)


RENDERERS: dict[str, Callable[[], MarkdownIt]] = {
    "commonmark": lambda: MarkdownIt("commonmark"),
    "commonmark, no scheme filter": lambda: _anything_goes(MarkdownIt("commonmark")),
    "html and linkify, no scheme filter, no encoding": lambda: _unencoded(
        MarkdownIt("commonmark", {"html": True, "linkify": True}).enable("linkify")
    ),
    "gfm-like, no scheme filter, no encoding": lambda: _unencoded(
        MarkdownIt("gfm-like", {"html": True})
    ),
}
_ATTRIBUTE = re.compile(r"\b(?:href|src|action|formaction|xlink:href)\s*=\s*\"([^\"]*)\"", re.I)
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def _scheme_a_browser_reads(value: str) -> str | None:
    """The scheme a browser finds in an attribute value: entities read, leading and trailing
    controls and spaces dropped, tabs and line breaks removed anywhere (WHATWG URL)."""
    url = html.unescape(value).strip("".join(map(chr, range(0x21))))
    url = re.sub(r"[\t\n\r]", "", url).lower()
    match = _SCHEME.match(url)
    return match.group(1) if match else None


def _links(rendered: str) -> list[str]:
    return _ATTRIBUTE.findall(rendered)


@pytest.fixture
def record_with_links(session) -> DecisionRecord:
    """A sealed, evaluated record whose every text holds the corpus: the statements, a
    registered disagreement, a minority report and the evaluation's assessment."""
    convener = make_member("Convener", role=MemberRole.CONVENER)
    tendency = make_tendency("Link tendency")
    coordinator = make_member("Coordinator", tendency=tendency, coordinator=True)
    voters = [make_member(f"Voter {i}") for i in range(3)]
    record = decided_record(convener, voters)
    services.revise_statements(
        convener,
        record,
        services.Statements(
            outcome=CORPUS, unity="Unity: " + CORPUS, evaluation_date=utcnow().date()
        ),
        seen_revision=record.revision,
    )
    services.seal_record(convener, record)
    services.record_commitment(voters[0], record, commits=True, disagreement=CORPUS)
    paper = make_paper(
        coordinator, tendency, resolve("decision", record.id), "Links", CORPUS, publish=True
    )
    report = services.attach_minority_report(coordinator, record, paper)
    evaluation = services.open_evaluation(convener, record, today=utcnow().date())
    services.revise_evaluation(
        convener,
        evaluation,
        services.EvaluationText(
            verdict="achieved",
            assessment=CORPUS,
            dissents={
                services.DissentKey(member_id=voters[0].id): ("borne_out", ""),
                services.DissentKey(minority_report_id=report.id): ("borne_out", ""),
            },
        ),
    )
    services.seal_evaluation(convener, evaluation)
    return record


def test_the_corpus_is_dangerous_without_the_export(record_with_links):
    # The corpus itself, rendered as permissive renderers do, does hold script links: the test
    # below would see them if the export let them through.
    for name, renderer in RENDERERS.items():
        if name == "commonmark":
            continue
        schemes = {_scheme_a_browser_reads(v) for v in _links(renderer().render(CORPUS))}
        assert {"javascript", "vbscript", "data"} <= schemes, name


@pytest.mark.parametrize("names", [True, False])
def test_the_markdown_export_holds_no_unsafe_link(record_with_links, names):
    document = exports.record_markdown(record_with_links, names=names)
    rendered = {name: _links(renderer().render(document)) for name, renderer in RENDERERS.items()}
    for name, links in rendered.items():
        dangerous = [v for v in links if _scheme_a_browser_reads(v) in DANGEROUS_SCHEMES]
        assert not dangerous, f"{name}: {dangerous}"
    for name, links in rendered.items():
        unsafe = [v for v in links if _scheme_a_browser_reads(v) not in {None, *SAFE_SCHEMES}]
        assert not unsafe, f"{name}: {unsafe}"
        # The safe destinations are kept, once for each of the five texts (the unity
        # statement, the outcome, the disagreement, the report, the assessment).
        for destination in SAFE.values():
            assert links.count(html.escape(destination)) >= 5, (name, destination)
    # What was defused is shown, not dropped.
    assert document.count("alert(1)") >= 5 * len(DANGEROUS) - 20


def test_the_whole_archive_in_markdown_holds_no_unsafe_link(record_with_links):
    document = "".join(exports.archive_markdown(names=False))
    for name, renderer in RENDERERS.items():
        links = _links(renderer().render(document))
        assert all(_scheme_a_browser_reads(v) in {None, *SAFE_SCHEMES} for v in links), name
