"""Deliberate: debate and decide common texts in a multi-tendency organization."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application (deliberate/app.py). The package itself imports no Flask, so that
    its pure cores (the counting engine, the rules, the chain) load without the web layer."""
    from deliberate.app import create_app as build

    return build(overrides)
