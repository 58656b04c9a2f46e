"""No payload of the XSS corpus survives into a page as executable markup.

Each payload of xss_payloads.txt is written where members write: comments, position paper
titles and texts, draft titles, tendency names and lines, display names. The pages are parsed
with html.parser and audited: scripts only from /static/, no event handler attributes, no
javascript:/data:/vbscript: (or otherwise foreign-scheme) URLs, no style attributes, no ids
or names that could clobber the DOM, no images, SVG, MathML, frames or forms from members.
Sanitizing is idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import render_template

from deliberate.accounts.models import MemberRole
from deliberate.database import utcnow
from deliberate.debate import services as debate
from deliberate.drafts import services as drafts
from deliberate.markup import ALLOWED_TAGS, render_markdown, sanitize_html
from deliberate.papers import queries as paper_queries
from deliberate.papers import services as papers
from deliberate.subjects import resolve
from deliberate.tendencies.queries import current_membership
from tests.drafts.factories import make_draft
from tests.factories import make_member, make_tendency

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
PAYLOADS = [
    line.replace("⏎", "\n")
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
    if line and line != "#" and not line.startswith("# ")
]

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "background", "poster",
    "srcset", "lowsrc", "dynsrc", "cite", "ping", "codebase", "manifest", "icon", "longdesc",
}  # fmt: skip
SAFE_SCHEMES = ("http:", "https:", "mailto:")
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math", "img",
    "image", "picture", "source", "video", "audio", "track", "style", "portal", "isindex",
    "keygen", "bgsound", "marquee", "xmp", "plaintext", "noscript", "param", "xss", "dialog",
    "animate", "set", "use", "foreignobject", "handler",
}  # fmt: skip
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "keygen", "param", "image", "isindex",
}  # fmt: skip
FORM_CONTROLS = {"input", "select", "textarea", "button", "form"}
# Ids our own templates give outside forms: comment, paragraph and amendment anchors, the
# fixed ones of the debate and draft pages, and section headings (`…-heading`).
OWN_IDS = re.compile(
    r"^(c\d+|p\d+|a\d+|reply-form-template|amendments|text|history|conveners|convene"
    r"|content|unity|commitments|disagreements|minority-reports|your-entry"
    r"|[a-z-]+-heading)$"
)
FORM_FIELD_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
MARKDOWN_ATTRIBUTES = {"href", "title", "rel", "start", "align"}


def is_line_marker(tag: str, values: dict[str, str]) -> bool:
    """<span class="ln" data-ln="12" aria-hidden="true">: a line number of a draft, and
    <br class="lb">: where a draft's long line wraps."""
    if tag == "br":
        return values == {"class": "lb"}
    return (
        tag == "span"
        and set(values) == {"class", "data-ln", "aria-hidden"}
        and values["class"] == "ln"
        and values["data-ln"].isdigit()
        and values["aria-hidden"] == "true"
    )


@dataclass
class PageAudit(HTMLParser):
    """Collects every way a page could run or smuggle member-written markup."""

    problems: list[str] = field(default_factory=list)
    stack: list[tuple[str, bool]] = field(default_factory=list)
    forms: int = 0
    in_script: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @property
    def in_markdown(self) -> bool:
        return any(is_markdown for _tag, is_markdown in self.stack)

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        in_head = any(t == "head" for t, _ in self.stack)
        if tag == "script":
            if not values.get("src", "").startswith("/static/"):
                self.problem(f"script element {attrs}")
            self.in_script = True
        elif tag == "link":
            if not (in_head and values.get("href", "").startswith("/static/")):
                self.problem(f"link element {attrs}")
        elif tag == "meta":
            if not in_head or set(values) - {"charset", "name", "content"}:
                self.problem(f"meta element {attrs}")
        elif tag in FORBIDDEN_TAGS:
            self.problem(f"<{tag}> element")
        if self.in_markdown and is_line_marker(tag, values):
            pass  # the drafts' own line numbers, added to sanitized paragraphs
        elif self.in_markdown and tag not in ALLOWED_TAGS:
            self.problem(f"<{tag}> inside member text")
        for name, value in values.items():
            if not (self.in_markdown and is_line_marker(tag, values)):
                self.check_attribute(tag, name, value)
        if tag == "a" and self.in_markdown and "href" in values:
            rel = values.get("rel", "").split()
            if "nofollow" not in rel or "noopener" not in rel:
                self.problem(f"member link without rel=nofollow noopener: {attrs}")
        if tag == "form":
            self.forms += 1
            if values.get("action", "/").startswith(("http", "//")):
                self.problem(f"form posting elsewhere: {attrs}")
        if tag not in VOID_TAGS:
            self.stack.append((tag, "markdown" in values.get("class", "").split()))

    def check_attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.problem(f"event handler {name}={value!r} on <{tag}>")
        if name in ("style", "srcdoc"):
            self.problem(f"{name} attribute on <{tag}>")
        if name in URL_ATTRIBUTES:
            # As a browser reads a URL: entities decoded (by the parser), C0 controls and
            # spaces trimmed, tabs and newlines removed. Percent-escapes are not decoded in a
            # scheme, so "java%09script:" is a harmless relative path.
            url = re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE)).lower()
            if re.match(r"^[a-z][a-z0-9+.\-]*:", url) and not url.startswith(SAFE_SCHEMES):
                self.problem(f"{name}={value!r} on <{tag}>")
        if self.in_markdown and name not in MARKDOWN_ATTRIBUTES:
            self.problem(f"attribute {name}={value!r} on <{tag}> inside member text")
        if name == "id" and not (
            OWN_IDS.match(value) or (self.forms and FORM_FIELD_ID.match(value))
        ):
            self.problem(f"id={value!r} on <{tag}>")
        if name == "name" and not (
            (self.forms and tag in FORM_CONTROLS) or (tag == "meta" and value == "viewport")
        ):
            self.problem(f"name={value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False
        if tag == "form":
            self.forms = max(0, self.forms - 1)
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problem(f"inline script: {data[:80]!r}")


def audit(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


def assert_safe(html: str, where: str) -> None:
    problems = audit(html)
    assert not problems, f"{where}: " + "; ".join(problems[:10])


def test_the_corpus_is_large_and_covers_the_families():
    assert len(PAYLOADS) >= 200
    assert len(set(PAYLOADS)) == len(PAYLOADS), "duplicate payloads"
    text = "\n".join(PAYLOADS).lower()
    families = ["<script", "onerror", "javascript:", "data:", "vbscript:", "&#", "%6a"]
    families += ["<svg", "<math", "mglyph", " id=", " name=", "style=", "<img", "!["]
    for family in families:
        assert family in text, family


def test_the_audit_catches_what_it_should():
    """The checker itself: each of these pages must be flagged."""
    for page in (
        "<script>alert(1)</script>",
        '<p onclick="x">a</p>',
        '<a href=" jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<p style="color:red">x</p>',
        '<div class="markdown"><a id="x">x</a></div>',
        '<form name="body"></form>',
        "<svg></svg>",
        '<img src="x">',
        '<div class="markdown"><a href="https://x.org">x</a></div>',  # no rel
    ):
        assert audit(page), page
    assert not audit('<script src="/static/app.js" defer></script><a href="/x">x</a>')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitizing_is_idempotent_and_safe(payload):
    html = render_markdown(payload)
    assert render_markdown(payload) == html
    assert sanitize_html(html) == html
    assert_safe(f'<div class="markdown">{html}</div>', "markdown")
    # The sanitizer alone, given the payload as raw HTML, is also safe and idempotent (up to
    # the CR to LF normalization every HTML parser applies to a CR written as &#x0D;).
    cleaned = sanitize_html(payload)
    assert sanitize_html(cleaned) == cleaned.replace("\r\n", "\n").replace("\r", "\n")
    assert_safe(f'<div class="markdown">{cleaned}</div>', "raw html")


def _hostile_people(count: int) -> list:
    """Members whose display names and tendencies' names are payloads."""
    tendencies = [
        make_tendency(f"{i} {payload}"[:120], line=payload)
        for i, payload in enumerate(PAYLOADS[:12])
    ]
    return [
        make_member(
            PAYLOADS[i % len(PAYLOADS)][:80] or "x", tendency=tendencies[i % len(tendencies)]
        )
        for i in range(count)
    ]


def test_comments_and_display_names(client, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "THREAD_PAGE_SIZE", 2000)
    monkeypatch.setitem(app.config, "THREAD_MAX_INDENT", 60)
    authors = _hostile_people(40)
    convener = make_member("Convener", role=MemberRole.CONVENER)
    draft = make_draft(title=PAYLOADS[0][:200])
    subject = resolve("draft", draft.id)
    posted = []
    for index, payload in enumerate(PAYLOADS):
        parent = posted[-1] if index % 3 == 2 else None
        comment = debate.post_comment(
            authors[index % len(authors)],
            subject,
            payload,
            parent=parent,
            paragraph=None if parent else (index % 3) + 1,
        )
        posted.append(comment)
    debate.edit_comment(authors[0], subject, posted[0], PAYLOADS[-1])
    debate.hide_comment(convener, posted[1], PAYLOADS[2][:500])
    for viewer in (convener, make_member()):
        login_as(viewer)
        page = client.get(f"/debate/draft/{draft.id}").get_data(as_text=True)
        assert page.count('<article id="c') == len(PAYLOADS)
        assert_safe(page, "thread page")
    login_as(convener)
    for url in (
        f"/comments/{posted[0].id}/history",
        f"/comments/{posted[5].id}/thread",
        f"/comments/{posted[5].id}/reply",
        f"/comments/{posted[1].id}/hide",
    ):
        assert_safe(client.get(url).get_data(as_text=True), url)
    for start in range(0, len(PAYLOADS), 60):
        body = "\n\n".join(PAYLOADS[start : start + 60])
        preview = client.post("/debate/preview", data={"body": body})
        assert preview.status_code == 200
        assert_safe(f'<div class="markdown">{preview.get_data(as_text=True)}</div>', "preview")


def test_paper_titles_texts_and_signatories(client, login_as, app):
    tendency = make_tendency("Tendency T")
    coordinator = make_member(PAYLOADS[3][:80], tendency=tendency, coordinator=True)
    signer = make_member(PAYLOADS[4][:80], tendency=tendency)
    draft = make_draft(title=PAYLOADS[5][:200])
    subject = resolve("draft", draft.id)
    # Every payload is a paper's title; the texts carry them in chunks, so a few pages show
    # them all: a paper's page lists every paper of its tendency on the subject (insiders see
    # the unpublished ones), the index lists the ones being drafted.
    chunk = 25
    written = []
    for index, payload in enumerate(PAYLOADS):
        body = "\n\n".join(PAYLOADS[index : index + chunk]) if index % chunk == 0 else payload
        written.append(papers.create_paper(coordinator, tendency, subject, payload[:200], body))
    published = written[7]
    papers.publish_paper(coordinator, published)
    papers.revise_paper(coordinator, published, PAYLOADS[8][:200], PAYLOADS[9])
    papers.sign_paper(signer, published)
    login_as(coordinator)
    for paper in written[::chunk]:
        page = client.get(f"/papers/{paper.id}").get_data(as_text=True)
        assert page.count('href="/papers/') >= len(PAYLOADS) - 1  # the whole history
        assert_safe(page, f"paper {paper.id}")
    index = client.get("/papers/").get_data(as_text=True)
    assert index.count('href="/papers/') >= len(PAYLOADS) - 1
    assert_safe(index, "/papers/")
    for url in (
        f"/papers/{published.id}",
        f"/papers/{published.id}/revisions/2",
        f"/papers/{published.id}/edit",
        f"/debate/draft/{draft.id}",
    ):
        assert_safe(client.get(url).get_data(as_text=True), url)
    with app.test_request_context():
        partial = render_template(
            "papers/_positions.html",
            tendency_positions=paper_queries.positions(subject, coordinator),
        )
    assert "Read it all" in partial
    assert_safe(partial, "what the tendencies say")


def test_tendency_names_and_lines(client, login_as):
    tendencies = [
        make_tendency(f"{i} {payload}"[:120], line=payload) for i, payload in enumerate(PAYLOADS)
    ]
    login_as(make_member())
    page = client.get("/tendencies/").get_data(as_text=True)
    assert page.count('class="tendency card"') == len(PAYLOADS)
    assert_safe(page, "tendencies")
    for tendency in tendencies[:40]:
        url = f"/tendencies/{tendency.id}"
        assert_safe(client.get(url).get_data(as_text=True), url)


@pytest.mark.sweep
def test_draft_titles(client, login_as):
    login_as(make_member())
    for payload in PAYLOADS:
        draft = make_draft(title=payload[:200] or "x")
        page = client.get(f"/debate/draft/{draft.id}").get_data(as_text=True)
        assert_safe(page, f"draft titled {payload!r}")


def test_draft_and_amendment_pages(client, login_as, app, monkeypatch):
    """The papers, the paragraph margin and the thread as the draft pages include them."""
    monkeypatch.setitem(app.config, "THREAD_PAGE_SIZE", 2000)
    convener = make_member("Convener", role=MemberRole.CONVENER)
    draft = make_draft(convener, title=PAYLOADS[10][:200], open_window=False)
    drafts.open_amendment_window(convener, draft, utcnow() + timedelta(days=3))
    authors = _hostile_people(30)
    amendment = drafts.propose_amendment(
        authors[0],
        draft,
        version_number=1,
        kind="replace",
        first=1,
        last=1,
        new_text=PAYLOADS[11],
        title=PAYLOADS[12][:200],
        rationale=PAYLOADS[13],
    )
    on_draft, on_amendment = resolve("draft", draft.id), resolve("amendment", amendment.id)
    for index, payload in enumerate(PAYLOADS):
        subject = on_amendment if index % 5 == 0 else on_draft
        paragraph = (index % 3) + 1 if subject is on_draft else None
        debate.post_comment(authors[index % len(authors)], subject, payload, paragraph=paragraph)
    coordinators = {}
    for author in authors:
        membership = current_membership(author)
        if membership.tendency_id not in coordinators:
            membership.role = "coordinator"
            coordinators[membership.tendency_id] = (author, membership.tendency)
    for index, (coordinator, tendency) in enumerate(coordinators.values()):
        for subject in (on_draft, on_amendment):
            paper = papers.create_paper(
                coordinator,
                tendency,
                subject,
                PAYLOADS[20 + index][:200],
                PAYLOADS[40 + index],
            )
            papers.publish_paper(coordinator, paper)
            for author in authors:
                if current_membership(author).tendency_id == tendency.id:
                    papers.sign_paper(author, paper)
    login_as(convener)
    for url in (f"/drafts/{draft.id}", f"/drafts/{draft.id}/amendments/{amendment.number}"):
        page = client.get(url).get_data(as_text=True)
        assert "What the tendencies say" in page
        assert '<article id="c' in page
        assert_safe(page, url)
