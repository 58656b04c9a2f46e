"""Redirect targets a visitor supplies, kept to paths on this site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from werkzeug.urls import iri_to_uri


def _normalized(target: str) -> str:
    """`target` as a browser reads it from a Location header: compatibility forms folded (a
    full-width slash is a slash), C0 controls, DEL and whitespace dropped (browsers and the URL
    parser drop tabs and newlines), and what is not ASCII percent-encoded as Werkzeug does."""
    folded = unicodedata.normalize("NFKC", target)
    kept = "".join(c for c in folded if c.isprintable() and not c.isspace())
    return iri_to_uri(kept)


def same_site_path(target: str | None, default: str) -> str:
    """The path on this site that `target` names, normalized as the response will send it, or
    `default` when `target` could lead anywhere else.

    Only an absolute path is accepted: no scheme (``https:``, ``javascript:``), no host, no
    scheme-relative start (``//``), no backslash (browsers read ``/\\`` as ``//``). The checks
    run on the normalized text, and that text is what the caller redirects to, so nothing
    changes between the check and the Location header.
    """
    if not target:
        return default
    path = _normalized(target)
    parts = urlsplit(path)
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or parts.scheme
        or parts.netloc
        or not (path.isascii() and path.isprintable())
    ):
        return default
    return path
