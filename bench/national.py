"""Benchmark: a national deployment on PostgreSQL.

10,000 connection points over the 63 provinces (legacy units), 7 days of 5-minute rounds
(~20 million probe rows) loaded in bulk with COPY (streamed, point by point, into the
indexed table, as-is), then, in the same run and alternating with a baseline (the bare
GROUP BY any implementation must at least do), the median of several runs of:

- all-district indicators for a province (`readiness_table(within=province)`: its districts,
  ranked among themselves, probe counts of its points only);
- national availability per province (`probes.history.availability` per point, summed);

in two states of the same data: "raw rows", as right after the bulk load (no hour
summarised: every window reads raw rounds; baseline: the bare GROUP BY over them), and
"hours summarised", the steady state of a running system, whose schedulers summarise every
complete hour into probe_hourly (probes/history/hourly_summary.py; baseline: the bare GROUP BY over
the hourly rows). Also timed: summarising the 7-day backlog once, and one hour of all points
(what a scheduler does once an hour). Targets: load >= 100,000 rows/s; each query < 2 s.

The database is created on the server given (default: ICTR_BENCH_ADMIN_URL, else
ICTR_TEST_DATABASE_URL) and dropped at the end; `--cluster` instead starts a throw-away
cluster (initdb as the postgres user, fsync on, shared_buffers 2GB) in a temporary folder.

    .venv/bin/python bench/national.py [--points 10000] [--days 7] [--runs 5] [--cluster]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, select, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inventory.admin_units import legacy_units  # noqa: E402
from inventory.db import dispose_engines, get_engine, session_scope  # noqa: E402
from inventory.migrate import upgrade  # noqa: E402
from inventory.models import AdminUnit, Agency, Computer, ConnectionPoint, ServiceFigure  # noqa: E402
from probes.history.availability import availability  # noqa: E402
from probes.history.hourly_summary import WATERMARK_KEY, summarise  # noqa: E402
from probes.history.rollup_build import HOURLY  # noqa: E402
from readiness.table import readiness_table  # noqa: E402

PROVINCE = "02"  # Hà Giang: the province whose district table is timed
# The data ends here (exclusive). The national dataset is the 2020 three-level structure
# (10,040 communes under their districts), so its window lies in that era: after 2025-06-30
# there are no districts to ask for.
END = datetime(2025, 6, 1, tzinfo=UTC)
ROUNDS_PER_DAY = 288
HOUR = timedelta(hours=1)


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """initdb + pg_ctl as the postgres user on a free loopback port; yields an admin URL."""
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="ictr-bench-pg-"))
    shutil.chown(folder, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run_as, str(pg_bin / "initdb"), "-D", str(folder / "data"), "-A", "trust",
         "-U", "postgres"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c shared_buffers=2GB "
        "-c max_wal_size=8GB -c maintenance_work_mem=1GB -c work_mem=64MB"
    )
    ctl = [*run_as, str(pg_bin / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log")]
    subprocess.run([*ctl, "-w", "-o", options, "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*ctl, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def temporary_database(admin_url: str) -> Iterator[str]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"ictr_bench_national_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def province_codes() -> list[str]:
    from vietnamadminunits.database import query

    rows = query("SELECT DISTINCT provinceCode FROM [admin_units_legacy]")
    return sorted(r["provinceCode"] for r in rows)


def build_inventory(url: str, n_points: int) -> dict[str, str]:
    """Units of every province, one agency per district with computers, the points.

    Returns district code -> province code."""
    rng = random.Random(7)
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        for code in province_codes():
            # legacy_units() yields a code-less "commune" for island districts without
            # communes (Bạch Long Vĩ, Cồn Cỏ, ...): left out here.
            session.add_all(u for u in legacy_units(code) if u.code is not None)
            session.flush()
    with session_scope(engine) as session:
        units = session.execute(select(AdminUnit.code, AdminUnit.level, AdminUnit.parent_code))
        parent = {code: up for code, _level, up in units}
        districts = sorted(c for c, p in parent.items() if len(c) == 3)
        communes = sorted(c for c in parent if len(c) == 5)
        session.execute(
            insert(Agency),
            [
                dict(
                    code=f"UB{d}",
                    name=f"UBND huyện {d}",
                    kind="district_committee",
                    unit_code=d,
                    officials=60,
                    signing_officials=8,
                )
                for d in districts
            ],
        )
        agencies = [r[0] for r in session.execute(select(Agency.id))]
        session.execute(
            insert(ServiceFigure),
            [
                dict(unit_code=d, agency_id=a, period="2024", procedures=100,
                     procedures_level3=30, procedures_level4=10, dossiers_received=500,
                     dossiers_online=120, dossiers_on_time=450)
                for d, a in zip(districts, agencies, strict=True)
            ],
        )  # fmt: skip
        session.execute(
            insert(Computer),
            [
                dict(
                    asset_tag=f"T{i:07d}",
                    agency_id=agencies[i % len(agencies)],
                    kind="desktop",
                    os=rng.choice(["Windows 7", "Windows 10", "Windows 11"]),
                    purchase_year=rng.randint(2010, 2024),
                    internet=True,
                    status="in_use",
                )
                for i in range(40 * len(agencies))
            ],
        )
        # Points at commune level, spread evenly over all communes of the country.
        step = len(communes) / n_points
        session.execute(
            insert(ConnectionPoint),
            [
                dict(
                    code=f"VN-P{i:05d}",
                    name=f"Điểm kết nối {i}",
                    unit_code=communes[int(i * step)],
                    address=f"127.{20 + i // 65025}.{i // 255 % 255}.{i % 255 + 1}",
                )
                for i in range(n_points)
            ],
        )
    return {d: parent[d] for d in districts if parent[d] is not None}


def _rtt_pool(rng: random.Random, size: int = 4096) -> list[str]:
    """Pre-formatted 'min med max stddev' columns: formatting floats per row costs more
    than the database's work."""
    pool = []
    for _ in range(size):
        median = rng.lognormvariate(3.0, 0.6)
        pool.append(f"{median * 0.8:.3f}\t{median:.3f}\t{median * 1.6:.3f}\t{median * 0.2:.3f}")
    return pool


COLUMNS = (
    "point_id, agent, method, started_at, sent, received, rtt_min_ms, rtt_median_ms, "
    "rtt_max_ms, rtt_stddev_ms, error"
)


def _copy_stream(url: str, point_ids: list[int], starts: list[str], seed: int) -> int:
    """One COPY of these points' rounds, point by point, written in ~4 MB chunks."""
    rng = random.Random(seed)
    pool = _rtt_pool(rng)
    down = "5\t0\t\\N\t\\N\t\\N\t\\N\tno answer\n"
    raw = get_engine(url).raw_connection()
    rows = 0
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY probe_result ({COLUMNS}) FROM STDIN") as copy:
            buffer: list[str] = []
            size = 0
            for point in point_ids:
                loss = 0.2 if rng.random() < 0.05 else 0.01  # a few points lose many rounds
                prefix = f"{point}\t\ticmp\t"
                for k, start in enumerate(starts):
                    if rng.random() < loss:
                        line = f"{prefix}{start}\t{down}"
                    else:
                        line = f"{prefix}{start}\t5\t5\t{pool[(k * 7 + point) & 4095]}\t\\N\n"
                    buffer.append(line)
                    size += len(line)
                rows += len(starts)
                if size >= 4 << 20:
                    copy.write("".join(buffer))
                    buffer, size = [], 0
            if buffer:
                copy.write("".join(buffer))
        raw.commit()
    finally:
        raw.close()
    return rows


def copy_rounds(url: str, point_ids: list[int], begin: datetime, days: int, streams: int) -> int:
    """COPY the points' rounds over `streams` connections at once (one thread each)."""
    starts = [
        (begin + timedelta(minutes=5 * k)).strftime("%Y-%m-%d %H:%M:%S+00")
        for k in range(days * ROUNDS_PER_DAY)
    ]
    counts = [0] * streams

    def work(n: int) -> None:
        counts[n] = _copy_stream(url, point_ids[n::streams], starts, seed=11 + n)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(streams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts)


def without_indexes(url: str) -> list[str]:
    """Drop probe_result's keys, foreign key and indexes; returns the DDL that restores
    them (PostgreSQL's advice for populating a table: load, then index)."""
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        constraints = connection.execute(
            text(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'probe_result'::regclass AND contype IN ('p', 'u', 'f')"
            )
        ).all()
        names = {name for name, _kind, _definition in constraints}
        indexes = connection.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'probe_result'")
        ).all()
        order = {"p": 0, "u": 1, "f": 3}
        restore = sorted(
            [(order[kind], f"ALTER TABLE probe_result ADD CONSTRAINT {name} {definition}")
             for name, kind, definition in constraints]
            + [(2, definition) for name, definition in indexes if name not in names]
        )  # fmt: skip
        for name, _kind, _definition in sorted(constraints, key=lambda c: c[1] != "f"):
            connection.execute(text(f"ALTER TABLE probe_result DROP CONSTRAINT {name}"))
        for name, _definition in indexes:
            if name not in names:
                connection.execute(text(f"DROP INDEX {name}"))
    return [statement for _rank, statement in restore]


def restore_indexes(url: str, statements: list[str]) -> None:
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("SET maintenance_work_mem = '1GB'"))
        for statement in statements:
            connection.execute(text(statement))


def load(url: str, days: int, streams: int) -> int:
    """The bulk load, timed in its phases; returns the rows loaded."""
    with create_engine(url).connect() as connection:
        point_ids = [r[0] for r in connection.execute(text("SELECT id FROM connection_point"))]
    began = time.perf_counter()
    restore = without_indexes(url)
    rows = copy_rounds(url, point_ids, END - timedelta(days=days), days, streams)
    copied = time.perf_counter()
    restore_indexes(url, restore)
    done = time.perf_counter()
    print(f"load: {rows:,} probe rows in {done - began:.1f} s = {rows / (done - began):,.0f} "
          f"rows/s (target >= 100,000): COPY over {streams} connections {copied - began:.1f} s "
          f"({rows / (copied - began):,.0f} rows/s), then keys and indexes "
          f"{done - copied:.1f} s")  # fmt: skip
    # For comparison: appending one more day for 1,000 points to the live, indexed table.
    sample = point_ids[:1000]
    began = time.perf_counter()
    extra = copy_rounds(url, sample, END, 1, 1)
    seconds = time.perf_counter() - began
    print(f"      appending {extra:,} rows to the indexed table by COPY: "
          f"{extra / seconds:,.0f} rows/s")  # fmt: skip
    return rows


def province_of(session: Session, districts: dict[str, str]) -> dict[int, str]:
    """point id -> province code (points sit in communes)."""
    parent = dict(session.execute(select(AdminUnit.code, AdminUnit.parent_code)).all())
    found = {}
    for point_id, unit in session.execute(select(ConnectionPoint.id, ConnectionPoint.unit_code)):
        district = parent[unit] if len(unit) == 5 else unit
        found[point_id] = districts[district]
    return found


def timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def compare(label: str, ours: Callable[[], object], base: Callable[[], object], runs: int):
    ours(), base()  # warm the caches
    mine, theirs = [], []
    result = None
    for _ in range(runs):
        seconds, result = timed(ours)
        mine.append(seconds)
        seconds, _ = timed(base)
        theirs.append(seconds)
    m, b = statistics.median(mine), statistics.median(theirs)
    verdict = "yes" if m < 2 else "NO"
    print(f"{label:52} {m:7.2f} s   baseline {b:7.2f} s   ratio {m / b:5.2f}x   < 2 s: {verdict}")
    return result


PROVINCE_POINTS = """
    connection_point p JOIN admin_unit c ON c.code = p.unit_code
    JOIN admin_unit d ON d.code = c.parent_code AND d.parent_code = :province
"""
BASE_INDICATORS = f"""
    SELECT p.id, count(*), sum(CASE WHEN r.received > 0 THEN 1 ELSE 0 END),
           sum(r.sent), sum(r.received)
    FROM {PROVINCE_POINTS} JOIN probe_result r ON r.point_id = p.id AND r.agent = p.agent
    WHERE r.started_at >= :since AND r.started_at <= :end GROUP BY p.id
"""
BASE_INDICATORS_ROLLED = f"""
    SELECT p.id, sum(h.results), sum(h.good_results), sum(h.sent), sum(h.received)
    FROM {PROVINCE_POINTS} JOIN probe_hourly h ON h.point_id = p.id AND h.agent = p.agent
    WHERE h.period_start >= :since AND h.period_start < :end GROUP BY p.id
"""
BASE_COMPUTERS = """
    SELECT c.agency_id, c.os, count(*), sum(CASE WHEN c.internet THEN 1 ELSE 0 END)
    FROM computer c JOIN agency a ON a.id = c.agency_id
    JOIN admin_unit u ON u.code = a.unit_code
    WHERE c.status = 'in_use' AND (u.code = :province OR u.parent_code = :province)
    GROUP BY c.agency_id, c.os
"""
BASE_AVAILABILITY = """
    SELECT d.parent_code, count(*), sum(CASE WHEN r.received > 0 THEN 1 ELSE 0 END)
    FROM probe_result r JOIN connection_point p ON p.id = r.point_id
    JOIN admin_unit c ON c.code = p.unit_code JOIN admin_unit d ON d.code = c.parent_code
    WHERE r.started_at > :since AND r.started_at <= :end GROUP BY d.parent_code
"""
BASE_AVAILABILITY_ROLLED = """
    SELECT d.parent_code, sum(h.rounds), sum(h.up_rounds)
    FROM probe_hourly h JOIN connection_point p ON p.id = h.point_id
    JOIN admin_unit c ON c.code = p.unit_code JOIN admin_unit d ON d.code = c.parent_code
    WHERE h.period_start >= :since AND h.period_start < :end GROUP BY d.parent_code
"""


def queries(url: str, districts: dict[str, str], runs: int, rolled: bool) -> None:
    engine = get_engine(url)
    at = (END - timedelta(days=1)).date()
    end = datetime.combine(at, datetime.max.time(), tzinfo=UTC)
    with Session(engine) as session:
        provinces = province_of(session, districts)

    def indicators() -> object:
        with Session(engine) as session:
            table = readiness_table(session, level="district", at=at, within=PROVINCE)
        assert len(table) == 11 and set(table["parent_code"]) == {PROVINCE}
        return table

    def indicators_base() -> None:
        sql = BASE_INDICATORS_ROLLED if rolled else BASE_INDICATORS
        with engine.connect() as connection:
            for hours in (24, 168, 720):
                since = end - timedelta(hours=hours)
                params = {"since": since, "end": end, "province": PROVINCE}
                connection.execute(text(sql), params).all()
            connection.execute(text(BASE_COMPUTERS), {"province": PROVINCE}).all()

    def national(window: timedelta) -> Callable[[], object]:
        def run() -> object:
            with Session(engine) as session:
                found = availability(session, window=window, now=END)
            totals: dict[str, list[int]] = {}
            for point, figures in found.items():
                pair = totals.setdefault(provinces[point], [0, 0])
                pair[0] += figures.rounds
                pair[1] += figures.up_rounds
            assert len(totals) == 63
            return totals

        return run

    def national_base(window: timedelta) -> Callable[[], object]:
        sql = BASE_AVAILABILITY_ROLLED if rolled else BASE_AVAILABILITY
        params = {"since": END - window, "end": END}

        def run() -> object:
            with engine.connect() as connection:
                return connection.execute(text(sql), params).all()

        return run

    source = "hours summarised" if rolled else "raw rows"
    table = compare(f"all-district indicators, province {PROVINCE} ({source})",
                    indicators, indicators_base, runs)  # fmt: skip
    for name, window in (("24h", timedelta(hours=24)), ("7d", timedelta(days=7))):
        totals = compare(
            f"national availability per province, {name} ({source})",
            national(window),
            national_base(window),
            runs,
        )
    assert isinstance(totals, dict)
    ratios = sorted(up / rounds for rounds, up in totals.values() if rounds)
    print(
        f"    7-day availability: provinces from {ratios[0]:.2%} to {ratios[-1]:.2%}; "
        f"{PROVINCE} districts 7d: "
        + ", ".join(f"{v:.1f}" for v in table["availability_7d_pct"].tolist()[:4])
        + " ..."
    )


def sizes(url: str) -> None:
    with create_engine(url).connect() as connection:
        for table in ("probe_result", "probe_hourly", "probe_daily"):
            rows = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0
            heap, total = connection.execute(
                text(f"SELECT pg_table_size('{table}'), pg_total_relation_size('{table}')")
            ).one()
            n = max(rows, 1)
            per_row = f"{heap / n:4.0f} B/row heap, {total / n:4.0f} with indexes"
            print(
                f"    {table:13} {rows:>12,} rows  {total / 2**20:9.1f} MiB"
                + (f"  ({per_row})" if rows else "")
            )


def run(admin_url: str, args: argparse.Namespace) -> None:
    with temporary_database(admin_url) as url:
        print(f"database {make_url(url).render_as_string(hide_password=True)}")
        started = time.perf_counter()
        districts = build_inventory(url, args.points)
        print(f"inventory: 63 provinces, {len(districts)} districts, {args.points:,} points "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        load(url, args.days, args.streams)
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
            seconds, _ = timed(lambda: connection.execute(text("VACUUM ANALYZE")))
        print(f"VACUUM ANALYZE (what autovacuum does after a load): {seconds:.1f} s")
        sizes(url)
        engine = get_engine(url)
        queries(url, districts, args.runs, rolled=False)
        seconds, summary = timed(lambda: summarise(engine, now=END + timedelta(minutes=10)))
        assert summary.through == END
        print(f"summarising the {args.days}-day backlog once: {summary.buckets:,} hourly rows "
              f"in {seconds:.1f} s ({summary.steps} transactions)")  # fmt: skip
        hour = []
        for _ in range(args.runs):
            with engine.begin() as connection:  # undo the last hour, then redo it
                connection.execute(HOURLY.delete().where(HOURLY.c.period_start >= END - HOUR))
                connection.execute(
                    text("UPDATE meta SET value = :to WHERE key = :key"),
                    {"to": (END - HOUR).isoformat(), "key": WATERMARK_KEY},
                )
            seconds, summary = timed(lambda: summarise(engine, now=END + timedelta(minutes=10)))
            hour.append(seconds)
        median_ms = statistics.median(hour) * 1000
        print(f"summarising one hour of {args.points:,} points (a scheduler, once an hour): "
              f"median {median_ms:.0f} ms, {summary.buckets:,} rows")  # fmt: skip
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        sizes(url)
        queries(url, districts, args.runs, rolled=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--streams", type=int, default=2, help="parallel COPY connections")
    parser.add_argument("--cluster", action="store_true", help="start a throw-away cluster")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("ICTR_BENCH_ADMIN_URL")
        or os.environ.get("ICTR_TEST_DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:55432/postgres",
    )
    args = parser.parse_args()
    print(f"{args.points:,} points x {args.days} days x {ROUNDS_PER_DAY} rounds/day; "
          f"{args.runs} runs per figure, medians")  # fmt: skip
    if args.cluster:
        with throwaway_cluster() as admin_url:
            run(admin_url, args)
    else:
        run(args.admin_url, args)


if __name__ == "__main__":
    main()
