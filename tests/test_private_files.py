"""Files the product creates for itself are its owner's alone (0600, folders 0700), whatever
the umask: the SQLite database and its -wal/-shm files, the probe spool and its lock, the
scheduler lock."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.settings import get_settings
from tests.import_fixtures import write_csv

runner = CliRunner()
# Probe only a loopback point, with TCP connect (no raw socket, no root needed).
PROBE = ["--points", "LO-1", "--method", "tcp-connect", "--count", "1", "--timeout", "0.2"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022], ids=["umask-000", "umask-022"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_database_spool_and_locks_are_private(
    umask: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "new" / "data" / "ictr.sqlite"
    monkeypatch.setenv("ICTR_DATABASE_URL", f"sqlite:///{database}")
    get_settings.cache_clear()

    invoke("init")
    assert mode(database) == 0o600
    assert mode(tmp_path / "new") == mode(tmp_path / "new" / "data") == 0o700
    # The engine is still open (WAL mode): SQLite made its side files like the database.
    for side in ("-wal", "-shm"):
        assert mode(database.with_name(database.name + side)) == 0o600

    points = write_csv(
        tmp_path / "points.csv",
        [["Mã điểm", "Tên điểm", "Địa chỉ IP", "Mã ĐVHC"], ["LO-1", "Loopback", "127.0.0.1", "02"]],
    )
    invoke("import", "points", str(points))
    invoke("probe", "schedule", *PROBE, "--rounds", "1", "--interval", "1s", "--no-prune")
    assert mode(database.with_name("ictr.sqlite.probe-scheduler.lock")) == 0o600

    spool = tmp_path / "spool" / "agent" / "spool.jsonl"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the database is busy: the round goes to the spool
    try:
        output = invoke("probe", "run", *PROBE, "--write-timeout", "0.2", "--spool", str(spool))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "round kept in spool" in output
    assert mode(spool) == mode(spool.with_name("spool.jsonl.lock")) == 0o600
    assert mode(tmp_path / "spool") == mode(spool.parent) == 0o700


def test_an_existing_database_keeps_its_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The administrator's choice (e.g. readable by a backup group) is not undone."""
    database = tmp_path / "shared.sqlite"
    sqlite3.connect(database).close()
    database.chmod(0o640)
    monkeypatch.setenv("ICTR_DATABASE_URL", f"sqlite:///{database}")
    get_settings.cache_clear()
    invoke("init")
    assert mode(database) == 0o640


def test_a_database_path_that_cannot_be_created_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ICTR_DATABASE_URL", f"sqlite:///{blocker / 'ictr.sqlite'}")
    get_settings.cache_clear()
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert result.output == (
        f"error: cannot create database file {blocker / 'ictr.sqlite'}: Not a directory\n"
    )
