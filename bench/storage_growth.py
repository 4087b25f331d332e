"""Measurement: how fast the probe tables grow, on SQLite and on PostgreSQL.

1,000 points, one day of 5-minute rounds (288 rounds, ICMP: one row per point and round),
written as the agents write them (`probes.history.store.store_records`, one transaction per
round), then folded by the retention into hourly and daily aggregates. Prints rows per day
per 1,000 points and bytes per row (table, and table plus its indexes) for each table and
engine, and what 90 days of raw rounds, a year of hourly and a year of daily aggregates
take for 1,000 points. A point probed with ICMP and TCP writes two rows per round.

    .venv/bin/python bench/storage_growth.py [--points 1000] [--admin-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inventory.db import dispose_engines, get_engine  # noqa: E402
from inventory.migrate import upgrade  # noqa: E402
from inventory.models import AdminUnit, ConnectionPoint, UnitLevel  # noqa: E402
from probes.history.retention import prune  # noqa: E402
from probes.history.store import store_records  # noqa: E402

DAY = datetime(2026, 11, 25, tzinfo=UTC)
TABLES = ("probe_result", "probe_hourly", "probe_daily")


def fill(engine: Engine, points: int) -> float:
    """The points, then one day of rounds through the agents' write path; seconds spent."""
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(AdminUnit).values(
                code="02", name="Tỉnh Hà Giang", short_name="Hà Giang", unit_type="Tỉnh",
                level=UnitLevel.province,
            )
        )  # fmt: skip
        connection.execute(
            insert(ConnectionPoint),
            [
                dict(code=f"P{i:05d}", name=f"Điểm {i}", unit_code="02", address="127.0.0.1")
                for i in range(points)
            ],
        )
        ids = [r[0] for r in connection.execute(text("SELECT id FROM connection_point"))]
    rng = random.Random(3)
    began = time.perf_counter()
    for k in range(288):
        at = DAY + timedelta(minutes=5 * k)
        records = []
        for point in ids:
            up = rng.random() > 0.02
            median = round(rng.lognormvariate(3.0, 0.6), 3)
            records.append(
                {
                    "point_id": point, "agent": "", "method": "icmp", "started_at": at,
                    "sent": 5, "received": rng.choice((4, 5, 5, 5)) if up else 0,
                    "rtt_min_ms": round(median * 0.8, 3) if up else None,
                    "rtt_median_ms": median if up else None,
                    "rtt_max_ms": round(median * 1.7, 3) if up else None,
                    "rtt_stddev_ms": round(median * 0.2, 3) if up else None,
                    "error": None if up else "no answer",
                }
            )  # fmt: skip
        store_records(engine, agent="", started_at=at, records=records, down_after=2)
    return time.perf_counter() - began


def sizes(engine: Engine) -> dict[str, tuple[int, int, int]]:
    """table -> (rows, bytes of the table, bytes of the table and its indexes)."""
    found = {}
    with engine.connect() as connection:
        for table in TABLES:
            rows = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            if engine.dialect.name == "postgresql":
                heap, total = connection.execute(
                    text(f"SELECT pg_table_size('{table}'), pg_total_relation_size('{table}')")
                ).one()
            else:
                names = [table] + [
                    r[0]
                    for r in connection.execute(
                        text(
                            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
                        ),
                        {"t": table},
                    )
                ]
                pages = dict(
                    connection.execute(
                        text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
                    ).all()
                )
                heap, total = pages.get(table, 0), sum(pages.get(n, 0) for n in names)
            found[table] = (rows, heap, total)
    return found


def measure(label: str, engine: Engine, points: int) -> None:
    seconds = fill(engine, points)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    raw = sizes(engine)["probe_result"]
    report = prune(engine, now=DAY + timedelta(days=91))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    folded = sizes(engine)
    print(f"\n{label}: 288 rounds of {points:,} points written in {seconds:.1f} s "
          f"({raw[0] / seconds:,.0f} rows/s through store_records); folded {report.raw_rows:,} "
          f"rows in {report.seconds:.1f} s")  # fmt: skip
    print(
        f"  {'table':13} {'rows/day/1,000 points':>22} {'B/row table':>12} {'B/row +indexes':>15}"
    )
    per_1000 = 1000 / points
    figures = {"probe_result": raw, "probe_hourly": folded["probe_hourly"],
               "probe_daily": folded["probe_daily"]}  # fmt: skip
    for table, (rows, heap, total) in figures.items():
        print(f"  {table:13} {rows * per_1000:>22,.0f} {heap / rows:>12.0f} {total / rows:>15.0f}")
    keep = {"probe_result": 90, "probe_hourly": 365, "probe_daily": 365}
    projection = ", ".join(
        f"{table} {keep[table]} days {rows * per_1000 * keep[table] * total / rows / 2**30:.2f} GiB"
        for table, (rows, _heap, total) in figures.items()
    )
    print(f"  per 1,000 points (ICMP only): {projection}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("ICTR_BENCH_ADMIN_URL")
        or os.environ.get("ICTR_TEST_DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:55432/postgres",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ictr-growth-"))
    sqlite_url = f"sqlite:///{folder / 'growth.sqlite'}"
    measure("SQLite", get_engine(sqlite_url), args.points)
    (folder / "growth.sqlite").unlink()
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    name = f"ictr_bench_growth_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
        measure("PostgreSQL", get_engine(url), args.points)
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
