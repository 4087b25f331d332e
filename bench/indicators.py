"""Benchmark: all-commune indicators against the bare SQL aggregates, on a large SQLite file.

Builds 100,000 computers, 2,000 agencies (in Hà Giang's 2020 communes) and 73 points x 30 days
x 288 rounds (~630,000 probe rows), then times, in the same run and alternating, (a)
`readiness_table` for every commune of today's structure (the 124 of Tuyên Quang, 08@2025:
each record placed through the correspondence) and (b) the baseline: one bare GROUP BY per
table on the raw rows (the least work any implementation reading them must do). Prints the
median of several runs of each and their ratio. Target: within 2x, under 1 s.

Two states of the same database: "raw" (no hour summarised: every window reads raw rounds;
what a database holds right after a bulk load), and "summarised", the steady state of a
running system, where the scheduler has summarised every complete hour into probe_hourly
(probes/history/hourly_summary.py) and the windows read whole hours from there. The cost of keeping
that state is printed too: summarising the whole backlog once, and one hour (what the
scheduler does once an hour).

    .venv/bin/python bench/indicators.py [--runs 7] [--keep FILE]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inventory.admin_units import load_units  # noqa: E402
from inventory.db import get_engine, session_scope  # noqa: E402
from inventory.migrate import upgrade  # noqa: E402
from inventory.models import (  # noqa: E402
    AdminUnit,
    Agency,
    Certificate,
    Computer,
    ConnectionPoint,
    ProbeResult,
    ServiceFigure,
    UnitLevel,
)
from probes.history.hourly_summary import WATERMARK_KEY, summarise  # noqa: E402
from probes.history.rollup_build import HOURLY  # noqa: E402
from readiness.table import readiness_table  # noqa: E402

AT = date(2026, 11, 26)
# On AT the structure is the two-level one: the 124 communes of Tuyên Quang (08@2025), onto
# which the records of Hà Giang's 2020 communes are placed through the correspondence.
LEVEL = "commune"
BASELINE = [
    "SELECT agency_id, COUNT(*), SUM(internet), SUM(purchase_year) FROM computer "
    "WHERE status = 'in_use' GROUP BY agency_id",
    "SELECT unit_code, SUM(officials), SUM(signing_officials) FROM agency GROUP BY unit_code",
    "SELECT agency_id, COUNT(*) FROM certificate WHERE expires_on >= '2026-11-26' "
    "GROUP BY agency_id",
    "SELECT agency_id, SUM(procedures), SUM(procedures_level3) FROM service_figure "
    "GROUP BY agency_id",
    "SELECT point_id, COUNT(*), SUM(received > 0), SUM(sent), SUM(received) FROM probe_result "
    "WHERE started_at >= '2026-10-27' GROUP BY point_id",
]


def build(url: str) -> None:
    rng = random.Random(7)
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_units(session, province_code="02")
        communes = [  # the records of 2020 communes, as an existing database holds them
            u.code
            for u in session.query(AdminUnit).filter(
                AdminUnit.level == UnitLevel.commune, AdminUnit.era == 2020
            )
        ]
        kinds = ["provincial", "district_committee", "commune_committee", "other"]
        session.execute(
            insert(Agency),
            [
                dict(
                    code=f"A{i:04d}",
                    name=f"Cơ quan {i}",
                    kind=kinds[i % 4],
                    unit_code=communes[i % len(communes)],
                    officials=50,
                    signing_officials=10,
                )
                for i in range(2000)
            ],
        )
        ids = [r[0] for r in session.execute(select(Agency.id))]
        oses = ["Windows 7", "Windows 10", "Windows XP", "Windows 8.1", "Windows 11"]
        session.execute(
            insert(Computer),
            [
                dict(
                    asset_tag=f"T{i:06d}",
                    agency_id=ids[i % len(ids)],
                    kind=rng.choice(["desktop", "laptop"]),
                    os=rng.choice(oses),
                    purchase_year=rng.choice([None, *range(2008, 2026)]),
                    internet=rng.random() < 0.9,
                    status=rng.choice(["in_use"] * 8 + ["spare", "broken"]),
                )
                for i in range(100_000)
            ],
        )
        session.execute(
            insert(Certificate),
            [
                dict(
                    serial=f"S{i:06d}",
                    holder="Người ký",
                    agency_id=ids[i % len(ids)],
                    issued_on=date(2022, 1, 1) + timedelta(days=i % 1500),
                    expires_on=date(2027, 1, 1) + timedelta(days=i % 1500),
                )
                for i in range(10_000)
            ],
        )
        session.execute(
            insert(ServiceFigure),
            [
                dict(
                    unit_code=communes[i % len(communes)],
                    agency_id=aid,
                    period="2025",  # ended before AT: the figures count
                    procedures=100,
                    procedures_level3=20,
                    procedures_level4=10,
                    dossiers_received=500,
                    dossiers_online=100,
                    dossiers_on_time=450,
                )
                for i, aid in enumerate(ids)
            ],
        )
        session.execute(
            insert(ConnectionPoint),
            [
                dict(
                    code=f"P{i:03d}",
                    name=f"Điểm {i}",
                    unit_code=communes[i * 2],
                    address=f"127.10.0.{i + 1}",
                )
                for i in range(73)
            ],
        )
        points = [r[0] for r in session.execute(select(ConnectionPoint.id))]
        end = datetime(2026, 11, 26, 12, tzinfo=UTC)
        batch = []
        for point in points:
            for step in range(30 * 288):
                received = 5 if rng.random() > 0.02 else 0
                batch.append(
                    dict(
                        point_id=point,
                        agent="",
                        method="icmp",
                        started_at=end - timedelta(minutes=5 * step),
                        sent=5,
                        received=received,
                        rtt_median_ms=rng.uniform(5, 80) if received else None,
                    )
                )
            if len(batch) > 50_000:
                session.execute(insert(ProbeResult), batch)
                batch.clear()
        session.execute(insert(ProbeResult), batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database here")
    args = parser.parse_args()
    path = args.keep or Path(tempfile.mkdtemp()) / "bench.sqlite"
    url = f"sqlite:///{path}"
    if not path.exists():
        started = time.perf_counter()
        build(url)
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    engine = get_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT COUNT(*) FROM probe_result")).scalar()
        computers = connection.execute(text("SELECT COUNT(*) FROM computer")).scalar()
    print(f"{computers:,} computers, {rows:,} probe rows")
    with engine.begin() as connection:  # start from the raw state
        _unsummarise(connection)
    with session_scope(engine) as session:
        readiness_table(session, level=LEVEL, at=AT)  # warm the page cache
    raw_ours, raw_base = _alternate(engine, args.runs)
    started = time.perf_counter()
    summarise(engine)
    backlog = time.perf_counter() - started
    one_hour = []
    for _ in range(args.runs):
        with engine.begin() as connection:
            _forget_last_hour(connection, datetime(2026, 11, 26, 11, tzinfo=UTC))
        started = time.perf_counter()
        summarise(engine)
        one_hour.append(time.perf_counter() - started)
    ours, base = _alternate(engine, args.runs)
    print(f"summarising the 30-day backlog once: {backlog:.1f} s; one hour (73 points): "
          f"median {statistics.median(one_hour) * 1000:.0f} ms")  # fmt: skip
    for state, (o, b) in (("raw", (raw_ours, raw_base)), ("summarised", (ours, base))):
        m_ours, m_base = statistics.median(o), statistics.median(b)
        print(
            f"{state:>10}: all-commune indicators median {m_ours * 1000:.0f} ms, baseline bare "
            f"GROUP BYs {m_base * 1000:.0f} ms, ratio {m_ours / m_base:.2f}x (target <= 2x), "
            f"under 1 s: {m_ours < 1}"
        )


def _alternate(engine, runs: int) -> tuple[list[float], list[float]]:
    ours, base = [], []
    with session_scope(engine) as session:
        for _ in range(runs):
            started = time.perf_counter()
            table = readiness_table(session, level=LEVEL, at=AT)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            for sql in BASELINE:
                session.execute(text(sql)).all()
            base.append(time.perf_counter() - started)
    assert len(table) == 124
    return ours, base


def _unsummarise(connection) -> None:
    connection.execute(text("DELETE FROM meta WHERE key = :key"), {"key": WATERMARK_KEY})
    connection.execute(text("DELETE FROM probe_hourly"))


def _forget_last_hour(connection, hour: datetime) -> None:
    """Undo the summary of the data's last hour, so the next summary redoes just that."""
    connection.execute(delete(HOURLY).where(HOURLY.c.period_start >= hour))
    connection.execute(
        text("UPDATE meta SET value = :hour WHERE key = :key"),
        {"hour": hour.isoformat(), "key": WATERMARK_KEY},
    )


if __name__ == "__main__":
    main()
