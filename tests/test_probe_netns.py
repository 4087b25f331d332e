"""Real packets to test hosts in network namespaces (and to loopback): status per host,
loss, RTT order, TCP open/closed, incidents, the scheduler's cadence, SIGTERM mid-round,
the unprivileged fallback and the demo. Needs root; in CI these must run.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from sqlalchemy import func, update
from sqlmodel import select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.models import ConnectionPoint, ProbeHourly, ProbeResult
from inventory.probe_address import refusal
from probes.history.hourly_summary import GRACE, watermark
from probes.history.point_status import DEGRADED, DOWN, UP
from probes.history.rollup_build import bucket_start
from probes.probers.attempt import Target
from probes.running.lock import scheduler_lock
from probes.running.metrics import ProbeMetrics
from probes.running.options import ProbeOptions
from probes.running.runner import run_round
from probes.running.schedule import Scheduler
from probes.running.spool import Spool
from probes.running.targets import local_forbidden, refresh_routes
from tests.conftest import skip_or_fail
from tests.netns_fixtures import Lab, add_points, network_lab

ICTR = str(Path(sys.executable).with_name("ictr"))
FAST = ["--count", "2", "--spacing", "0.05", "--timeout", "0.3", "--pps", "1000"]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    if os.geteuid() != 0:
        skip_or_fail("needs root (raw sockets, network namespaces)")
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            skip_or_fail(f"needs the {tool!r} command (see .ci/apt-packages)")
    with network_lab() as built:
        refresh_routes()
        yield built
    refresh_routes()


def _target(point_id: int, code: str, ip: str, methods=("icmp",), ports=()) -> Target:
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    return Target(point_id, code, code, ip, ip, family, tuple(methods), tuple(ports))


def test_status_loss_and_rtt_per_host(lab: Lab) -> None:
    targets = [
        _target(1, "HEALTHY", lab.healthy),
        _target(2, "DROP", lab.drop_icmp),
        _target(3, "NOBODY", lab.nobody),
        _target(4, "SLOW", lab.slow),
        _target(5, "TCP", lab.tcp_host, ("icmp", "tcp"), (lab.open_port, lab.closed_port)),
        _target(6, "TCPOPEN", lab.tcp_host, ("tcp",), (lab.open_port,)),
    ]
    options = ProbeOptions(count=40, spacing_s=0.02, timeout_s=0.5, pps=2000)
    result = asyncio.run(run_round(targets, options))
    status = {p.code: p for p in result.points()}
    rows = {(r.code, r.method): r for r in result.rows}

    healthy = rows["HEALTHY", "icmp"]
    assert status["HEALTHY"].status == UP
    assert (healthy.sent, healthy.received) == (40, 40)
    assert status["DROP"].status == DOWN and rows["DROP", "icmp"].received == 0
    assert status["NOBODY"].status == DOWN and rows["NOBODY", "icmp"].received == 0

    slow = rows["SLOW", "icmp"]
    assert status["SLOW"].status == UP  # lossy, but it answers
    assert slow.loss is not None and 0.02 <= slow.loss <= 0.45, slow  # ~20% configured
    assert slow.rtt_min_ms is not None and slow.rtt_min_ms >= 49  # ~50 ms configured
    assert slow.rtt_median_ms is not None and slow.rtt_median_ms < 200
    assert healthy.rtt_max_ms is not None and healthy.rtt_max_ms < slow.rtt_min_ms  # RTT order

    tcp = rows["TCP", "tcp"]
    assert (tcp.sent, tcp.received) == (80, 80)  # SYN-ACK from 8080, RST from 8081
    assert tcp.closed_ports == (lab.closed_port,) and not tcp.success
    assert status["TCP"].status == DEGRADED
    assert rows["TCPOPEN", "tcp"].success and status["TCPOPEN"].status == UP
    assert result.duration_s < 5


def test_the_test_subnet_network_and_broadcast_are_refused(lab: Lab) -> None:
    forbidden = local_forbidden()
    subnet = lab.network_address + "/24"
    network = ipaddress.ip_address(lab.network_address)
    broadcast = ipaddress.ip_address(lab.broadcast_address)
    assert refusal(network, forbidden) == f"the network address of {subnet}"
    assert refusal(broadcast, forbidden) == f"the broadcast address of {subnet}"
    assert refusal(ipaddress.ip_address(lab.healthy), forbidden) is None


def _listening(host: str) -> socket.socket:
    server = socket.create_server((host, 0), family=socket.AF_INET6 if ":" in host else 2)
    return server


def test_loopback_v4_and_v6_icmp_and_tcp_open_closed(require_root) -> None:
    with _listening("127.0.0.1") as open4, _listening("::1") as open6:
        port4, port6 = open4.getsockname()[1], open6.getsockname()[1]
        with _listening("127.0.0.1") as spare4, _listening("::1") as spare6:
            closed4, closed6 = spare4.getsockname()[1], spare6.getsockname()[1]
        targets = [
            _target(1, "V4", "127.0.0.1", ("icmp", "tcp"), (port4, closed4)),
            _target(2, "V6", "::1", ("icmp", "tcp"), (port6, closed6)),
        ]
        result = asyncio.run(run_round(targets, ProbeOptions(count=3, spacing_s=0.05)))
    rows = {(r.code, r.method): r for r in result.rows}
    for code, closed in (("V4", closed4), ("V6", closed6)):
        assert rows[code, "icmp"].received == 3, rows[code, "icmp"]
        assert rows[code, "tcp"].received == 6, rows[code, "tcp"]
        assert rows[code, "tcp"].closed_ports == (closed,)


def _lab_points(engine, lab: Lab) -> dict[str, int]:
    return add_points(
        engine,
        [
            {"code": "HEALTHY", "address": lab.healthy},
            {"code": "DROP", "address": lab.drop_icmp},
            {"code": "NOBODY", "address": lab.nobody},
            {
                "code": "TCP",
                "address": lab.tcp_host,
                "tcp_ports": f"{lab.open_port},{lab.closed_port}",
            },
            {"code": "NETADDR", "address": lab.network_address},
        ],
    )


def test_cli_rounds_open_and_close_incidents(engine, lab: Lab, tmp_path: Path) -> None:
    ids = _lab_points(engine, lab)
    runner = CliRunner()
    spool = ["--spool", str(tmp_path / "spool.jsonl")]

    def probe_round() -> dict:
        result = runner.invoke(app, ["probe", "run", "--json", *FAST, *spool])
        assert result.exit_code == 3, result.output  # NOBODY is down in every round
        return json.loads(result.output.strip().splitlines()[-1])

    def incidents() -> list[dict]:
        result = runner.invoke(app, ["probe", "incidents", "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    first = probe_round()
    status = {p["code"]: p["status"] for p in first["points"]}
    assert status == {
        "HEALTHY": "up",
        "DROP": "down",
        "NOBODY": "down",
        "TCP": "degraded",
        "NETADDR": "skipped",
    }
    netaddr = next(p for p in first["points"] if p["code"] == "NETADDR")
    assert netaddr["methods"][0]["sent"] == 0
    assert netaddr["methods"][0]["error"].startswith(f"refused: {lab.network_address} is the")
    assert incidents() == []  # one failed round is not an incident (K = 2)

    probe_round()
    opened = {i["code"]: i for i in incidents()}
    assert set(opened) == {"DROP", "NOBODY"}
    assert all(i["up_at"] is None for i in opened.values())

    with session_scope(engine) as session:  # DROP's link is repaired
        session.exec(
            update(ConnectionPoint)
            .where(ConnectionPoint.code == "DROP")
            .values(address=lab.healthy)
        )
    third = probe_round()
    assert {p["code"]: p["status"] for p in third["points"]}["DROP"] == "up"
    after = {i["code"]: i for i in incidents()}
    assert after["DROP"]["up_at"] == third["started_at"]
    assert after["NOBODY"]["up_at"] is None
    with session_scope(engine) as session:
        stored = session.exec(
            select(func.count()).select_from(ProbeResult).where(ProbeResult.point_id == ids["TCP"])
        ).one()
    assert stored == 6  # icmp and tcp rows, three rounds


@pytest.fixture
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scheduler lock files for a server database go to the data folder: keep them here."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.mark.usefixtures("_private_data_dir")
def test_scheduler_never_overlaps_rounds(engine, lab: Lab, tmp_path: Path, db_url: str) -> None:
    ids = _lab_points(engine, lab)
    # Each round lasts at least spacing + timeout = 0.7 s, far beyond the 0.2 s interval.
    options = ProbeOptions(
        count=2, spacing_s=0.3, timeout_s=0.4, pps=1000, points=("HEALTHY", "NOBODY")
    )
    metrics = ProbeMetrics()
    scheduler = Scheduler(
        engine,
        options,
        interval_s=0.2,
        spool=Spool(tmp_path / "spool.jsonl"),
        database_url=db_url,
        metrics=metrics,
        max_rounds=3,
    )
    # A round stored three hours ago: the scheduler summarises its hour after its round.
    earlier = datetime.now(UTC) - timedelta(hours=3)
    healthy = ids["HEALTHY"]
    with session_scope(engine) as session:
        session.add(ProbeResult(point_id=healthy, method="icmp", started_at=earlier, sent=2))
    began = datetime.now(UTC)
    rounds = scheduler.run()
    assert len(rounds) == 3
    for before, after in zip(rounds, rounds[1:], strict=False):
        assert after.started_at >= before.finished_at
        assert after.late_s > 0.3  # its slot came while the previous round ran
    with session_scope(engine) as session:
        starts = session.exec(
            select(ProbeResult.started_at).where(ProbeResult.started_at > earlier).distinct()
        ).all()
        assert watermark(session) in {
            bucket_start(moment - GRACE, "hour") for moment in (began, datetime.now(UTC))
        }
        summarised = [
            (h.point_id, h.period_start, h.rounds) for h in session.exec(select(ProbeHourly))
        ]
    assert summarised == [(healthy, bucket_start(earlier, "hour"), 1)]
    assert sorted(starts) == [r.started_at for r in rounds]
    text = generate_latest(metrics.registry).decode()
    assert 'probe_success{method="icmp",point="HEALTHY"} 1.0' in text
    assert 'probe_success{method="icmp",point="NOBODY"} 0.0' in text


def _reader(stream) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], text: str, seen: list[str], timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return
        if line == "":
            break
    raise AssertionError(f"never saw {text!r}; output:\n{''.join(seen)}")


@pytest.mark.usefixtures("_private_data_dir")
def test_sigterm_mid_round_stops_cleanly(engine, lab: Lab, tmp_path: Path, db_url: str) -> None:
    _lab_points(engine, lab)
    spool = tmp_path / "spool.jsonl"
    command = [
        ICTR, "probe", "schedule", "--interval", "1s", "--points", "HEALTHY,NOBODY",
        "--count", "10", "--spacing", "0.1", "--timeout", "0.3", "--spool", str(spool),
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        env={**os.environ, "ICTR_DATABASE_URL": db_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        lines = _reader(process.stdout)
        _wait_for(lines, "round finished", seen)
        _wait_for(lines, "round started", seen)
        time.sleep(0.4)  # the second round (~1.2 s) is under way
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    while True:
        try:
            seen.append(lines.get(timeout=2))
        except queue.Empty:
            break
        if seen[-1] == "":
            break
    output = "".join(seen)
    assert code == 0, output
    assert "stopped mid-round" in output and "scheduler stopped after 1 rounds" in output
    with session_scope(engine) as session:
        rows = session.exec(select(ProbeResult)).all()
        assert len({r.started_at for r in rows}) == 1  # the first round only, complete
        assert sorted((r.method, r.sent) for r in rows) == [("icmp", 10), ("icmp", 10)]
    assert not spool.exists()
    with scheduler_lock(engine, db_url):  # the lock went with the process
        pass


@pytest.mark.sqlite_only  # about the sockets, not the database: once is enough
def test_without_raw_sockets_falls_back_to_tcp_connect(
    engine, lab: Lab, tmp_path: Path, db_url: str
) -> None:
    _lab_points(engine, lab)
    if shutil.which("setpriv") is None:
        skip_or_fail("needs setpriv (util-linux) to drop CAP_NET_RAW")
    command = [
        "setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw", "--",
        ICTR, "probe", "run", "--json", "--points", "HEALTHY,TCP,NOBODY", *FAST,
        "--spool", str(tmp_path / "spool.jsonl"),
    ]  # fmt: skip
    done = subprocess.run(
        command,
        env={**os.environ, "ICTR_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr  # NOBODY is down
    assert done.stderr.count("no permission for raw sockets") == 1, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["fallback"] is True
    points = {p["code"]: p for p in report["points"]}
    assert {m["method"] for p in points.values() for m in p["methods"]} == {"tcp-connect"}
    # Port 80 refused by HEALTHY: an answer all the same, the point is reachable.
    assert points["HEALTHY"]["status"] == "up"
    assert points["TCP"]["status"] == "degraded"
    assert points["TCP"]["methods"][0]["closed_ports"] == [lab.closed_port]
    assert points["NOBODY"]["status"] == "down"
    with session_scope(engine) as session:
        methods = session.exec(select(ProbeResult.method).distinct()).all()
    assert methods == ["tcp-connect"]


def test_demo_points_on_loopback(require_root, demo_engine, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["probe", "run", "--json", "--count", "1", "--spacing", "0", "--timeout", "0.5",
         "--pps", "1000", "--spool", str(tmp_path / "spool.jsonl")],
    )  # fmt: skip
    report = json.loads(result.output.strip().splitlines()[-1])
    statuses = {p["code"]: p["status"] for p in report["points"]}
    assert result.exit_code == (4 if "degraded" in statuses.values() else 0), result.output
    assert len(report["points"]) == 73
    assert all(p["status"] in ("up", "degraded") for p in report["points"])
    icmp = [m for p in report["points"] for m in p["methods"] if m["method"] == "icmp"]
    assert len(icmp) == 73 and all(m["received"] == 1 for m in icmp)
    table = CliRunner().invoke(
        app, ["probe", "run", "--points", "HG-P001", "--count", "1", "--spool", str(tmp_path / "s")]
    )
    assert table.exit_code == (4 if statuses["HG-P001"] == "degraded" else 0), table.output
    assert "HG-P001" in table.output and "median RTT" in table.output


def test_round_deadline_bounds_a_round(require_root) -> None:
    targets = [_target(1, "LO", "127.0.0.1")]
    options = ProbeOptions(count=50, spacing_s=0.1, timeout_s=0.2, deadline_s=0.6)
    started = time.monotonic()
    result = asyncio.run(run_round(targets, options))
    assert time.monotonic() - started < 1.5
    assert result.deadline_reached
    row = result.rows[0]
    assert 3 <= row.sent <= 8 and row.received == row.sent
    assert row.error == "round deadline reached before all probes were sent"


@pytest.mark.sqlite_only
def test_cli_spools_while_the_database_is_locked(
    require_root, demo_engine, tmp_path: Path, db_url: str
) -> None:
    spool = tmp_path / "spool.jsonl"
    command = ["probe", "run", "--points", "HG-P001", "--count", "1", "--spool", str(spool)]
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        locked = CliRunner().invoke(app, [*command, "--write-timeout", "0.2"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert locked.exit_code == 0, locked.output  # the demo's points are checked by ICMP: up
    assert f"round kept in spool {spool} (1 waiting)" in locked.output
    back = CliRunner().invoke(app, command)
    assert back.exit_code == 0, back.output
    assert "1 rows stored (and 1 spooled rounds)" in back.output  # the demo's points: icmp
    assert not spool.exists()
    with session_scope(demo_engine) as session:
        live = session.exec(  # after the demo's synthetic history, which ends in 2026-11
            select(ProbeResult).where(ProbeResult.started_at > datetime(2026, 12, 1, tzinfo=UTC))
        ).all()
        assert len(live) == 2 and len({r.started_at for r in live}) == 2
