"""`/metrics`: the Prometheus text format, for the addresses METRICS_ALLOWED_ADDRESSES lists;
for any other, the app's ordinary 404, whatever the method, as if the page did not exist."""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Sequence

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from deliberate import events
from deliberate.metrics import counts_across_processes, multiprocess_directory
from deliberate.metrics.instruments import (
    BALLOTS_CAST,
    REGISTRY,
    REQUEST_SECONDS,
    RESPONSES,
    UNMATCHED,
    DatabaseCollector,
    method_label,
)
from deliberate.voting.events import BallotCast

bp = Blueprint("metrics", __name__)

PATH = "/metrics"
STARTED = "deliberate.metrics.started"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def allowed_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of METRICS_ALLOWED_ADDRESSES: addresses (one host) or networks in CIDR
    notation. Raises RuntimeError naming an entry that is neither."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise RuntimeError(
                f"METRICS_ALLOWED_ADDRESSES: {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def is_allowed(address: str | None, networks: Sequence[Network]) -> bool:
    """Whether the client's address (as ProxyFix resolved it) is in one of the networks; an
    IPv4 address written as IPv6 (::ffff:127.0.0.1) is its IPv4 self."""
    if not address:
        return False
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in networks)


@bp.get(PATH)
def index() -> Response:
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_directory() is not None:
        from prometheus_client.multiprocess import MultiProcessCollector

        MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    registry.register(DatabaseCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    # The text format Prometheus asks for (its Accept header), as the library's own server does.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = Response(encode(registry), mimetype=None)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Measure every request, count ballots cast, and serve `/metrics` to the listed
    addresses. Raises RuntimeError for an address list that does not parse, or when
    PROMETHEUS_MULTIPROC_DIR is set but this process imported prometheus_client before it
    was (its counts would be its own only)."""
    allowed_networks(tuple(app.config["METRICS_ALLOWED_ADDRESSES"]))  # refuse a bad list now
    folder = multiprocess_directory()
    if folder is not None:
        if not counts_across_processes():
            raise RuntimeError(
                "PROMETHEUS_MULTIPROC_DIR was set after prometheus_client was imported: set it "
                "in the environment the server starts with."
            )
        from pathlib import Path

        Path(folder).mkdir(parents=True, exist_ok=True)

    def _start() -> None:
        request.environ[STARTED] = time.perf_counter()

    def _hide_from_unlisted() -> None:
        if request.path != PATH:
            return
        networks = allowed_networks(tuple(current_app.config["METRICS_ALLOWED_ADDRESSES"]))
        if not is_allowed(request.remote_addr, networks):
            abort(404)

    def _observe(response: Response) -> Response:
        started = request.environ.get(STARTED)
        rule = request.url_rule
        endpoint = rule.endpoint if rule is not None else UNMATCHED
        if started is not None:
            REQUEST_SECONDS.labels(endpoint, method_label(request.method)).observe(
                time.perf_counter() - started
            )
        RESPONSES.labels(endpoint, str(response.status_code)).inc()
        return response

    # First of all, so the time includes every other hook (the rate limits' among them) and a
    # refused address meets nothing else.
    app.before_request_funcs.setdefault(None, []).insert(0, _hide_from_unlisted)
    app.before_request_funcs[None].insert(0, _start)
    app.after_request(_observe)
    events.subscribe(BallotCast, _ballot_cast)
    app.register_blueprint(bp)


def _ballot_cast(_event: BallotCast) -> None:
    BALLOTS_CAST.inc()
