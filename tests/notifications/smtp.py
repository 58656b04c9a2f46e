"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), with the faults a mail server
shows: refusing connections, dropping one mid-batch, refusing an address, holding a message."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Sink:
    """What the server accepted, and the faults it is told to show."""

    messages: list[EmailMessage] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)  # each message's envelope sender
    refused: set[str] = field(default_factory=set)  # addresses answered 550
    drop_at: int | None = None  # drop the connection when the n-th message's data arrives
    hold_at: int | None = None  # hold the n-th message until `release` is set, then refuse it
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    data_seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        with self.lock:
            self.data_seen += 1
            seen = self.data_seen
        if self.drop_at is not None and seen == self.drop_at:
            self.drop_at = None
            server.transport.close()  # the connection dies before the server answers
            return "421 4.3.0 Going away"
        if self.hold_at is not None and seen == self.hold_at:
            self.hold_at = None
            self.held.set()
            while not self.release.wait(0.05):
                pass
            return "451 4.3.0 Try again later"
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            self.senders.append(envelope.mail_from)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.sink = Sink()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())
