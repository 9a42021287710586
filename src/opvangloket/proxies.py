"""The real client address of a request that came through our own proxies (nginx).

Behind nginx every request's peer (``REMOTE_ADDR``) is the proxy itself. nginx appends the
peer it saw to ``X-Forwarded-For`` (``$proxy_add_x_forwarded_for``), so the client is the
rightmost address in that header that is not one of our proxies. Whatever a client wrote
into the header itself stands further left and is never read. A request whose peer is not
a trusted proxy (gunicorn reached directly) is that peer: its header is ignored. gunicorn
on a Unix socket has no peer address; only local processes reach it, so it counts as a
trusted proxy.

Trusted proxies come from ``OPVANGLOKET_TRUSTED_PROXIES`` (addresses or networks; default
``127.0.0.1,::1``: nginx on the same host, as in deploy/nginx/opvangloket.conf).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the person's device as our outermost proxy saw it."""
    networks = _networks(tuple(settings.OPVANGLOKET_TRUSTED_PROXIES))
    remote = request.META.get("REMOTE_ADDR") or ""
    peer = _address(remote)
    if peer is None and remote:
        return remote  # not an address (a test harness): counted as it is
    if peer is not None and not _trusted(peer, networks):
        return str(peer)
    # A trusted proxy, or no peer address at all: gunicorn on a Unix socket, which only
    # processes on this host (nginx) can reach.
    client = peer
    hops = request.headers.get("X-Forwarded-For", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy of ours: stop at the last address we trust
        client = address
        if not _trusted(address, networks):
            break
    return str(client) if client is not None else "unknown"
