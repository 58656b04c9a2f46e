"""Several gunicorn workers, one set of figures: every scrape, whichever worker answers it,
adds up what all the workers counted, through PROMETHEUS_MULTIPROC_DIR; a worker that exits
(and is replaced) keeps its counts in the totals, through the `child_exit` hook."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from deliberate import create_app
from deliberate.extensions import db

PORTS = range(8540, 8560)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def help_page_count(base: str) -> float:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as answer:  # noqa: S310 (our server)
        text = answer.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "deliberate_responses_total" and sample.labels == {
                "endpoint": "main.help_page",
                "status": "200",
            }:
                return sample.value
    return 0.0


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (our server)
        return int(answer.status)


def exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(check, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("gave up waiting")


@pytest.mark.skipif(os.environ.get("DELIBERATE_TEST_DB") is not None, reason="SQLite file only")
def test_every_worker_s_counts_reach_every_scrape(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'served.db'}"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left by an earlier run")  # must be emptied first
    port = free_port()
    (tmp_path / "gunicorn.conf.py").write_text(
        "from pathlib import Path\n"
        "from deliberate.metrics import child_exit, on_exit, on_starting  # noqa: F401\n"
        f"bind = '127.0.0.1:{port}'\nworkers = 2\n"
        "def post_worker_init(worker):\n"
        f"    Path({str(tmp_path)!r}, f'booted_{{worker.pid}}').touch()\n"
    )
    environment = {
        **os.environ,
        "DELIBERATE_ENV": "testing",
        "DATABASE_URL": database,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "deliberate:create_app()"],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: len(list(tmp_path.glob("booted_*"))) == 2)
        assert get(f"{base}/help") == 200
        with ThreadPoolExecutor(max_workers=6) as pool:
            assert set(pool.map(get, [f"{base}/help"] * 59)) == {200}

        def workers_that_counted() -> set[int]:
            return {int(path.stem.split("_")[-1]) for path in folder.glob("counter_*.db")}

        assert len(workers_that_counted()) == 2  # both workers answered, each counted apart
        assert [help_page_count(base) for _ in range(6)] == [60.0] * 6

        gone = min(workers_that_counted())
        os.kill(gone, signal.SIGTERM)  # a worker of the server this test started
        wait_until(lambda: not exists(gone))
        assert get(f"{base}/help") == 200
        assert [help_page_count(base) for _ in range(6)] == [61.0] * 6
    finally:
        server.send_signal(signal.SIGTERM)
        _out, errors = server.communicate(timeout=30)
    assert b"Traceback" not in errors, errors.decode()[-3000:]
