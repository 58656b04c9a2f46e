"""A browser's side of the topology: requests through nginx over TLS, with the cookies, the
Referer and the request id a browser (and a load balancer) would send, and which instance
answered each one, read from nginx's log."""

from __future__ import annotations

import http.client
import re
import secrets
import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from deploy.topology import Topology

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
RECEIPT = re.compile(r'data-receipt-code="([^"]+)"')
USER_AGENT = "deliberate-bench/1"  # what bench.bench_voting.session_cookie signs sessions for


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str
    request_id: str
    instance: str = ""


def send(
    port: int,
    tls: ssl.SSLContext,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes | None = None,
    timeout: float = 60,
) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls)
    try:
        connection.request(method, path, body=body, headers=dict(headers))
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


@dataclass
class Visitor:
    """One person's browser. `on="a"` or `"b"` aims a request at an instance: nginx's one
    worker process alternates between the two (round robin), so a cheap /healthz goes to the
    other one first when needed; the log then confirms where the request went."""

    topology: Topology
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        form: Mapping[str, Any] | None = None,
        on: str | None = None,
        headers: Mapping[str, str] | None = None,
        referer: bool = True,
    ) -> Answer:
        if on is not None:
            self._aim(on)
        request_id = secrets.token_hex(12)
        sent = {"User-Agent": USER_AGENT, "X-Request-ID": request_id}
        if referer:
            sent["Referer"] = self.topology.url + path
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        status, answer_headers, text = send(
            self.topology.ports.https, self.topology.tls(), method, path, sent, body
        )
        for cookie in answer_headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "01 Jan 1970" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        instance = self.topology.instance_of(upstream_of(self.topology, request_id))
        if on is not None:
            assert instance == on, f"{method} {path} went to {instance!r}, not {on!r}"
        return Answer(status, answer_headers, text, request_id, instance)

    def get(self, path: str, on: str | None = None) -> Answer:
        return self.request("GET", path, on=on)

    def post(self, path: str, form: Mapping[str, Any], on: str | None = None) -> Answer:
        return self.request("POST", path, form, on=on)

    def token(self, path: str, on: str | None = None) -> str:
        """The CSRF token of the form on the page at `path`."""
        page = self.get(path, on=on)
        found = CSRF.search(page.body)
        assert found, f"no form on {path} ({page.status})"
        return found.group(1) or found.group(2)

    def log_in(self, email: str, password: str, on: str | None = None, then: str = "") -> Answer:
        token = self.token("/login", on=on)
        return self.post(
            "/login",
            {"csrf_token": token, "email": email, "password": password},
            on=then or on,
        )

    def _aim(self, instance: str) -> None:
        """Two cheap requests that went to different instances show nginx alternating again
        (after an instance failed, it may favour the other for a while): the next goes where
        the first of them went."""
        for _ in range(20):
            first, second = self._filler(), self._filler()
            if {first, second} == {"a", "b"}:
                if first != instance:
                    self._filler()
                return
            time.sleep(0.2)
        raise AssertionError("nginx does not alternate between the instances")

    def _filler(self) -> str:
        return self.request("GET", "/healthz", referer=False).instance


def upstream_of(topology: Topology, request_id: str) -> str:
    for _ in range(50):  # nginx writes the line as the response ends; a moment at most
        for entry in reversed(topology.nginx_log()):
            if entry.get("request_id") == request_id:
                return entry.get("upstream", "")
        time.sleep(0.02)
    return ""


# --- the load: many members casting at once, from a process of its own ------------------------


@dataclass(frozen=True)
class Cast:
    member_id: int
    cookie: str
    body: bytes


@dataclass(frozen=True)
class Sent:
    member_id: int
    status: int
    receipt: str | None
    request_id: str
    started: float
    finished: float


def cast_all(
    port: int,
    cafile: str,
    url: str,
    path: str,
    casts: Sequence[Cast],
    clients: int,
    pause_at: int,
    resume: Any,
    results: Any,
) -> None:
    """Send every cast from `clients` threads; after `pause_at` of them, wait for `resume`
    (an Event) before sending the rest. Puts the list of Sent on `results`. Runs in a process
    of its own."""
    tls = ssl.create_default_context(cafile=cafile)
    lock = threading.Lock()
    position = 0
    sent: list[Sent] = []

    def client() -> None:
        nonlocal position
        while True:
            with lock:
                if position >= len(casts):
                    return
                index = position
                position += 1
            if index == pause_at:
                resume.wait(120)
            elif index > pause_at:
                while not resume.is_set():
                    resume.wait(1)
            cast = casts[index]
            request_id = secrets.token_hex(12)
            headers = {
                "User-Agent": USER_AGENT,
                "X-Request-ID": request_id,
                "Referer": url + path,
                "Cookie": f"session={cast.cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            started = time.time()
            try:
                status, _headers, body = send(port, tls, "POST", path, headers, cast.body)
            except OSError:
                status, body = 0, ""
            found = RECEIPT.search(body)
            with lock:
                sent.append(
                    Sent(cast.member_id, status, found.group(1) if found else None, request_id,
                         started, time.time())
                )  # fmt: skip

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(sent)
