"""Prometheus metrics: what the app counts, read at `/metrics` by the listed addresses only.

This module is light on purpose: gunicorn's configuration imports its hooks (`on_starting`,
`child_exit`) in the master process, and prometheus_client decides once, when it is first
imported, whether it counts for one process or for several through files in
PROMETHEUS_MULTIPROC_DIR. So nothing here imports it at the top: the master sets the variable
first (`on_starting`), and every worker it forks then imports prometheus_client already in
multiprocess mode. The metrics themselves are in `instruments.py`, the page in `views.py`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_made: list[str] = []  # the folder on_starting made, if it made one


def multiprocess_directory() -> str | None:
    """The folder the processes of this server share their counts through, if any."""
    return os.environ.get(MULTIPROC_VARIABLE) or None


def counts_across_processes() -> bool:
    """Whether prometheus_client, as imported in this process, writes its counts to the
    shared folder (it chose when it was imported, from the environment of that moment)."""
    from prometheus_client import values

    return bool(getattr(values.ValueClass, "_multiprocess", False))


def on_starting(server: Any = None) -> None:
    """gunicorn's `on_starting` hook, in the master before any worker: make sure the workers
    share their counts through a folder, emptied now (counts of an earlier run would be added
    to this one's, and a process id used again would be confused with an old one).

    PROMETHEUS_MULTIPROC_DIR names the folder; unset, a new private folder is made and named
    in the environment the workers inherit. Raises RuntimeError when prometheus_client was
    already imported in the master without it (the app preloaded before the variable was
    set): the workers would then each count alone and a scrape would see one of them."""
    folder = multiprocess_directory()
    if folder is None:
        folder = tempfile.mkdtemp(prefix="deliberate-metrics-")
        os.environ[MULTIPROC_VARIABLE] = folder
        _made.append(folder)
    else:
        path = Path(folder)
        if path.is_dir():
            for entry in path.iterdir():
                if entry.suffix == ".db":
                    entry.unlink()
        path.mkdir(parents=True, exist_ok=True)
    if "prometheus_client.values" in sys.modules and not counts_across_processes():
        raise RuntimeError(
            "prometheus_client was imported before PROMETHEUS_MULTIPROC_DIR was set: set it in "
            "the environment gunicorn starts with (not with gunicorn's raw_env), or do not "
            "preload the app."
        )


def on_exit(server: Any = None) -> None:
    """gunicorn's `on_exit` hook: remove the folder `on_starting` made (one named in the
    environment is the operator's, and stays)."""
    while _made:
        shutil.rmtree(_made.pop(), ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's `child_exit` hook, in the master when a worker has exited: its files stay
    (its counts are kept in the totals) but its live gauges are dropped, as prometheus_client
    asks of a multiprocess server."""
    if multiprocess_directory() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
