"""Open redirects: a user-supplied target leads to a path on this site, whatever its disguise."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from deliberate.redirects import same_site_path
from tests.factories import PASSWORD, make_member

PACKAGE = Path(__file__).resolve().parents[2] / "deliberate"

# Known ways to turn a "local" redirect target into another site, or into a broken header.
BYPASSES = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\t/evil.example",
    "/\t\t/evil.example",
    "\t//evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x0c/evil.example",
    "/\x1f/evil.example",
    "/\x7f/evil.example",
    "/ /evil.example",
    " //evil.example",
    "/\u3000/evil.example",
    "/\u00a0/evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "https:evil.example",
    "https:/evil.example",
    "HTTPS://evil.example",
    "//evil.example@deliberate.test",
    "http://deliberate.test@evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\uff0f/evil.example",
    "\uff0f\uff0fevil.example",
    "/\uff3cevil.example",
    "/\u2215/evil.example",
    "evil.example",
    ".evil.example",
    "@evil.example",
    "/.evil.example",
    "/..//evil.example",
    "",
]


def lands_on_this_site(location: str) -> bool:
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == "deliberate.test"
    return location.startswith("/") and not location.startswith("//")


@pytest.mark.parametrize("target", BYPASSES)
def test_the_helper_keeps_every_bypass_on_this_site(target):
    path = same_site_path(target, "/")
    assert path.isascii()
    assert path.isprintable()
    assert "\\" not in path
    assert lands_on_this_site(path), path


@pytest.mark.parametrize("target", BYPASSES)
def test_login_never_redirects_off_site(client, session, target):
    member = make_member()
    response = client.post(
        "/login?next=" + quote(target, safe=""),
        data={"email": member.email, "password": PASSWORD},
    )
    assert response.status_code == 303, target
    location = response.headers["Location"]
    assert lands_on_this_site(location), (target, location)
    assert "evil" not in urlsplit(location).netloc


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/members/", "/members/"),
        ("/drafts/3?version=2#p4", "/drafts/3?version=2#p4"),
        ("/members/?q=M\u00fcller", "/members/?q=M%C3%BCller"),
    ],
)
def test_a_same_site_target_is_kept(client, session, target, expected):
    member = make_member()
    response = client.post(
        "/login?next=" + quote(target, safe=""),
        data={"email": member.email, "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def _mentions_request(node: ast.AST) -> bool:
    """Whether `node` uses the request, outside the calls that make a same-site URL of it."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
        "same_site_path",
        "url_for",
    ):
        return False
    if isinstance(node, ast.Name) and node.id == "request":
        return True
    return any(_mentions_request(child) for child in ast.iter_child_nodes(node))


def test_every_redirect_to_a_requested_target_goes_through_the_check():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "redirect":
                continue
            arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            if any(_mentions_request(argument) for argument in arguments):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert offenders == [], "redirect to a requested target without same_site_path"
