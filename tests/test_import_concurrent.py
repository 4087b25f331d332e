"""Two `ictr import` processes given the same file at the same moment: the second waits for
the first and finds every row already there; no unique-key error, each row stored once.

To make them meet for sure, the test holds the database (SQLite's write lock; on PostgreSQL
an exclusive lock on the imported table) until both processes are waiting at it, then lets go.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import dispose_engines
from tests.import_fixtures import hg_engine_fixture, write_csv  # noqa: F401 (hg_engine)

ROWS = 60
ICTR = Path(sys.executable).with_name("ictr")


def _points() -> list[list[object]]:
    header = ["Mã điểm", "Tên điểm", "Địa chỉ IP", "Mã ĐVHC"]
    return [header] + [[f"P-{i:03d}", f"Điểm {i}", f"127.0.3.{i}", "026"] for i in range(ROWS)]


def _computers() -> list[list[object]]:
    return [["Mã tài sản", "Mã cơ quan"]] + [[f"MT-{i:03d}", "STTTT"] for i in range(ROWS)]


def _agencies() -> list[list[object]]:
    header = ["Mã cơ quan", "Tên cơ quan", "Mã ĐVHC"]
    return [header] + [[f"CQ-{i:03d}", f"Phòng số {i}", "026"] for i in range(ROWS)]


# entity -> (file rows, table, key column)
CASES: dict[str, tuple[Callable[[], list[list[object]]], str, str]] = {
    "points": (_points, "connection_point", "code"),
    "computers": (_computers, "computer", "asset_tag"),
    "agencies": (_agencies, "agency", "code"),
}
OUTCOME = re.compile(r"^new (\d+), updated (\d+), unchanged (\d+)$", re.MULTILINE)


@contextmanager
def _held(engine: Engine, db_url: str, table: str) -> Iterator[Callable[[list[int]], bool]]:
    """Hold the database against writers; yields a test of whether the given processes are
    now waiting for it."""
    if engine.dialect.name == "sqlite":
        path = db_url.removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")

        def waiting(pids: list[int]) -> bool:
            # SQLite shows no waiters: a process that has the database open is a few
            # statements from the lock (the caller gives it a moment more).
            def has_open(pid: int) -> bool:
                fds = Path(f"/proc/{pid}/fd")
                return any(os.path.realpath(fd) == os.path.realpath(path) for fd in fds.iterdir())

            return all(has_open(pid) for pid in pids)

        try:
            yield waiting
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    holder_engine = create_engine(engine.url)
    with holder_engine.connect() as holder:
        holder.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))  # reads still pass

        def waiting(pids: list[int]) -> bool:
            stuck = holder_engine.connect()
            try:
                count = stuck.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
            finally:
                stuck.close()
            return count >= len(pids)

        try:
            yield waiting
        finally:
            holder.rollback()
    holder_engine.dispose()


@pytest.mark.parametrize("entity", list(CASES))
def test_the_same_file_imported_twice_at_once(
    hg_engine: Engine, db_url: str, tmp_path: Path, entity: str
) -> None:
    rows, table, key = CASES[entity]
    path = write_csv(tmp_path / f"{entity}.csv", rows())
    env = {**os.environ, "ICTR_DATABASE_URL": db_url}
    with _held(hg_engine, db_url, table) as waiting:
        processes = [
            subprocess.Popen(
                [str(ICTR), "import", entity, str(path)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        while not waiting([p.pid for p in processes]):
            assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
            assert time.monotonic() < deadline, "the imports never reached the database"
            time.sleep(0.1)
        time.sleep(1.5 if hg_engine.dialect.name == "sqlite" else 0)
    results = [p.communicate(timeout=60) for p in processes]
    for process, (out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, out + err
        assert "Traceback" not in err, err
    outcomes = sorted(tuple(int(n) for n in OUTCOME.search(out).groups()) for out, _ in results)  # type: ignore[union-attr]
    assert outcomes == [(0, 0, ROWS), (ROWS, 0, 0)]
    with hg_engine.connect() as connection:
        stored = connection.execute(text(f"SELECT {key} FROM {table}")).scalars().all()
    mine = [k for k in stored if k.startswith(rows()[1][0][:3])]
    assert len(mine) == ROWS and len(set(mine)) == ROWS


@pytest.mark.sqlite_only
def test_an_import_that_waits_too_long_says_so(
    hg_engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: a writer waits the busy timeout (10 s; here 0.3 s), then gives up in one line."""
    path = write_csv(tmp_path / "points.csv", _points())
    dispose_engines()
    monkeypatch.setattr("inventory.db.SQLITE_BUSY_TIMEOUT_MS", 300)
    with _held(hg_engine, db_url, "connection_point"):
        started = time.monotonic()
        result = CliRunner().invoke(app, ["import", "points", str(path)])
        waited = time.monotonic() - started
    assert result.exit_code == 2
    assert result.output == (
        f"error: database {db_url} is locked by another process; try again later\n"
    )
    assert waited >= 0.3
    with hg_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM connection_point")).scalar() == 0
