"""What a round may probe: configured points only, never an address the rule in
`inventory.probe_address` refuses (nor a name resolving to one), never the network or broadcast
address of a subnet this host is attached to, and no more than a capped number.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable, Mapping, Sequence

import scapy.layers.inet6  # noqa: F401  (sets up conf.route6)
from scapy.config import conf
from sqlmodel import Session, col, select

from inventory.errors import IctrError
from inventory.models import ConnectionPoint, ProbeMethod
from inventory.probe_address import (
    IPAddress,
    UnclearAddress,
    address_literal,
    destination,
    refusal,
)
from probes.probers.attempt import Target
from probes.probers.ports import parse_ports
from probes.running.assignments import points_by_code, points_in_units
from probes.running.options import ProbeOptions

log = logging.getLogger(__name__)


def refresh_routes() -> None:
    """Re-read the kernel's routes: interfaces and namespaces may have changed since import."""
    conf.route.resync()
    if conf.route6 is not None:
        conf.route6.resync()


def local_forbidden() -> dict[IPAddress, str]:
    """Network and broadcast addresses of the subnets this host is attached to.

    They come from scapy's routing table, so call ``conf.route.resync()`` first when
    interfaces may have changed (the runner does, before every round).
    """
    forbidden: dict[IPAddress, str] = {}
    for net, mask, gateway, _iface, _src, _metric in conf.route.routes:
        if gateway != "0.0.0.0":
            continue
        prefix = bin(mask).count("1")
        if not 0 < prefix <= 30:  # /31 and /32 have no network or broadcast address
            continue
        network = ipaddress.IPv4Network((net, prefix), strict=False)
        forbidden.setdefault(network.network_address, f"the network address of {network}")
        forbidden.setdefault(network.broadcast_address, f"the broadcast address of {network}")
    for entry in conf.route6.routes if conf.route6 is not None else []:
        dest, plen, nexthop = entry[0], entry[1], entry[2]
        if nexthop != "::" or not 0 < plen <= 126:
            continue
        network6 = ipaddress.IPv6Network((dest, plen), strict=False)
        if network6.is_multicast:
            continue
        forbidden.setdefault(network6.network_address, f"the subnet-router address of {network6}")
    return forbidden


def resolve_name(name: str) -> list[IPAddress]:
    """Every address the system resolver gives for `name`."""
    infos = socket.getaddrinfo(name, None, type=socket.SOCK_DGRAM)
    found: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    return found


def checked_address(
    address: str, forbidden: Mapping[IPAddress, str]
) -> tuple[IPAddress | None, str | None]:
    """The address to send to for a configured `address`, or None and why nothing is sent.

    The importer applies the same rule; this catches rows written another way and names
    whose addresses changed. A name is refused when any address it resolves to is.
    """
    try:
        literal = address_literal(address)
    except UnclearAddress as exc:
        return None, f"refused: {address} is {exc}"
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = resolve_name(address)
        except (OSError, UnicodeError) as exc:
            return None, f"cannot resolve {address!r}: {exc}"
        if not addresses:
            return None, f"{address!r} resolves to no address"
    for candidate in addresses:
        why = refusal(candidate, forbidden)
        if why:
            shown = address if candidate == literal else f"{address} ({candidate})"
            return None, f"refused: {shown} is {why}"
    sendable = [destination(a) for a in addresses]
    return next((a for a in sendable if a.version == 4), sendable[0]), None


def methods_for(
    configured: ProbeMethod | str, ports: Sequence[int], requested: str, *, raw: bool
) -> tuple[tuple[str, ...], str | None]:
    """The methods a point gets in a round, and a problem when none applies."""
    if requested == "tcp-connect" or not raw:
        return ("tcp-connect",), None
    if requested == "icmp":
        return ("icmp",), None
    if requested == "tcp":
        return (("tcp",), None) if ports else ((), "no TCP ports configured")
    configured = ProbeMethod(configured)
    if configured == ProbeMethod.icmp:
        return ("icmp",), None
    if configured == ProbeMethod.tcp:
        return (("tcp",), None) if ports else (("tcp",), "probe method tcp but no TCP ports")
    # auto, and both without ports (nothing to connect to): ICMP, plus TCP where ports exist.
    return (("icmp", "tcp") if ports else ("icmp",)), None


def select_points(session: Session, options: ProbeOptions) -> list[ConnectionPoint]:
    """The active points this agent owns plus those it watches, or exactly the codes asked for."""
    if options.points:
        found = points_by_code(session, options.points)
        inactive = [p.code for p in found if not p.active]
        if inactive:
            raise IctrError(f"connection point(s) marked inactive: {', '.join(inactive)}")
        return found
    statement = (
        select(ConnectionPoint)
        .where(ConnectionPoint.active == True)  # noqa: E712 (SQL expression)
        .where(ConnectionPoint.agent == options.agent)
        .order_by(col(ConnectionPoint.code))
    )
    chosen = {p.code: p for p in session.exec(statement).all()}
    # Watched points: inactive ones in a watched district are left out; a listed inactive
    # point is a mistake worth saying.
    chosen.update(
        (p.code, p) for p in points_in_units(session, options.watch_districts) if p.active
    )
    listed = points_by_code(session, options.watch_points)
    inactive = [p.code for p in listed if not p.active]
    if inactive:
        raise IctrError(f"connection point(s) marked inactive: {', '.join(inactive)}")
    chosen.update((p.code, p) for p in listed)
    return [chosen[code] for code in sorted(chosen)]


def build_targets(
    points: Iterable[ConnectionPoint], options: ProbeOptions, *, raw: bool
) -> list[Target]:
    """Check and resolve every point; refused ones are kept with their reason, never sent to."""
    points = list(points)
    if len(points) > options.max_targets:
        raise IctrError(
            f"{len(points)} points to probe exceed the cap of {options.max_targets} per round "
            "(raise it with --max-targets)"
        )
    forbidden = local_forbidden()
    targets: list[Target] = []
    for point in points:
        assert point.id is not None
        problem: str | None = None
        try:
            ports = parse_ports(point.tcp_ports or "", where=f"point {point.code} tcp_ports")
        except IctrError as exc:
            ports, problem = (), str(exc)
        methods, method_problem = methods_for(point.probe_method, ports, options.method, raw=raw)
        problem = problem or method_problem
        if options.method in ("tcp",) and not ports:
            continue  # asked for TCP only: points without ports are not part of this round
        ip: IPAddress | None = None
        if problem is None:
            ip, problem = checked_address(point.address, forbidden)
        if problem and problem.startswith("refused"):
            log.warning("point %s: %s; not probed", point.code, problem)
        targets.append(
            Target(
                point_id=point.id,
                code=point.code,
                name=point.name,
                address=point.address,
                ip=None if ip is None else str(ip),
                family=socket.AF_INET6 if ip is not None and ip.version == 6 else socket.AF_INET,
                methods=methods,
                ports=ports,
                problem=problem,
            )
        )
    return targets
