"""The Host allow-list: requests addressed to another host get HTTP 400 (DNS rebinding).

The ``Host`` header is parsed as a URL's authority: a name or IPv4 address with an
optional port (``localhost:8050``), or a bracketed IPv6 literal with an optional port
(``[::1]:8050``). Names compare without case; a header that does not parse is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, request

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
"""Hosts always accepted (this machine)."""
ANY_ADDRESS = ("0.0.0.0", "::", "")
"""Listening addresses that name no host: never accepted in a ``Host`` header."""


def host_name(header: str) -> str | None:
    """The host of a ``Host`` header, lower-case and without brackets; None if malformed.

    Args:
        header: The header's value, e.g. ``localhost:8050`` or ``[::1]:8050``.
    """
    if not header or any(c in header for c in "/?#@\\ \t") or header.count("]") > 1:
        return None
    try:
        parts = urlsplit(f"//{header}")
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    name = parts.hostname
    if not name or (":" in name and not header.startswith("[")):
        return None
    return name


def allow_hosts(server: Flask, hosts: tuple[str, ...]) -> frozenset[str]:
    """Refuse (HTTP 400) every request to ``server`` not addressed to one of the hosts.

    Args:
        server: The Flask app.
        hosts: Host names or addresses accepted besides ``LOCAL_HOSTS`` (an IPv6 address
            with or without brackets); listening-on-any addresses are left out.

    Returns:
        The accepted host names.
    """
    accepted = frozenset(h.strip("[]").lower() for h in (*LOCAL_HOSTS, *hosts)
                         if h.strip("[]") not in ANY_ADDRESS)

    @server.before_request
    def _check_host():
        if host_name(request.headers.get("Host", "")) not in accepted:
            abort(400, "this dashboard does not answer to that Host")

    return accepted
