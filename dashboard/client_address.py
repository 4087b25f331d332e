"""The address a dashboard sign-in comes from, for the per-client lockout.

Streamlit gives the WebSocket peer's address (and None for loopback). Behind a reverse proxy
that peer is the proxy; the client is in the X-Forwarded-For header, which is believed only
when the peer is a proxy the settings trust (ICTR_TRUSTED_PROXIES): anyone else can write
any address there.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

LOOPBACK = "127.0.0.1"
Network = IPv4Network | IPv6Network


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address, proxies: Sequence[Network]) -> bool:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], trusted_proxies: Sequence[Network]
) -> str:
    """`peer` as Streamlit reports it; `forwarded_for` the X-Forwarded-For header(s).

    Each proxy appends the address it was reached from, so the header is read from the right:
    the first address that is not a trusted proxy is the client. A malformed entry ends the
    walk at the last proxy trusted so far.
    """
    current = peer or LOOPBACK
    parsed = _parse(current)
    if parsed is None or not _trusted(parsed, trusted_proxies):
        return current
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return current
        current = str(address)
        if not _trusted(address, trusted_proxies):
            return current
    return current
