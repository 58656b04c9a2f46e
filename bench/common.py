"""What the page benchmarks share: a throwaway app, a small organization, percentiles."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from flask import Flask

from deliberate import create_app
from deliberate.accounts.models import Member, MemberRole
from deliberate.accounts.services import create_member
from deliberate.extensions import db
from deliberate.tendencies.models import MembershipRole, Tendency
from deliberate.tendencies.services import add_membership, register_tendency

PASSWORD = "bench-password-123"  # noqa: S105 (a throwaway local database)


def bench_app(folder: str) -> Flask:
    """An app on a new SQLite file in `folder`, its schema made from the models."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
    return app


def organization() -> tuple[Member, list[Member], list[Tendency]]:
    """A convener, 60 members and three tendencies holding 45 of them (flushed)."""
    convener = create_member(
        "convener@bench.example", "Convener", PASSWORD, role=MemberRole.CONVENER
    )
    members = [
        create_member(f"member{i}@bench.example", f"Member {i:02d}", PASSWORD) for i in range(60)
    ]
    tendencies = [
        register_tendency(convener, f"Tendency {name}", f"The line of {name}.", [members[i]])
        for i, name in enumerate(("A", "B", "C"))
    ]
    for i, member in enumerate(members[3:45], start=3):
        add_membership(tendencies[i % 3], member, role=MembershipRole.MEMBER)
    return convener, members, tendencies


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


T = TypeVar("T")
R = TypeVar("R")


def concurrently(items: Sequence[T], clients: int, do: Callable[[T], R]) -> tuple[list[R], float]:
    """`do` each item from `clients` threads (each takes the next one waiting); every result,
    in the items' order, and the wall time in seconds."""
    results: list[R | None] = [None] * len(items)
    following = iter(range(len(items)))
    taking = threading.Lock()

    def client() -> None:
        while True:
            with taking:
                index = next(following, None)
            if index is None:
                return
            results[index] = do(items[index])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None], time.perf_counter() - started
