"""Which addresses a webhook may post to: HTTPS to a host on the public internet. A private,
loopback, link-local or otherwise reserved address is refused (the site must not be made to
call into its own network: server-side request forgery), when the endpoint is registered and
again before each delivery, since a name may come to point elsewhere. WEBHOOKS_ALLOW_LOOPBACK
lets plain http://127.0.0.1 and http://localhost through, for tests and local receivers."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app

from deliberate.errors import ValidationError

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def _loopback_allowed() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK"))


def check_url(url: str, *, resolve: bool = True) -> str:
    """The URL, trimmed, if a webhook may post to it; ValidationError saying why not."""
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError("The address is too long (500 characters at most).")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("This is not a web address.") from None
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise ValidationError("Give the full address, starting with https://.")
    if parts.username or parts.password:
        raise ValidationError("The address must not carry a user name or password.")
    if _loopback_allowed() and host in LOOPBACK_NAMES:
        return url
    if parts.scheme != "https":
        raise ValidationError(
            "Webhooks are sent over HTTPS only: the address must start with https://."
        )
    if resolve:
        check_host(host, port or 443)
    return url


def check_host(host: str, port: int) -> None:
    """ValidationError unless every address `host` names is a public one."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError):
        raise ValidationError(f"The host “{host}” cannot be found.") from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise ValidationError(
                f"The host “{host}” is a private or local address; webhooks go to public "
                "addresses only."
            )
