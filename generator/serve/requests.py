"""Whether a request is this preview's: its Host (DNS rebinding), its Origin (cross-site
WebSocket hijacking) and its path (traversal). Pure functions of the request's headers."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import unquote, urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
"""``--host`` values that listen on every address of the machine."""


def allowed_hosts(host: str) -> frozenset[str]:
    """The names a Host may give when listening on ``host``, besides any IP address."""
    allowed = LOOPBACK_HOSTS | {host.strip("[]").lower()}
    if host in WILDCARD_HOSTS:  # reached by this machine's addresses, and by its name on the network
        allowed |= {socket.gethostname().lower()}
    return frozenset(allowed)


def host_allowed(host_header: str | None, allowed: frozenset[str]) -> bool:
    """A Host that names this preview: an IP address, or one of ``allowed`` (DNS-rebinding
    defence: a page of an attacker's name rebound to this machine sends that name, and an
    address cannot be rebound). The port is free, so that a forwarded port still works."""
    found = host_and_port(host_header or "")
    if found is None:
        return False
    if found[0] in allowed:
        return True
    try:
        address = ipaddress.ip_address(found[0])
    except ValueError:
        return False
    return not (address.is_unspecified or address.is_multicast)


def own_origin(origin: str, host_header: str | None, allowed: frozenset[str]) -> bool:
    """``origin`` is this preview's own as the browser addressed it: ``http://`` and the Host it sent.
    A page on another port, over https, sandboxed or from disk (``null``) is another origin."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return (parts.scheme.lower() == "http" and not (parts.path or parts.query or parts.fragment)
            and host_allowed(host_header, allowed)
            and host_and_port(parts.netloc) == host_and_port(host_header or ""))


def host_and_port(netloc: str) -> tuple[str, int] | None:
    """``host[:port]`` as (the host in lower case, the port: 80 when left out); None for anything else."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or "@" in netloc or parts.path or parts.query or parts.fragment:
        return None
    return parts.hostname.lower(), 80 if port is None else port


def is_traversal(raw_path: str) -> bool:
    """``..``, backslashes or NUL in the path, raw or percent-encoded at any depth."""
    text = raw_path
    for _ in range(4):
        lowered = text.lower()
        if "\\" in text or "\x00" in text or any(seg in ("..", ".") for seg in text.split("/")):
            return True
        if "%" not in lowered:
            return False
        text = unquote(text)
    return True  # still percent-encoded after four rounds: nobody's real file name
