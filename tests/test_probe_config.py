"""Probe configuration is validated when built; targets are checked before any packet."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from inventory.db import session_scope
from inventory.durations import parse_window
from inventory.errors import IctrError
from probes.history.point_status import DEGRADED, DOWN, UP
from probes.probers.attempt import CLOSED, LOST, OPEN, REPLY, Attempt, Target
from probes.probers.ports import parse_ports
from probes.probers.registry import PROBERS, prober_class
from probes.running.options import ProbeOptions
from probes.running.ratelimit import TokenBucket
from probes.running.results import point_status, summarise
from probes.running.runner import plan_attempts
from probes.running.schedule import parse_interval
from probes.running.targets import (
    build_targets,
    local_forbidden,
    methods_for,
    refresh_routes,
    select_points,
)
from tests.netns_fixtures import add_points


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count": 0}, "count must be between 1 and 1000, got 0"),
        ({"spacing_s": -1}, "spacing must be between 0 and 60 seconds, got -1"),
        ({"timeout_s": 0}, "timeout must be between 0.01 and 30 seconds, got 0"),
        ({"pps": 0}, "pps must be between 1 and 100000, got 0"),
        (
            {"deadline_s": 0.5, "timeout_s": 1},
            "round deadline 0.5 s is shorter than the probe timeout 1 s",
        ),
        ({"max_targets": 0}, "max targets must be between 1 and 100000, got 0"),
        (
            {"method": "udp"},
            "unknown probe method 'udp'; choose one of auto, icmp, tcp, tcp-connect, http",
        ),
        ({"agent": "x" * 65}, f"agent name {'x' * 65!r} is longer than 64 characters"),
        ({"fallback_ports": (0,)}, "fallback ports must be 1-65535, got 0"),
        ({"down_after": 0}, "down-after must be between 1 and 100 rounds, got 0"),
    ],
)
def test_bad_options_name_the_problem(changes: dict, message: str) -> None:
    with pytest.raises(IctrError) as caught:
        ProbeOptions(**changes)
    assert str(caught.value) == message


def test_unknown_prober_is_a_clear_error() -> None:
    assert set(PROBERS) == {"icmp", "tcp", "tcp-connect"}
    with pytest.raises(IctrError) as caught:
        prober_class("http")
    assert str(caught.value) == "unknown probe method 'http'; known methods: icmp, tcp, tcp-connect"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), ("0.5", 0.5), (" 2M ", 120)]
)
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "bad interval 'soon': expected e.g. 30s, 5m or 1h"),
        ("0s", "interval '0s' must be more than 0 and at most 24h"),
        ("2d", "bad interval '2d': expected e.g. 30s, 5m or 1h"),
    ],
)
def test_bad_interval(text: str, message: str) -> None:
    with pytest.raises(IctrError) as caught:
        parse_interval(text)
    assert str(caught.value) == message


def test_parse_window_and_ports() -> None:
    assert parse_window("7d").days == 7
    assert parse_window("90m").total_seconds() == 5400
    with pytest.raises(IctrError, match="bad window 'week'"):
        parse_window("week")
    assert parse_ports("443, 80,443", where="x") == (443, 80)
    with pytest.raises(IctrError) as caught:
        parse_ports("80,http", where="point HG-P001 tcp_ports")
    assert str(caught.value) == "point HG-P001 tcp_ports: bad TCP port 'http' (expected 1-65535)"


@pytest.mark.parametrize(
    ("configured", "ports", "requested", "raw", "methods", "problem"),
    [
        ("auto", (), "auto", True, ("icmp",), None),
        ("auto", (443,), "auto", True, ("icmp", "tcp"), None),
        ("both", (443,), "auto", True, ("icmp", "tcp"), None),
        ("icmp", (443,), "auto", True, ("icmp",), None),
        ("tcp", (443,), "auto", True, ("tcp",), None),
        ("tcp", (), "auto", True, ("tcp",), "probe method tcp but no TCP ports"),
        ("auto", (443,), "icmp", True, ("icmp",), None),
        ("icmp", (443,), "tcp", True, ("tcp",), None),
        ("auto", (443,), "auto", False, ("tcp-connect",), None),
        ("icmp", (), "icmp", False, ("tcp-connect",), None),
        ("auto", (), "tcp-connect", True, ("tcp-connect",), None),
    ],
)
def test_methods_for(configured, ports, requested, raw, methods, problem) -> None:
    assert methods_for(configured, ports, requested, raw=raw) == (methods, problem)


REFUSED = {
    "0.0.0.0": "refused: 0.0.0.0 is an unspecified address",
    "255.255.255.255": "refused: 255.255.255.255 is the limited broadcast address",
    "224.0.0.1": "refused: 224.0.0.1 is a multicast address",
    "240.0.0.9": "refused: 240.0.0.9 is a reserved address (240.0.0.0/4)",
    "0.1.2.3": "refused: 0.1.2.3 is a 'this network' address (0.0.0.0/8)",
    "127.255.255.255": "refused: 127.255.255.255 is the broadcast address of 127.0.0.0/8",
    "127.0.0.0": "refused: 127.0.0.0 is the network address of 127.0.0.0/8",
    "::": "refused: :: is an unspecified address",
    "ff02::1": "refused: ff02::1 is a multicast address",
    # Numbers the system resolver reads as addresses are refused before any lookup, as the
    # importer refuses them (tests/test_probe_address.py covers names).
    "0": "refused: 0 is not written as four decimal numbers without leading zeros: the system "
    "reads it as 0.0.0.0",
    "127.16777215": "refused: 127.16777215 is not written as four decimal numbers without "
    "leading zeros: the system reads it as 127.255.255.255",
}


def test_forbidden_addresses_are_refused_and_never_get_an_ip(engine) -> None:
    allowed = {"127.10.0.1": "127.10.0.1", "::1": "::1", "localhost": None}
    points = [
        {"code": f"P{i:02d}", "address": address} for i, address in enumerate([*REFUSED, *allowed])
    ]
    add_points(engine, points)
    refresh_routes()
    with session_scope(engine) as session:
        targets = build_targets(select_points(session, ProbeOptions()), ProbeOptions(), raw=True)
    by_address = {t.address: t for t in targets}
    for address, problem in REFUSED.items():
        assert by_address[address].problem == problem
        assert by_address[address].ip is None
    for address, ip in allowed.items():
        target = by_address[address]
        assert target.problem is None, target.problem
        assert target.ip is not None and ipaddress.ip_address(target.ip).is_loopback
        if ip:
            assert target.ip == ip
    assert by_address["::1"].family == socket.AF_INET6
    # Refused points produce no attempt at all.
    planned = plan_attempts(targets, ProbeOptions(count=2))
    assert {a.target.address for a in planned} == set(allowed)


def test_route_table_gives_network_and_broadcast_addresses() -> None:
    refresh_routes()
    forbidden = local_forbidden()
    broadcast = forbidden[ipaddress.IPv4Address("127.255.255.255")]
    assert broadcast == "the broadcast address of 127.0.0.0/8"


def test_round_size_is_capped(engine) -> None:
    add_points(engine, [{"code": f"P{i}", "address": f"127.10.0.{i}"} for i in range(1, 4)])
    options = ProbeOptions(max_targets=2)
    with session_scope(engine) as session:
        points = select_points(session, options)
        with pytest.raises(IctrError) as caught:
            build_targets(points, options, raw=True)
    assert str(caught.value) == (
        "3 points to probe exceed the cap of 2 per round (raise it with --max-targets)"
    )


def test_only_configured_active_points_of_the_agent(engine) -> None:
    add_points(
        engine,
        [
            {"code": "A", "address": "127.10.0.1"},
            {"code": "B", "address": "127.10.0.2", "active": False},
            {"code": "C", "address": "127.10.0.3", "agent": "north"},
        ],
    )
    with session_scope(engine) as session:
        assert [p.code for p in select_points(session, ProbeOptions())] == ["A"]
        assert [p.code for p in select_points(session, ProbeOptions(agent="north"))] == ["C"]
        with pytest.raises(IctrError, match=r"unknown connection point code\(s\): Z"):
            select_points(session, ProbeOptions(points=("A", "Z")))
        with pytest.raises(IctrError, match=r"marked inactive: B"):
            select_points(session, ProbeOptions(points=("B",)))


def _target(ports=(), methods=("icmp",), code="P") -> Target:
    return Target(1, code, code, "127.0.0.2", "127.0.0.2", socket.AF_INET, methods, ports)


def test_plan_spreads_probes_by_spacing_and_port() -> None:
    targets = [_target((80, 443), ("icmp", "tcp"), "A"), _target((), ("tcp-connect",), "B")]
    planned = plan_attempts(targets, ProbeOptions(count=3, spacing_s=0.2, fallback_ports=(22,)))
    a_icmp = [x for x in planned if x.target.code == "A" and x.method == "icmp"]
    assert [round(x.due, 3) for x in a_icmp] == [0.0, 0.2, 0.4]
    a_tcp = [x for x in planned if x.method == "tcp"]
    assert sorted(x.port for x in a_tcp) == [80, 80, 80, 443, 443, 443]
    assert all(x.service for x in a_tcp)
    b = [x for x in planned if x.target.code == "B"]
    assert {(x.port, x.service) for x in b} == {(22, False)}
    assert [round(x.due, 3) for x in b] == [0.1, 0.3, 0.5]  # offset by half the spacing
    assert [x.due for x in planned] == sorted(x.due for x in planned)


def test_token_bucket_holds_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(100, clock=lambda: now[0])
    sent = 0
    for _ in range(1000):  # one simulated second in 1 ms steps
        while bucket.try_take():
            sent += 1
        now[0] += 0.001
    assert 99 <= sent <= 102
    assert bucket.burst == 2


def _attempt(target, method, port, outcome, rtt_ms=None, service=False) -> Attempt:
    a = Attempt(target, method, port, 0.0, service, sent_ns=1_000)
    a.outcome = outcome
    a.rtt_ns = None if rtt_ms is None else int(rtt_ms * 1e6)
    return a


def test_summary_statistics_and_status() -> None:
    target = _target((80, 443), ("icmp", "tcp"))
    icmp = summarise(
        target,
        "icmp",
        [_attempt(target, "icmp", None, REPLY, ms) for ms in (1, 2, 3, 10)]
        + [_attempt(target, "icmp", None, LOST)],
    )
    assert (icmp.sent, icmp.received, icmp.loss) == (5, 4, pytest.approx(0.2))
    assert (icmp.rtt_min_ms, icmp.rtt_median_ms, icmp.rtt_max_ms) == (1.0, 2.5, 10.0)
    assert icmp.rtt_stddev_ms == pytest.approx(3.5355, abs=1e-3)
    assert icmp.success
    tcp = summarise(
        target,
        "tcp",
        [
            _attempt(target, "tcp", 80, OPEN, 1, service=True),
            _attempt(target, "tcp", 443, CLOSED, 1, service=True),
        ],
    )
    assert tcp.received == 2 and tcp.closed_ports == (443,) and not tcp.success
    assert tcp.error == "closed port 443"
    assert point_status([icmp, tcp]).status == DEGRADED
    assert point_status([icmp]).status == UP
    silent = summarise(target, "icmp", [_attempt(target, "icmp", None, LOST)])
    assert silent.error == "no answer" and point_status([silent]).status == DOWN
