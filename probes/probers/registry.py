"""The probe types by method name: the one place a new prober is registered."""

from __future__ import annotations

from inventory.errors import IctrError
from probes.probers.attempt import Prober
from probes.probers.icmp import IcmpProber
from probes.probers.tcp_connect import TcpConnectProber
from probes.probers.tcp_syn import TcpSynProber

PROBERS: dict[str, type[Prober]] = {
    "icmp": IcmpProber,
    "tcp": TcpSynProber,
    "tcp-connect": TcpConnectProber,
}


def prober_class(method: str) -> type[Prober]:
    try:
        return PROBERS[method]
    except KeyError:
        raise IctrError(
            f"unknown probe method {method!r}; known methods: {', '.join(sorted(PROBERS))}"
        ) from None
