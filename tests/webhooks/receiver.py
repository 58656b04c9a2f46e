"""A webhook receiver on 127.0.0.1 for the tests: it checks each delivery's signature as the
README tells a receiver to, keeps what it got in order, and answers the statuses it is told."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from deliberate.webhooks.signing import verify


@dataclass
class Received:
    delivery: str
    event: str
    signed: bool
    body: dict[str, Any]
    raw: bytes


@dataclass
class Receiver:
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # statuses to give first, then 200
    received: list[Received] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                signed = verify(
                    receiver.secret,
                    self.headers.get("X-Deliberate-Signature", ""),
                    raw,
                    now=int(time.time()),
                )
                receiver.received.append(
                    Received(
                        self.headers.get("X-Deliberate-Delivery", ""),
                        self.headers.get("X-Deliberate-Event", ""),
                        signed,
                        json.loads(raw),
                        raw,
                    )
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status if signed else 400)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def accepted(self) -> list[Received]:
        """What it took (a delivery it answered 500 to is not among them)."""
        return [r for r in self.received if r.signed]
