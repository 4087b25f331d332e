"""Which addresses a probe may be sent to: one rule, used by the importer and by every round.

An IPv6 address can carry an IPv4 address that a tunnel or translator then sends to
(``::ffff:255.255.255.255`` is the limited broadcast in another spelling), so embedded forms
are unwrapped before the address is judged. What depends on the probing host (the network and
broadcast addresses of the subnets it is attached to) is passed in by the caller.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address


class UnclearAddress(ValueError):
    """Text the system resolver reads as an IPv4 address other than the one people read."""


NOTHING_ATTACHED: Mapping[IPAddress, str] = {}

_LIMITED_BROADCAST = IPv4Address("255.255.255.255")
_THIS_NETWORK = IPv4Network("0.0.0.0/8")
_LOOPBACK = IPv4Network("127.0.0.0/8")
# The deprecated IPv4-compatible (::a.b.c.d, which also holds :: and ::1) and IPv4-translated
# (::ffff:0:a.b.c.d) forms.
_COMPATIBLE = (IPv6Network("::/96"), IPv6Network("::ffff:0:0:0/96"))
_NAT64 = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
# ISATAP interface identifiers (RFC 5214): 0000:5efe or 0200:5efe, then the IPv4 address.
_ISATAP_IDS = (0x0000_5EFE, 0x0200_5EFE)


def refusal(ip: IPAddress, attached: Mapping[IPAddress, str] = NOTHING_ATTACHED) -> str | None:
    """Why `ip` must never be probed ("a multicast address"), or None when it may be.

    `attached` maps the probing host's own subnet addresses to their reason; the importer,
    which does not know which host will probe, passes nothing.
    """
    if isinstance(ip, IPv4Address):
        return _ipv4_refusal(ip, attached)
    if ip.scope_id:
        # A zone names an interface of one machine: on another agent, or after a rename, the
        # same row would mean another link.
        return f"an address with a zone id (%{ip.scope_id})"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    outright = _refused_form(ip)
    if outright:
        return outright
    for form, inner in embedded_ipv4(ip):
        why = _ipv4_refusal(inner, attached)
        if why:
            return f"{form} address embedding {inner}, {why}"
    return attached.get(ip)


def _ipv4_refusal(ip: IPv4Address, attached: Mapping[IPAddress, str]) -> str | None:
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if ip == _LIMITED_BROADCAST:
        return "the limited broadcast address"
    if ip in _THIS_NETWORK:
        return "a 'this network' address (0.0.0.0/8)"
    if ip.is_reserved:
        return "a reserved address (240.0.0.0/4)"
    if ip in attached:
        return attached[ip]
    # 127.0.0.0/8's own network and broadcast addresses, even where no route lists them.
    if ip == _LOOPBACK.network_address:
        return "the network address of 127.0.0.0/8"
    if ip == _LOOPBACK.broadcast_address:
        return "the broadcast address of 127.0.0.0/8"
    return None


def _refused_form(ip: IPv6Address) -> str | None:
    """Embedded forms refused whatever IPv4 address they carry."""
    if any(ip in block for block in _COMPATIBLE) and not ip.is_loopback:
        # Deprecated since RFC 4291; the kernel's automatic sit tunnel would send these to
        # the last 32 bits as IPv4, and no current host is reached this way.
        return "a deprecated IPv4-compatible address (::/96, ::ffff:0:0:0/96)"
    if ip.teredo is not None:
        # Teredo needs servers and relays on the internet, which this network has not; its
        # client address is obfuscated and carried in UDP, so there is no one IPv4 to judge.
        return "a Teredo address (2001::/32)"
    if ip in _NAT64_LOCAL:
        # Local NAT64 prefixes may be /48 to /96: where the IPv4 address sits is unknown.
        return "a local-use NAT64 address (64:ff9b:1::/48)"
    return None


def embedded_ipv4(ip: IPv6Address) -> list[tuple[str, IPv4Address]]:
    """The IPv4 addresses packets to `ip` end up at, with the form's name.

    These forms are judged by the IPv4 rules rather than refused: an IPv4-mapped address is
    the IPv4 address itself, and a 6to4 router, a NAT64 gateway or an ISATAP tunnel forwards to
    the IPv4 address it carries, so that address is the one that must be allowed.
    """
    found: list[tuple[str, IPv4Address]] = []
    if ip.ipv4_mapped is not None:
        found.append(("an IPv4-mapped", ip.ipv4_mapped))
    if ip.sixtofour is not None:
        found.append(("a 6to4", ip.sixtofour))
    low32 = IPv4Address(int(ip) & 0xFFFF_FFFF)
    if ip in _NAT64:
        found.append(("a NAT64", low32))
    if (int(ip) >> 32) & 0xFFFF_FFFF in _ISATAP_IDS:
        found.append(("an ISATAP", low32))
    return found


def destination(ip: IPAddress) -> IPAddress:
    """The address packets are sent to: an IPv4-mapped address is only IPv4 spelt as IPv6."""
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_literal(text: str) -> IPAddress | None:
    """The IP address `text` spells, or None when it is none (it may be a host name).

    Raises UnclearAddress with the reason for text the system resolver would read as an IPv4
    address although it is not written as four decimal numbers: leading zeros are octal to
    it (010.0.0.1 is 8.0.0.1), and 127.1, 0x7f.1 or 2130706433 are all 127.0.0.1.
    """
    try:
        return ip_address(text)
    except ValueError:
        pass
    try:
        read_as = IPv4Address(socket.inet_aton(text))
    except OSError:
        return None
    raise UnclearAddress(
        f"not written as four decimal numbers without leading zeros: the system reads it as "
        f"{read_as}"
    )


def web_url_problem(url: str) -> str | None:
    """Why a website address must not be checked, or None when it may be: only http and
    https, a host, no credentials, and a literal IP address only when `refusal` allows it.

    A host name is judged where it is resolved, by the prober, with every address it
    resolves to (and again at each redirect).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        return f"not a web address: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        return f"{shown}: only http:// and https:// addresses are checked"
    if not parts.hostname:
        return "no host in the address"
    if parts.username is not None or parts.password is not None:
        return "an address with a user name or password"
    if port == 0:
        return "port 0"
    try:
        literal = address_literal(parts.hostname)
    except UnclearAddress as exc:
        return f"{parts.hostname} is {exc}"
    if literal is not None:
        why = refusal(literal)
        if why:
            return f"{parts.hostname} is {why}"
    return None
