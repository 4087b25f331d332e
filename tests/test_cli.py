"""The `ictr` command as a user meets it: help, init, demo, status, and one-line errors."""

import json
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.migrate import head_revision

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_help_lists_the_commands_with_one_line_each() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    for command in ["init", "demo", "status", "db", "up"]:
        assert f"\n  {command} " in result.output


def test_demo_then_status_shows_the_province(db_url: str) -> None:
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    result = invoke("status", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["districts"] == 11
    assert figures["communes"] == 193
    assert figures["points"] == 73
    assert figures["certificates"] > 5885  # 2020's, and those renewed since
    assert figures["synthetic_demo"] is True
    result = invoke("status")
    assert "SYNTHETIC" in result.output


def test_init_and_db_upgrade_are_repeatable() -> None:
    first = invoke("init")
    assert first.exit_code == 0, first.output
    # Hà Giang's 205 units of 2020 and today's Tuyên Quang with its 124 communes.
    assert (
        "330 administrative units and 197 correspondence rows added or updated "
        "(Tỉnh Hà Giang 2020, Tỉnh Tuyên Quang 2025)" in first.output
    )
    second = invoke("init")
    assert "0 administrative units and 0 correspondence rows added or updated" in second.output
    result = invoke("db", "upgrade")
    assert result.exit_code == 0 and f"revision {head_revision()}" in result.output


def test_status_of_an_uninitialised_database_says_what_to_do() -> None:
    result = invoke("status")
    assert result.exit_code == 2
    assert "run `ictr init`" in result.output


@pytest.mark.parametrize(
    "url, message",
    [
        ("nonsense://", "cannot use database URL"),
        ("not a url at all", "bad database URL"),
    ],
)
def test_bad_database_url_is_one_line(monkeypatch, url: str, message: str) -> None:
    from inventory.settings import get_settings

    monkeypatch.setenv("ICTR_DATABASE_URL", url)
    get_settings.cache_clear()
    result = invoke("status")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_locked_database_is_one_line_error(tmp_path, monkeypatch) -> None:
    path = tmp_path / "locked.sqlite"
    monkeypatch.setenv("ICTR_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setattr("inventory.db.SQLITE_BUSY_TIMEOUT_MS", 200)
    from inventory.settings import get_settings

    get_settings.cache_clear()
    assert invoke("init").exit_code == 0
    from inventory.db import dispose_engines

    dispose_engines()
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = invoke("demo")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 2, result.output
    assert "locked by another process" in result.output
    assert "Traceback" not in result.output


def test_bad_setting_names_the_variable(tmp_path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ictr.cli", "status"],
        env={
            "ICTR_DISPLAY_TIMEZONE": "Mars/Olympus",
            "ICTR_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "ICTR_DISPLAY_TIMEZONE" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_boundary_tolerance_default_matches_the_geometry_module() -> None:
    from ictr.cli.boundaries import DEFAULT_TOLERANCE_M
    from readiness.geometry.web_simplify import DEFAULT_TOLERANCE_M as GEOMETRY_DEFAULT

    assert DEFAULT_TOLERANCE_M == GEOMETRY_DEFAULT


def test_init_loads_a_province_with_island_districts(monkeypatch) -> None:
    """Bà Rịa - Vũng Tàu (77) has Côn Đảo, a district without communes."""
    from inventory.settings import get_settings

    monkeypatch.setenv("ICTR_PROVINCE_CODE", "77")
    get_settings.cache_clear()
    result = invoke("init")
    assert result.exit_code == 0, result.output
    figures = json.loads(invoke("status", "--json").output)
    assert figures["provinces"] == 1
    assert figures["districts"] == 7  # Côn Đảo (755) included, though it has no commune
