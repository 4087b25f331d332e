"""Several probe agents on one database.

- Assignments: a point's own agent by district or by code; watched points; errors.
- Only the own agent's rounds open and close incidents; another agent's view is kept.
- PostgreSQL: one scheduler per agent across machines (advisory lock), taken again after
  the session dies, refused when another scheduler took it meanwhile.
- Three `ictr probe schedule` processes writing concurrently (a compressed schedule, real
  packets to loopback and to test hosts in network namespaces) while the indicators are
  computed: every round stored exactly once, no deadlock, incidents as the rows imply.
- A PostgreSQL restart (a throw-away cluster of the test's own) while agents run: the
  rounds go to the spool and are replayed; nothing is lost.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, text, update
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import get_engine, session_scope
from inventory.errors import IctrError
from inventory.migrate import upgrade
from inventory.models import ConnectionPoint, Incident, ProbeResult
from probes.history.availability import availability
from probes.history.store import store_records
from probes.running.assignments import agents_overview, assign, units_within
from probes.running.lock import PostgresSchedulerLock
from probes.running.options import ProbeOptions
from probes.running.targets import refresh_routes, select_points
from tests.conftest import skip_or_fail
from tests.netns_fixtures import Lab, add_points, network_lab

ICTR = str(Path(sys.executable).with_name("ictr"))
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


# --- assignments and incidents (both databases) -------------------------------------


def _demo_codes(engine, **where) -> list[str]:
    with session_scope(engine) as session:
        statement = select(ConnectionPoint.code)
        for name, value in where.items():
            statement = statement.where(getattr(ConnectionPoint, name) == value)
        return sorted(session.exec(statement).all())


def test_assign_by_district_and_by_code(demo_engine) -> None:
    with session_scope(demo_engine) as session:
        report = assign(session, agent="north", districts=["026", "027"], points=["HG-P001"])
        units = units_within(session, ["026", "027"])
        north = {
            p.code: p.unit_code
            for p in session.exec(select(ConnectionPoint).where(ConnectionPoint.agent == "north"))
        }
        in_units = session.exec(
            select(ConnectionPoint.code).where(col(ConnectionPoint.unit_code).in_(units))
        ).all()
    assert sorted(report.changed) == sorted(north) and report.unchanged == 0
    assert set(north) == {"HG-P001", *in_units} and len(in_units) > 3
    assert "026" in units and any(len(u) == 5 for u in units)  # the districts and communes
    with session_scope(demo_engine) as session:
        again = assign(session, agent="north", districts=["026"])
    assert again.changed == [] and again.unchanged > 0
    with session_scope(demo_engine) as session:
        options = ProbeOptions(agent="north", watch_points=("HG-P002",), watch_districts=("030",))
        probed = [p.code for p in select_points(session, options)]
        in_030 = session.exec(
            select(ConnectionPoint.code).where(
                col(ConnectionPoint.unit_code).in_(units_within(session, ["030"])),
                ConnectionPoint.active,
            )
        ).all()
    assert probed == sorted({*north, "HG-P002", *in_030}) and len(in_030) > 1


@pytest.mark.parametrize(
    ("districts", "points", "message"),
    [
        (["999"], [], "unknown administrative unit code(s): 999"),
        ([], ["NOPE", "HG-P001", "ALSO"], "unknown connection point code(s): NOPE, ALSO"),
        ([], [], "nothing to assign: give --districts and/or --points"),
    ],
)
def test_bad_assignments_name_the_problem(demo_engine, districts, points, message) -> None:
    with session_scope(demo_engine) as session, pytest.raises(IctrError) as caught:
        assign(session, agent="north", districts=districts, points=points)
    assert str(caught.value) == message


def test_watch_options_exclude_points() -> None:
    with pytest.raises(IctrError, match="--points probes exactly the points given"):
        ProbeOptions(points=("A",), watch_points=("B",))


def _round(engine, agent: str, at: datetime, up: dict[int, bool]) -> None:
    records = [
        {
            "point_id": point,
            "agent": agent,
            "method": "icmp",
            "started_at": at,
            "sent": 3,
            "received": 3 if answered else 0,
            "rtt_min_ms": 1.0 if answered else None,
            "rtt_median_ms": 1.0 if answered else None,
            "rtt_max_ms": 1.0 if answered else None,
            "rtt_stddev_ms": None,
            "error": None if answered else "no answer",
        }
        for point, answered in up.items()
    ]
    store_records(engine, agent=agent, started_at=at, records=records, down_after=2)


def _incidents(engine) -> list[tuple[int, str, datetime, datetime | None]]:
    with session_scope(engine) as session:
        return sorted(
            (i.point_id, i.agent, i.down_from, i.up_at)
            for i in session.exec(select(Incident)).all()
        )


def test_only_the_own_agent_makes_a_point_down(engine) -> None:
    ids = add_points(
        engine,
        [
            {"code": "N1", "address": "127.10.0.1", "agent": "north"},
            {"code": "N2", "address": "127.10.0.2", "agent": "north"},
        ],
    )
    n1, n2 = ids["N1"], ids["N2"]
    for i in range(4):
        at = T0 + timedelta(minutes=5 * i)
        _round(engine, "north", at, {n1: True, n2: i < 2})  # N2 goes down at round 2
        _round(engine, "hq", at + timedelta(seconds=20), {n1: False, n2: False})  # hq cut off
    # hq saw both down four times: no incident of its own, its view is kept.
    assert _incidents(engine) == [(n2, "north", T0 + timedelta(minutes=10), None)]
    with session_scope(engine) as session:
        now = T0 + timedelta(hours=1)
        own = availability(session, window=timedelta(hours=2), now=now)
        hq = availability(session, window=timedelta(hours=2), now=now, agent="hq")
        overview = {v.agent: v for v in agents_overview(session, now=now)}
    assert (own[n1].ratio, own[n2].ratio) == (1.0, 0.5)
    assert (hq[n1].rounds, hq[n1].ratio, hq[n2].ratio) == (4, 0.0, 0.0)
    assert (overview["north"].own_points, overview["north"].watched_points_24h) == (2, 0)
    assert (overview["hq"].own_points, overview["hq"].rows_24h) == (0, 8)
    assert overview["hq"].watched_points_24h == 2

    # N2 is handed to "south": north's open incident ends at south's first round, and
    # south opens its own once it has seen two failed rounds.
    with session_scope(engine) as session:
        assign(session, agent="south", points=["N2"])
    later = T0 + timedelta(minutes=30)
    _round(engine, "north", later, {n2: False})  # north no longer decides anything for N2
    assert _incidents(engine) == [(n2, "north", T0 + timedelta(minutes=10), None)]
    _round(engine, "south", later + timedelta(minutes=1), {n2: False})
    _round(engine, "south", later + timedelta(minutes=6), {n2: False})
    assert _incidents(engine) == [
        (n2, "north", T0 + timedelta(minutes=10), later + timedelta(minutes=1)),
        (n2, "south", later + timedelta(minutes=1), None),
    ]


def test_assign_and_agents_commands(demo_engine) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["probe", "assign", "--agent", "north", "--districts", "026"])
    assert result.exit_code == 0, result.output
    owned = _demo_codes(demo_engine, agent="north")
    assert f"agent 'north' now owns {len(owned)} more point(s): " in result.output
    result = runner.invoke(app, ["probe", "assign", "--agent", "north", "--points", "ZZZ"])
    assert result.exit_code == 2
    assert "error: unknown connection point code(s): ZZZ" in result.output
    result = runner.invoke(app, ["probe", "agents", "--json"])
    assert result.exit_code == 0, result.output
    views = {v["agent"]: v for v in json.loads(result.output)}
    assert views["north"]["own_points"] == len(owned)
    assert views[""]["own_points"] == len(_demo_codes(demo_engine, active=True)) - len(owned)
    result = runner.invoke(app, ["probe", "agents"])
    assert result.exit_code == 0 and "(default)" in result.output


# --- PostgreSQL: one scheduler per agent ----------------------------------------------


@pytest.fixture
def pg_url(_postgres, monkeypatch) -> Iterator[str]:
    """A PostgreSQL database at the newest schema (the test fails in CI without one)."""
    if _postgres is None:
        skip_or_fail("needs PostgreSQL: set ICTR_TEST_DATABASE_URL")
    name = _postgres.create(_postgres.template("demo"))
    url = _postgres.url(name)
    monkeypatch.setenv("ICTR_DATABASE_URL", url)
    from inventory.settings import get_settings

    get_settings.cache_clear()
    yield url
    get_engine(url).dispose()
    _postgres.drop(name)


def test_one_scheduler_per_agent_across_machines(pg_url: str) -> None:
    # Separate engines stand for separate machines: nothing is shared but the server.
    first = PostgresSchedulerLock(create_engine(pg_url), "north")
    second = PostgresSchedulerLock(create_engine(pg_url), "north")
    other = PostgresSchedulerLock(create_engine(pg_url), "south")
    first.acquire()
    try:
        with pytest.raises(IctrError) as caught:
            second.acquire()
        assert "another probe scheduler (server pid " in str(caught.value)
        assert "for agent 'north' (PostgreSQL advisory lock)" in str(caught.value)
        other.acquire()  # another agent may run
        first.check()  # still ours
        # The server loses our session (as in a restart): the next check takes it again.
        _terminate_lock_sessions(pg_url)
        first.check()
        with pytest.raises(IctrError):
            second.acquire()
        # Lost, and taken by another scheduler meanwhile: this one must stop.
        _terminate_lock_sessions(pg_url)
        second.acquire()
        with pytest.raises(IctrError, match="another probe scheduler"):
            first.check()
    finally:
        for lock in (first, second, other):
            lock.release()


def _terminate_lock_sessions(url: str) -> None:
    with create_engine(url).connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
            )
        )
    time.sleep(0.2)


# --- three agents at once -----------------------------------------------------------


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    if os.geteuid() != 0:
        skip_or_fail("needs root (raw sockets, network namespaces, a PostgreSQL cluster)")
    for tool in ("ip", "nft", "runuser"):
        if shutil.which(tool) is None:
            skip_or_fail(f"needs the {tool!r} command (see .ci/apt-packages)")
    with network_lab() as built:
        refresh_routes()
        yield built
    refresh_routes()


FAST = ["--interval", "1s", "--count", "3", "--spacing", "0.05", "--timeout", "0.3"]
FAST += ["--pps", "2000", "--down-after", "2"]


@dataclass
class Agent:
    name: str
    args: list[str]
    rounds: int = 0
    process: subprocess.Popen[str] | None = None
    output: str = ""


def _start(agents: list[Agent], url: str, folder: Path, rounds: int) -> None:
    env = {**os.environ, "ICTR_DATABASE_URL": url, "XDG_DATA_HOME": str(folder / "data")}
    for agent in agents:
        agent.rounds = rounds
        agent.process = subprocess.Popen(
            [ICTR, "probe", "schedule", "--agent", agent.name, "--rounds", str(rounds),
             "--spool", str(folder / f"spool-{agent.name}.jsonl"), *FAST, *agent.args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip


def _finish(agents: list[Agent], timeout: float) -> None:
    end = time.monotonic() + timeout
    try:
        for agent in agents:
            assert agent.process is not None
            agent.output, _ = agent.process.communicate(timeout=max(1, end - time.monotonic()))
    finally:
        for agent in agents:
            if agent.process is not None and agent.process.poll() is None:
                agent.process.kill()
                agent.output += agent.process.communicate()[0]
    for agent in agents:
        assert agent.process is not None
        assert agent.process.returncode == 0, agent.output
        assert f"scheduler stopped after {agent.rounds} rounds" in agent.output


def _rounds_stored(engine, agent: str) -> int:
    with session_scope(engine) as session:
        return int(
            session.exec(
                select(func.count(func.distinct(ProbeResult.started_at))).where(
                    ProbeResult.agent == agent
                )
            ).one()
        )


def _wait_rounds(engine, agents: list[Agent], at_least: int, timeout: float = 40) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if all(_rounds_stored(engine, a.name) >= at_least for a in agents):
            return
        if any(a.process is not None and a.process.poll() is not None for a in agents):
            break
        time.sleep(0.2)
    outputs = "\n".join(a.process.communicate()[0] if a.process else "" for a in agents)
    raise AssertionError(f"agents did not store {at_least} rounds:\n{outputs}")


def _check_rows(engine, agent: str, rounds: int, expected_points: set[int]) -> None:
    """Exactly `rounds` rounds, each with one row per point and method: none lost or doubled."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(ProbeResult.started_at, ProbeResult.point_id, ProbeResult.method).where(
                ProbeResult.agent == agent
            )
        ).all()
    per_round: dict[datetime, list[tuple[int, str]]] = {}
    for started_at, point, method in rows:
        per_round.setdefault(started_at, []).append((point, method))
    assert len(per_round) == rounds, agent
    shapes = {tuple(sorted(keys)) for keys in per_round.values()}
    assert len(shapes) == 1, f"{agent}: rounds differ in their rows"
    [shape] = shapes
    assert len(set(shape)) == len(shape)
    assert {point for point, _ in shape} == expected_points, agent


def expected_incidents(
    rounds: list[tuple[datetime, bool | None]], k: int
) -> list[tuple[datetime, datetime | None]]:
    """The incidents K-failed/1-good implies for one point's own rounds, in order."""
    found: list[tuple[datetime, datetime | None]] = []
    down_from: datetime | None = None
    failed: list[datetime] = []
    for at, answered in sorted(rounds):
        if answered is None:  # nothing sent: neither up nor down
            continue
        if answered:
            failed = []
            if down_from is not None:
                found.append((down_from, at))
                down_from = None
        else:
            failed.append(at)
            if down_from is None and len(failed) >= k:
                down_from = failed[-k]
    if down_from is not None:
        found.append((down_from, None))
    return found


def _check_incidents(engine) -> list[tuple[int, str, datetime, datetime | None]]:
    with session_scope(engine) as session:
        owner = dict(session.exec(select(ConnectionPoint.id, ConnectionPoint.agent)).all())
        rows = session.exec(
            select(
                ProbeResult.point_id,
                ProbeResult.agent,
                ProbeResult.started_at,
                func.max(ProbeResult.sent),
                func.max(ProbeResult.received),
            ).group_by(ProbeResult.point_id, ProbeResult.agent, ProbeResult.started_at)
        ).all()
    own: dict[int, list[tuple[datetime, bool | None]]] = {}
    for point, agent, at, sent, received in rows:
        if owner[point] == agent:
            own.setdefault(point, []).append((at, None if not sent else received > 0))
    expected = sorted(
        (point, owner[point], down_from, up_at)
        for point, rounds in own.items()
        for down_from, up_at in expected_incidents(rounds, 2)
    )
    stored = _incidents(engine)
    assert stored == expected
    return stored


def test_three_agents_write_concurrently_while_indicators_run(
    pg_url: str, lab: Lab, tmp_path: Path
) -> None:
    from readiness.table import readiness_table

    engine = get_engine(pg_url)
    runner = CliRunner()
    for agent, districts in (("north", "026,027,028"), ("south", "029,030"), ("hq", "024")):
        result = runner.invoke(app, ["probe", "assign", "--agent", agent, "--districts", districts])
        assert result.exit_code == 0, result.output
    # Test hosts, each owned by one agent; hq also watches SLOW and DROP for diagnosis,
    # with a timeout shorter than SLOW's 50 ms replies: hq sees SLOW down, south up.
    ids = add_points(
        engine,
        [
            {"code": "HEALTHY", "address": lab.healthy, "unit_code": "026", "agent": "north"},
            {"code": "DROP", "address": lab.drop_icmp, "unit_code": "027", "agent": "north"},
            {"code": "NOBODY", "address": lab.nobody, "unit_code": "029", "agent": "south"},
            {"code": "SLOW", "address": lab.slow, "unit_code": "030", "agent": "south",
             "probe_method": "icmp"},
        ],
    )  # fmt: skip
    with session_scope(engine) as session:
        points = {
            agent: {
                p.id
                for p in session.exec(
                    select(ConnectionPoint).where(
                        ConnectionPoint.agent == agent, ConnectionPoint.active
                    )
                )
            }
            for agent in ("north", "south", "hq")
        }
    rounds = 12
    agents = [
        Agent("north", []),
        Agent("south", []),
        Agent("hq", ["--watch-points", "SLOW,DROP", "--timeout", "0.02"]),
    ]
    computed: list[float] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def indicators() -> None:
        while not stop.is_set():
            began = time.monotonic()
            try:
                with Session(engine) as session:
                    # Today's structure: the 124 communes of Tuyên Quang (08@2025).
                    table = readiness_table(session, level="commune", at=date.today())
                    assert len(table) == 124
            except BaseException as exc:
                failures.append(exc)
                return
            computed.append(time.monotonic() - began)

    with create_engine(pg_url).connect() as connection:
        deadlocks_before = connection.execute(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        ).scalar()
    reader = threading.Thread(target=indicators)
    _start(agents, pg_url, tmp_path, rounds)
    reader.start()
    try:
        _wait_rounds(engine, agents[:1], at_least=4)
        with session_scope(engine) as session:  # DROP's link is repaired mid-run
            session.exec(
                update(ConnectionPoint)
                .where(ConnectionPoint.code == "DROP")
                .values(address=lab.healthy)
            )
        _finish(agents, timeout=50)
    finally:
        stop.set()
        reader.join()
    assert not failures, failures
    assert len(computed) >= 3  # the indicators ran all along

    for agent in agents:
        assert "deadlock" not in agent.output and "spool" not in agent.output, agent.output
        assert "round failed" not in agent.output, agent.output
    _check_rows(engine, "north", rounds, points["north"])
    _check_rows(engine, "south", rounds, points["south"])
    _check_rows(engine, "hq", rounds, points["hq"] | {ids["SLOW"], ids["DROP"]})

    stored = _check_incidents(engine)
    by_point = {point: (agent, down, up) for point, agent, down, up in stored}
    assert set(by_point) == {ids["DROP"], ids["NOBODY"]}  # never SLOW: only hq saw it down
    assert by_point[ids["DROP"]][0] == "north" and by_point[ids["DROP"]][2] is not None
    assert by_point[ids["NOBODY"]][0] == "south" and by_point[ids["NOBODY"]][2] is None
    with session_scope(engine) as session:
        now = datetime.now(UTC)
        own = availability(session, window=timedelta(hours=1), now=now)
        hq = availability(session, window=timedelta(hours=1), now=now, agent="hq")
    assert own[ids["SLOW"]].ratio is not None and own[ids["SLOW"]].ratio > 0.8
    assert hq[ids["SLOW"]].rounds == rounds and hq[ids["SLOW"]].up_rounds == 0
    with create_engine(pg_url).connect() as connection:
        deadlocks = connection.execute(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        ).scalar()
    assert deadlocks == deadlocks_before


# --- a PostgreSQL restart while agents run ------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    folder: Path
    port: int
    pg_bin: Path

    def ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.pg_bin / "pg_ctl"),
             "-D", str(self.folder / "data"), "-l", str(self.folder / "log"), *args],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        self.ctl(
            "-w", "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off",
            "start",
        )  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def cluster(require_root) -> Iterator[Cluster]:
    """A throw-away PostgreSQL cluster on a free loopback port, torn down after."""
    if shutil.which("runuser") is None:
        skip_or_fail("needs runuser (util-linux) to run PostgreSQL as its user")
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries:
        skip_or_fail("needs PostgreSQL server binaries (Debian package postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="ictr-agents-pg-"))
    shutil.chown(folder, "postgres")
    built = Cluster(folder, _free_port(), binaries[-1].parent)
    subprocess.run(
        ["runuser", "-u", "postgres", "--", str(built.pg_bin / "initdb"), "-D",
         str(folder / "data"), "-A", "trust", "-U", "postgres"],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    built.start()
    try:
        admin = create_engine(built.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE ictr"))
        admin.dispose()
        yield built
    finally:
        try:
            built.ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)


def test_a_postgresql_restart_while_agents_run_loses_nothing(
    cluster: Cluster, tmp_path: Path
) -> None:
    url = cluster.url("ictr")
    engine = get_engine(url)
    upgrade(engine)
    ids = add_points(
        engine,
        [{"code": f"N{i}", "address": f"127.10.0.{i}", "agent": "north"} for i in (1, 2, 3)]
        + [{"code": f"S{i}", "address": f"127.10.1.{i}", "agent": "south"} for i in (1, 2)]
        + [{"code": "H1", "address": "127.10.2.1", "agent": "hq"}],
    )
    rounds = 10
    agents = [Agent("north", []), Agent("south", []), Agent("hq", ["--watch-points", "N1"])]
    _start(agents, url, tmp_path, rounds)
    try:
        _wait_rounds(engine, agents, at_least=3)
        engine.dispose()
        cluster.ctl("-m", "fast", "-w", "stop")
        time.sleep(3.5)  # about three rounds each, spooled
        cluster.start()
        _finish(agents, timeout=60)
    finally:
        for agent in agents:
            if agent.process is not None and agent.process.poll() is None:
                agent.process.kill()
    for agent in agents:
        assert "round kept in spool" in agent.output, agent.output
        assert "spooled round(s)" in agent.output, agent.output
        assert not (tmp_path / f"spool-{agent.name}.jsonl").exists()
    _check_rows(engine, "north", rounds, {ids["N1"], ids["N2"], ids["N3"]})
    _check_rows(engine, "south", rounds, {ids["S1"], ids["S2"]})
    _check_rows(engine, "hq", rounds, {ids["H1"], ids["N1"]})
    assert _check_incidents(engine) == []  # loopback always answers
