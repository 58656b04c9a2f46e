"""Mistakes are explained, not thrown: every form, sent with input it refuses, comes back as
the same page with the member's input kept and the message beside the field, and nothing
stored. Cases are in refused_forms.yaml; every POST route of the app must be listed there."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from tests.security.conftest import client_as, world_case
from tests.security.snapshot import DatabaseWatch

WALK: dict[str, Any] = yaml.safe_load(Path(__file__).with_name("refused_forms.yaml").read_text())
FORMS: dict[str, list[dict[str, Any]]] = WALK["forms"]
BUTTONS: dict[str, str] = WALK["buttons"]
REFUSAL_STATUSES = {400, 409, 422}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

CASES = [
    pytest.param(endpoint, index, id=f"{endpoint}[{index}]")
    for endpoint, cases in FORMS.items()
    for index, _case in enumerate(cases)
]


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Tree(HTMLParser):
    """A page as a tree of elements (enough to find a field, its container and its form)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {})
        self.current = self.root
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(
            Node(tag, {name: value or "" for name, value in attrs}, self.current)
        )

    def handle_endtag(self, tag: str) -> None:
        for node in [self.current, *self.current.ancestors()]:
            if node.tag == tag:
                self.current = node.parent or self.root
                return

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def _form_posting_to(tree: Tree, path: str, page_url: str) -> list[Node]:
    return [
        form
        for form in (n for n in tree.root.walk() if n.tag == "form")
        if form.attrs.get("method", "get").lower() == "post"
        and urlsplit(urljoin(page_url, form.attrs.get("action", ""))).path == path
    ]


def _named(form: Node, name: str) -> list[Node]:
    return [n for n in form.walk() if n.attrs.get("name") == name]


def _container(element: Node, form: Node) -> Node:
    """The field's own box: its `div.field` or `fieldset`, else the form."""
    for node in element.ancestors():
        if node is form or node.tag == "fieldset" or "field" in node.classes:
            return node
    return form


def _message_beside(element: Node, form: Node) -> str:
    box = _container(element, form)
    return " ".join(
        n.text().strip()
        for n in box.walk()
        if ("error" in n.classes or n.attrs.get("role") == "alert") and n.text().strip()
    )


def _shown_value(elements: list[Node]) -> str:
    """What the page shows in a field: typed text, the option chosen, the boxes ticked."""
    shown = []
    for element in elements:
        if element.tag == "textarea":
            shown.append(element.text())
        elif element.tag == "select":
            shown += [o.attrs.get("value", "") for o in element.walk() if "selected" in o.attrs]
        elif element.attrs.get("type") in {"radio", "checkbox"}:
            if "checked" in element.attrs:
                shown.append(element.attrs.get("value", ""))
        else:
            shown.append(element.attrs.get("value", ""))
    return "\n".join(shown)


def test_every_post_route_is_walked_or_a_button_with_a_reason(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(
        f"POST {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set())
        and rule.endpoint not in FORMS
        and rule.endpoint not in BUTTONS
    )
    assert not missing, "POST routes missing from refused_forms.yaml:\n" + "\n".join(missing)
    assert not set(FORMS) & set(BUTTONS)
    assert all(reason.strip() for reason in BUTTONS.values())
    assert set(FORMS) | set(BUTTONS) <= endpoints, "refused_forms.yaml names unknown routes"


@pytest.mark.sweep
@pytest.mark.parametrize(("endpoint", "index"), CASES)
def test_a_refused_form_comes_back_with_the_input_and_the_message(app, built, endpoint, index):
    case = FORMS[endpoint][index]
    url = case["url"].format(**built.values)
    path = urlsplit(url).path
    with world_case(built, case.get("state")):
        client = client_as(app, built, case["as"])
        with DatabaseWatch(built.connection) as watch:
            response = client.post(url, data=case["data"])
            assert watch.unchanged(), f"a refused form changed {watch.changed_tables}"
    page = response.get_data(as_text=True)
    expected = {case["status"]} if "status" in case else REFUSAL_STATUSES
    assert response.status_code in expected, (response.status_code, page[:600])
    assert response.mimetype == "text/html"
    tree = Tree(page)
    alerts = [
        n.text().strip()
        for n in tree.root.walk()
        if "error" in n.classes or "error-message" in n.classes or n.attrs.get("role") == "alert"
    ]
    forms = _form_posting_to(tree, path, url)
    assert forms, f"the page that came back has no form posting to {path}"
    fields = [(form, element) for form in forms for element in _named(form, case["field"])]
    assert fields, f"the form came back without its field {case['field']!r}"
    messages = [_message_beside(element, form) for form, element in fields]
    assert any(messages), f"no message beside {case['field']!r}; the page says {alerts}"
    kept = case.get("kept")
    if kept is None:
        kept = {case["field"]: case["data"][case["field"]]}
    form = next(form for (form, _element), message in zip(fields, messages, strict=True) if message)
    for name, text in kept.items():
        shown = _shown_value(_named(form, name))
        assert text in shown, f"{name!r} came back as {shown!r}, not with {text!r}"
