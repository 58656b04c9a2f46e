"""The pure cores import no web framework and the models import no page cache: each is
imported alone, in a fresh interpreter, and what it pulled in is read from `sys.modules`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_CORES = [
    "deliberate.voting.rules",
    "deliberate.voting.results",
    "deliberate.voting.counting",
    "deliberate.decisions.chain",
    "deliberate.errors",
    "deliberate.events",
]
MODELS = [
    "deliberate.accounts.models",
    "deliberate.tendencies.models",
    "deliberate.drafts.models",
    "deliberate.debate.models",
    "deliberate.papers.models",
    "deliberate.voting.models",
    "deliberate.decisions.models",
    "deliberate.bodies.models",
    "deliberate.audit.models",
    "deliberate.models",
]


def imported_by(module: str) -> list[str]:
    """Every module that importing `module` alone loads."""
    script = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run(  # noqa: S603 (this interpreter, importing a module of ours by name)
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(run.stdout)


def flask_modules(modules: list[str]) -> list[str]:
    return [name for name in modules if name == "flask" or name.startswith(("flask.", "flask_"))]


@pytest.mark.parametrize("module", PURE_CORES)
def test_a_pure_core_imports_no_flask(module):
    assert flask_modules(imported_by(module)) == []


@pytest.mark.parametrize("module", MODELS)
def test_a_model_module_imports_neither_the_page_cache_nor_flask(module):
    loaded = imported_by(module)
    assert "deliberate.fragments" not in loaded
    assert flask_modules(loaded) == []
