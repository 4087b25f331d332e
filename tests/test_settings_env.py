"""One configuration channel: every ICTR_* variable the README documents is a field of
`inventory/settings.py`, so a `.env` file in the working folder sets it as well as the
environment does. Each variable is written to a `.env` file (and absent from the
environment), and the test follows it to the place that uses it."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.auth import hash_password
from ictr.cli.main import app
from inventory.db import get_engine, session_scope
from inventory.settings import Settings, get_settings
from readiness.geometry import ensure_approximate_boundaries
from tests.conftest import PROJECT_ROOT
from tests.http_lab import issued, loopback_sites
from tests.netns_fixtures import add_points
from tests.website_fixtures import add_agency

runner = CliRunner()


def documented_variables() -> list[str]:
    """The variables in the first column of the README's configuration table."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) > 2:
            names += re.findall(r"`(ICTR_[A-Z0-9_]+)`", cells[1])
    return names


DOCUMENTED = documented_variables()
FOLLOWED: set[str] = set()  # the variables a test below follows from .env to their use


def follows(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(test: Callable[..., Any]) -> Callable[..., Any]:
        FOLLOWED.update(names)
        return test

    return register


def env_file(monkeypatch: pytest.MonkeyPatch, folder: Path, **values: str) -> Path:
    """Work in `folder`, whose .env holds `values`; none of them is in the environment."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{name}={json.dumps(value, ensure_ascii=False)}" for name, value in values.items()]
    (folder / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in values:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(folder)
    get_settings.cache_clear()
    return folder


def invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def test_the_readme_table_is_read() -> None:
    assert "ICTR_DATABASE_URL" in DOCUMENTED and "ICTR_TILE_ATTRIBUTION" in DOCUMENTED
    assert len(DOCUMENTED) == len(set(DOCUMENTED))


@pytest.mark.parametrize("name", DOCUMENTED)
def test_each_documented_variable_is_a_setting_followed_from_env_file(name: str) -> None:
    assert name.removeprefix("ICTR_").lower() in Settings.model_fields, f"{name} bypasses Settings"
    assert name in FOLLOWED, f"no test below follows {name} from .env to where it is used"


def test_each_setting_is_documented() -> None:
    undocumented = {f"ICTR_{n.upper()}" for n in Settings.model_fields} - set(DOCUMENTED)
    assert not undocumented, "add them to the README's configuration table"


@follows("ICTR_DATABASE_URL")
def test_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.sqlite'}"
    env_file(monkeypatch, tmp_path / "work", ICTR_DATABASE_URL=url)
    result = invoke("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"database {url} at revision" in result.output
    assert (tmp_path / "from-env.sqlite").stat().st_size > 0


@follows("ICTR_LOG_LEVEL")
def test_log_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Logging is configured once per process (pytest's own handlers are in place here).
    folder = env_file(monkeypatch, tmp_path, ICTR_LOG_LEVEL="DEBUG")
    command = [sys.executable, "-m", "ictr.cli", "db", "upgrade"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # Alembic narrates its migration context only at DEBUG (ictr/cli/main.py).
    assert " INFO alembic.runtime.migration: " in done.stderr


@follows("ICTR_DISPLAY_TIMEZONE")
def test_display_timezone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file(monkeypatch, tmp_path, ICTR_DISPLAY_TIMEZONE="Asia/Bangkok")
    assert invoke("db", "upgrade").exit_code == 0
    result = invoke("probe", "incidents")
    assert result.exit_code == 0, result.output
    assert "0 incidents; times in Asia/Bangkok" in result.output


@follows("ICTR_PROVINCE_CODE")
def test_province_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file(monkeypatch, tmp_path, ICTR_PROVINCE_CODE="77")  # Bà Rịa - Vũng Tàu
    assert invoke("init").exit_code == 0
    figures = json.loads(invoke("status", "--json").output)
    assert (figures["provinces"], figures["districts"]) == (1, 7)


@follows("ICTR_PROBE_SPOOL")
def test_probe_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool, given = tmp_path / "spool" / "rounds.jsonl", tmp_path / "given.jsonl"
    env_file(monkeypatch, tmp_path / "work", ICTR_PROBE_SPOOL=str(spool))
    assert invoke("db", "upgrade").exit_code == 0
    ids = add_points(get_engine(), [{"code": "A", "address": "127.10.0.1", "tcp_ports": "9"}])
    probe = ["probe", "run", "--method", "tcp-connect", "--count", "1", "--spacing", "0"]
    probe += ["--timeout", "0.2", "--write-timeout", "0.2", "--json"]
    holder = sqlite3.connect(get_settings().database_url.removeprefix("sqlite:///"))
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        results = [invoke(*probe), invoke(*probe, "--spool", str(given))]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for result in results:
        assert result.exit_code == 4, result.output  # port 9 closed: the point is degraded
        assert json.loads(result.output)["stored"] is False
    # One round in each: the file's spool, then the one the option names.
    for path in (spool, given):
        (entry,) = path.read_text(encoding="utf-8").splitlines()
        assert {row["point_id"] for row in json.loads(entry)["rows"]} == {ids["A"]}


def _prune_horizons(*args: str) -> tuple[set[Any], Any, Any]:
    before = datetime.now(UTC)
    result = invoke("db", "prune", "--json", *args)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    days = {before.date(), datetime.now(UTC).date()}
    raw = datetime.fromisoformat(figures["raw_before"]).date()
    hourly = datetime.fromisoformat(figures["hourly_before"]).date()
    return days, raw, hourly


@follows("ICTR_KEEP_RAW", "ICTR_KEEP_HOURLY")
def test_retention_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file(monkeypatch, tmp_path, ICTR_KEEP_RAW="30d", ICTR_KEEP_HOURLY="400d")
    assert invoke("db", "upgrade").exit_code == 0
    days, raw, hourly = _prune_horizons()
    assert raw in {d - timedelta(days=30) for d in days}
    assert hourly in {d - timedelta(days=400) for d in days}
    # An option given on the command line wins over the file.
    days, raw, hourly = _prune_horizons("--keep-raw", "20d")
    assert raw in {d - timedelta(days=20) for d in days}
    assert hourly in {d - timedelta(days=400) for d in days}


def test_the_scheduler_takes_its_retention_from_the_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file(monkeypatch, tmp_path, ICTR_KEEP_RAW="3d")
    result = invoke("probe", "schedule", "--rounds", "1")
    assert result.exit_code == 2
    assert "raw rounds must be kept at least 8 days" in result.output
    assert "got 3 days" in result.output


def test_a_bad_duration_in_the_env_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file(monkeypatch, tmp_path, ICTR_KEEP_HOURLY="a year")
    result = invoke("db", "prune")
    assert result.exit_code == 2
    assert result.output == (
        "error: bad configuration: ICTR_KEEP_HOURLY: Value error, bad window 'a year': "
        "expected e.g. 24h, 7d or 30d\n"
    )


@pytest.fixture
def map_demo(demo_engine: Engine) -> Engine:
    with session_scope(demo_engine) as session:
        ensure_approximate_boundaries(session, "02")
    return demo_engine


def _page(page: str) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    app.switch_page(page).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


@follows("ICTR_TILE_URL", "ICTR_TILE_ATTRIBUTION")
def test_tile_server(map_demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "http://tiles.so-tttt.local/osm/{z}/{x}/{y}.png"
    attribution = "Bản đồ nền: Sở TT&TT"
    env_file(monkeypatch, tmp_path, ICTR_TILE_URL=url, ICTR_TILE_ATTRIBUTION=attribution)
    app = _page("dashboard/pages/map.py")
    (frame,) = app.get("component_instance")
    script = json.loads(frame.proto.json_args)["script"]
    after = script[script.index("L.tileLayer(") + len("L.tileLayer(") :].lstrip()
    assert json.JSONDecoder().raw_decode(after)[0] == url
    (written,) = re.findall(r'"attribution": ("(?:[^"\\]|\\.)*")', script)
    assert json.loads(written) == "Bản đồ nền: Sở TT&amp;TT"  # shown as HTML: escaped


@follows("ICTR_EDITOR_PASSWORD_HASH")
def test_editor_password_hash(
    map_demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "mật khẩu biên tập 2026"
    env_file(monkeypatch, tmp_path, ICTR_EDITOR_PASSWORD_HASH=hash_password(password))
    app = _page("dashboard/pages/data.py")
    assert not any("ICTR_EDITOR_PASSWORD_HASH" in c.value for c in app.sidebar.caption)
    app.text_input(key="editor_password").set_value(password)
    app.get("form_submit_button")[0].click().run()
    assert len(app.get("file_uploader")) == 2  # the editor's uploads


@follows("ICTR_LOGIN_REQUIRED")
def test_login_required(map_demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _page("dashboard/pages/map.py").title  # open by default
    env_file(monkeypatch, tmp_path, ICTR_LOGIN_REQUIRED="true")
    closed = _page("dashboard/pages/map.py")
    assert not closed.title
    assert any("Hãy đăng nhập" in i.value for i in closed.main.info)


@follows("ICTR_SESSION_IDLE")
def test_session_idle(map_demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    password = "mật khẩu biên tập 2026"
    env_file(
        monkeypatch,
        tmp_path,
        ICTR_EDITOR_PASSWORD_HASH=hash_password(password),
        ICTR_SESSION_IDLE="2m",
    )
    app = _page("dashboard/pages/data.py")
    app.text_input(key="editor_password").set_value(password)
    app.get("form_submit_button")[0].click().run()
    assert len(app.get("file_uploader")) == 2
    app.session_state["_editor"]["seen"] -= 3 * 60  # three minutes without a page run
    app.run()
    assert not app.get("file_uploader")


class _Headers:
    def __init__(self, values: list[str]) -> None:
        self.values = values

    def get_all(self, name: str) -> list[str]:
        return self.values if name == "X-Forwarded-For" else []


@follows("ICTR_TRUSTED_PROXIES")
def test_trusted_proxies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in's client (`page_setup._client`, what the lockout counts by) is the
    forwarded address only when the peer is a proxy the .env file trusts."""
    from types import SimpleNamespace

    import dashboard.page_setup as page_setup

    request = SimpleNamespace(ip_address="10.9.1.1", headers=_Headers(["203.0.113.9"]))
    monkeypatch.setattr(page_setup.st, "context", request)
    env_file(monkeypatch, tmp_path / "untrusted", ICTR_LOG_LEVEL="INFO")
    assert page_setup._client() == "10.9.1.1"
    env_file(monkeypatch, tmp_path / "trusted", ICTR_TRUSTED_PROXIES="10.9.0.0/16")
    assert page_setup._client() == "203.0.113.9"


@follows("ICTR_CA_BUNDLE")
def test_ca_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A site whose certificate comes from a CA in no public store is trusted through it."""
    ca = trustme.CA()
    cert, key = issued(ca, tmp_path, "loopback", "127.0.0.1")
    bundle = tmp_path / "government-roots.pem"
    ca.cert_pem.write_to_path(str(bundle))
    site = {"ip": "127.0.0.1", "port": 0, "behaviour": "page", "body": "<p>01/12/2026</p>"}
    with loopback_sites([{**site, "cert": str(cert), "key": str(key)}]) as (port,):
        env_file(monkeypatch, tmp_path / "work", ICTR_CA_BUNDLE=str(bundle))
        assert invoke("db", "upgrade").exit_code == 0
        add_agency(get_engine(), "Sở Y tế")
        sheet = tmp_path / "websites.csv"
        sheet.write_text(f"Cơ quan,URL\nSở Y tế,https://127.0.0.1:{port}/\n", encoding="utf-8")
        assert invoke("import", "websites", str(sheet)).exit_code == 0
        result = invoke("probe", "run", "--method", "http", "--json")
    assert result.exit_code == 0, result.output
    (check,) = json.loads(result.output)["websites"]
    assert (check["status"], check["cert_trusted"], check["cert_valid_name"]) == ("up", True, True)


def test_a_ca_bundle_that_is_not_there_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.pem"
    env_file(monkeypatch, tmp_path, ICTR_CA_BUNDLE=str(missing))
    result = invoke("probe", "run", "--method", "http")
    assert result.exit_code == 2
    assert result.output == (
        f"error: bad configuration: ICTR_CA_BUNDLE: Value error, {missing}: no such file\n"
    )
