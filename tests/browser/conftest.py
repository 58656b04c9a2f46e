"""Browser tests: the app served by gunicorn on its own database, driven by Debian's Chromium.

Without Chromium (or Playwright) the tests skip and say why; with REQUIRE_BROWSER=1, as in CI,
that skip is a failure instead. Each test file gets its own server and database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deliberate import create_app
from deliberate.extensions import db
from tests.conftest import POSTGRES_URL

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# axe-core comes from the npm registry into a git-ignored folder (`make browser-tools`).
AXE_VERSION = "4.14.1"
AXE_DIR = PROJECT_ROOT / ".browser-tools"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
PASSWORD = "a browser test password"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (requirements-test.lock)"
    return None


def skip_or_fail(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = browser_missing()
    if reason:
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def own_postgres_database(url: str, purpose: str) -> Iterator[str]:
    """A PostgreSQL database of this server's own, dropped afterwards."""
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"deliberate_browser_{purpose}_{os.getpid()}"
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


@dataclass
class LiveServer:
    """A running app: its address, and an app of our own on the same database for setup."""

    url: str
    app: Any
    log: Path
    pages: list[str] = field(default_factory=list)

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    @contextmanager
    def setup(self) -> Iterator[None]:
        """Write to the server's database directly (committed at the end of the block)."""
        with self.app.app_context():
            yield
            db.session.commit()
            db.session.remove()


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text(encoding='utf-8')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:  # noqa: S310 (our own http://127.0.0.1 server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer: {log.read_text(encoding='utf-8')[-2000:]}")


@contextmanager
def live_server(
    tmp_dir: Path, purpose: str, populate: Callable[[], None] | None = None
) -> Iterator[LiveServer]:
    """Serve the app with gunicorn on 127.0.0.1 on a fresh database (tables made from the
    models, then `populate` run and committed)."""
    with ExitStack() as stack:
        if POSTGRES_URL:
            from config import database_url

            uri = stack.enter_context(own_postgres_database(database_url(POSTGRES_URL), purpose))
        else:
            uri = f"sqlite:///{tmp_dir / f'{purpose}.db'}"
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": uri})
        with app.app_context():
            db.create_all()
            if populate is not None:
                populate()
            db.session.commit()
            db.session.remove()
        port = free_port()
        log = tmp_dir / f"{purpose}-server.log"
        env = {
            **os.environ,
            "DELIBERATE_ENV": "testing",
            "DATABASE_URL": uri,
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        with log.open("wb") as log_file:
            process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
                [
                    str(BIN / "gunicorn"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--log-level",
                    "warning",
                    "deliberate:create_app()",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url, process, log)
            yield LiveServer(url=url, app=app, log=log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with app.app_context():
                db.engine.dispose()


@dataclass
class Watch:
    """What a page did that a member would never want: dialogs, script errors, and requests
    to any other origin."""

    origin: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        def on_page(page: Any) -> None:
            page.on("dialog", self._dialog)
            page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
            page.on("console", lambda message: self._console(page, message))

        context.on("page", on_page)
        context.on("request", self._request)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, page: Any, message: Any) -> None:
        source = message.location.get("url", "")
        # A page answering an error status is the test's to judge; browsers ask for an icon.
        if message.type == "error" and source != page.url and "favicon.ico" not in source:
            self.errors.append(f"{page.url}: {message.text}")

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.origin) and not request.url.startswith("data:"):
            self.foreign.append(request.url)

    def assert_clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.errors == [], self.errors
        assert self.foreign == [], self.foreign


@dataclass
class People:
    """Browser contexts, each logged in as one person."""

    browser: Any
    server: LiveServer
    watch: Watch
    contexts: list[Any] = field(default_factory=list)

    def new_page(self, viewport: tuple[int, int] = (1280, 900)) -> Any:
        context = self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, base_url=self.server.url
        )
        context.set_default_timeout(15_000)
        self.watch.attach(context)
        self.contexts.append(context)
        return context.new_page()

    def login(
        self, email: str, password: str = PASSWORD, viewport: tuple[int, int] = (1280, 900)
    ) -> Any:
        page = self.new_page(viewport)
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, page.locator("main").inner_text()
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser: Any, server: LiveServer) -> Iterator[People]:
    watch = Watch(origin=server.url)
    group = People(browser=browser, server=server, watch=watch)
    yield group
    group.close()


def axe_script() -> str:
    """axe-core's script, installed from the npm registry when it is not there yet."""
    if not AXE_SCRIPT.exists():
        try:
            subprocess.run(  # noqa: S603 (fixed arguments)
                [  # noqa: S607 (npm from the PATH, as a developer runs it)
                    "npm",
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(AXE_DIR),
                    f"axe-core@{AXE_VERSION}",
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (OSError, subprocess.SubprocessError) as error:
            skip_or_fail(f"axe-core could not be installed from the npm registry: {error}")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Any, script: str) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol, so the page's Content Security Policy does not apply.
        page.evaluate(script)
    report = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"][:5]],
        }
        for violation in report["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


def describe(report: Any) -> str:
    return json.dumps(report, indent=1, ensure_ascii=False)
