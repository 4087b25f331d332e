"""The probe types by method name: the one place a new prober is registered."""

from __future__ import annotations

from inventory.errors import IctrError
from probes.probers.attempt import Prober
from probes.probers.http import HttpProber
from probes.probers.icmp import IcmpProber
from probes.probers.tcp_connect import TcpConnectProber
from probes.probers.tcp_syn import TcpSynProber

PROBERS: dict[str, type[Prober]] = {
    "icmp": IcmpProber,
    "tcp": TcpSynProber,
    "tcp-connect": TcpConnectProber,
}

# Checks of a whole request rather than of packets, with a shape of their own (one check per
# website: probes.probers.http); run by probes.running.website_round.
CHECKERS: dict[str, type[HttpProber]] = {
    "http": HttpProber,
}


def prober_class(method: str) -> type[Prober]:
    try:
        return PROBERS[method]
    except KeyError:
        raise IctrError(
            f"unknown probe method {method!r}; known methods: {', '.join(sorted(PROBERS))}"
        ) from None
