"""Website checks through the CLI against web servers on loopback (no root needed), on both
engines: `ictr probe run --method http` stores checks, `ictr websites` lists status,
certificate days left, last update and availability over 7 and 30 days; incidents open and
close; a locked database spools the checks; the scheduler checks; Prometheus metrics carry
blackbox_exporter's names."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from prometheus_client import generate_latest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.models import Website, WebsiteCheck, WebsiteIncident
from inventory.settings import get_settings
from probes.probers.http import WebsiteTarget
from probes.running.metrics import ProbeMetrics
from probes.running.options import ProbeOptions
from probes.running.runner import run_round
from tests.http_lab import PAGE, issued, loopback_sites
from tests.website_fixtures import add_agency

runner = CliRunner()
TODAY = datetime.now(UTC).date()
BODY = PAGE.format(
    older="01/01/2020",
    newest=(TODAY - timedelta(days=5)).strftime("%d/%m/%Y"),
    iso_older="2021-02-03",
)
MODIFIED = "Sun, 01 Nov 2026 10:00:00 GMT"


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A page over HTTP, an error, and a page over HTTPS with a test CA's certificate; the
    site dicts are the servers' own: changing `behaviour` changes the next answers."""
    ca = trustme.CA()
    cert, key = issued(
        ca, tmp_path, "loopback", "127.0.0.1", not_after=datetime.now(UTC) + timedelta(days=45)
    )
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    config = [
        {"ip": "127.0.0.1", "port": 0, "behaviour": "page", "body": BODY},
        {"ip": "127.0.0.1", "port": 0, "behaviour": "error"},
        {
            "ip": "127.0.0.1",
            "port": 0,
            "behaviour": "page",
            "body": BODY,
            "last_modified": MODIFIED,
            "cert": str(cert),
            "key": str(key),
        },
    ]
    with loopback_sites(config) as ports:
        yield {
            "page": f"http://127.0.0.1:{ports[0]}/",
            "error": f"http://127.0.0.1:{ports[1]}/",
            "secure": f"https://127.0.0.1:{ports[2]}/",
            "config": config,
            "bundle": bundle,
        }


def _import(engine: Engine, tmp_path: Path, urls: list[str]) -> None:
    add_agency(engine, "Sở Thông tin và Truyền thông")
    rows = ["Cơ quan,URL"] + [f"Sở Thông tin và Truyền thông,{u}" for u in urls]
    sheet = tmp_path / "websites.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "websites", str(sheet)])
    assert result.exit_code == 0, result.output


def _run(*extra: str, code: int) -> dict[str, Any]:
    result = runner.invoke(app, ["probe", "run", "--method", "http", "--json", *extra])
    assert result.exit_code == code, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _ids(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {w.url: w.id for w in session.exec(select(Website)).all() if w.id}


def test_probe_run_then_websites_lists_status_certificate_freshness_availability(
    engine: Engine, tmp_path: Path, sites: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ICTR_CA_BUNDLE", str(sites["bundle"]))
    get_settings.cache_clear()
    _import(engine, tmp_path, [sites["page"], sites["error"], sites["secure"]])
    report = _run(code=3)  # the error page is down
    assert report["stored"] is True
    status = {w["url"]: w["status"] for w in report["websites"]}
    assert status == {sites["page"]: "up", sites["error"]: "down", sites["secure"]: "up"}

    # Ten days ago the page was down and the error page up: inside 30 days, not inside 7.
    ids = _ids(engine)
    with session_scope(engine) as session:
        for url, up in ((sites["page"], False), (sites["error"], True)):
            session.add(
                WebsiteCheck(
                    website_id=ids[url],
                    checked_at=datetime.now(UTC) - timedelta(days=10),
                    up=up,
                    status_code=200 if up else 503,
                )
            )

    listed = runner.invoke(app, ["websites", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = {row["url"]: row for row in json.loads(listed.output)}
    page, error, secure = rows[sites["page"]], rows[sites["error"]], rows[sites["secure"]]
    assert (page["status"], page["status_code"], page["cert_days_left"]) == ("up", 200, None)
    assert page["last_updated"] == (TODAY - timedelta(days=5)).isoformat()
    assert (page["availability_7d"], page["availability_30d"]) == (1.0, 0.5)
    assert (error["status"], error["status_code"], error["error"]) == (
        "down",
        500,
        "HTTP status 500",
    )
    assert (error["availability_7d"], error["availability_30d"]) == (0.0, 0.5)
    assert (secure["status"], secure["cert_days_left"]) == ("up", 44)
    assert secure["last_updated"] == "2026-11-01"  # Last-Modified wins over dates in the page
    assert {r["agency"] for r in rows.values()} == {"Sở Thông tin và Truyền thông"}
    assert {r["kind"] for r in rows.values()} == {"agency_site"}

    table = runner.invoke(app, ["websites"])
    assert table.exit_code == 0, table.output
    line = next(row for row in table.output.splitlines() if row.startswith(sites["secure"]))
    assert line.split()[1:8] == ["up", "200", "44", "2026-11-01", "100.0%", "100.0%", "Sở"]
    assert table.output.endswith("3 websites\n")


def test_a_bad_format_is_one_line(engine: Engine) -> None:
    result = runner.invoke(app, ["websites", "--format", "xml"])
    assert (result.exit_code, result.output) == (2, "error: --format must be table or json, "
                                                   "got 'xml'\n")  # fmt: skip


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("0.05", "http timeout must be between 0.1 and 120 seconds, got 0.05"),
        ("121", "http timeout must be between 0.1 and 120 seconds, got 121.0"),
    ],
)
def test_a_bad_http_timeout_is_one_line(engine: Engine, option: str, message: str) -> None:
    result = runner.invoke(app, ["probe", "run", "--method", "http", "--http-timeout", option])
    assert (result.exit_code, result.output) == (2, f"error: {message}\n")


def test_a_deadline_shorter_than_the_http_timeout_is_refused(engine: Engine) -> None:
    result = runner.invoke(
        app, ["probe", "run", "--method", "http", "--http-timeout", "20", "--deadline", "15"]
    )
    assert (result.exit_code, result.output) == (
        2,
        "error: round deadline 15.0 s is shorter than the http timeout 20.0 s\n",
    )


def test_incidents_open_after_k_failed_checks_and_close_when_up(
    engine: Engine, tmp_path: Path, sites: dict[str, Any]
) -> None:
    _import(engine, tmp_path, [sites["page"]])
    page = sites["config"][0]
    page["behaviour"] = "error"
    _run("--down-after", "2", code=3)
    with session_scope(engine) as session:
        assert session.exec(select(WebsiteIncident)).all() == []  # one failed check is not one
    _run("--down-after", "2", code=3)
    with session_scope(engine) as session:
        (incident,) = session.exec(select(WebsiteIncident)).all()
        first = session.exec(select(WebsiteCheck).order_by(WebsiteCheck.checked_at)).first()
        assert first is not None and incident.down_from == first.checked_at
        assert incident.up_at is None
    page["behaviour"] = "page"
    back = _run("--down-after", "2", code=0)
    with session_scope(engine) as session:
        (incident,) = session.exec(select(WebsiteIncident)).all()
        assert incident.up_at is not None
        assert incident.up_at.isoformat() == back["websites"][0]["checked_at"]


@pytest.mark.sqlite_only  # about SQLite's write lock
def test_a_locked_database_spools_the_checks_and_the_next_run_writes_them(
    engine: Engine, tmp_path: Path, sites: dict[str, Any], db_url: str
) -> None:
    _import(engine, tmp_path, [sites["page"]])
    spool = tmp_path / "spool.jsonl"
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        locked = _run("--spool", str(spool), "--write-timeout", "0.2", code=0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert locked["stored"] is False
    (entry,) = spool.read_text(encoding="utf-8").splitlines()
    (spooled,) = json.loads(entry)["websites"]
    assert (spooled["status_code"], spooled["page_date"]) == (
        200,
        (TODAY - timedelta(days=5)).isoformat(),
    )
    result = runner.invoke(app, ["probe", "run", "--method", "http", "--spool", str(spool)])
    assert result.exit_code == 0, result.output
    assert "0 rows stored, 1 website checks (and 1 spooled rounds)" in result.output
    (line,) = [row for row in result.output.splitlines() if row.startswith(sites["page"])]
    assert line.split()[1:4] == ["up", "200", "-"]  # no certificate over plain HTTP
    assert not spool.exists()
    with session_scope(engine) as session:
        checks = session.exec(select(WebsiteCheck).order_by(WebsiteCheck.checked_at)).all()
        assert [c.checked_at.isoformat() for c in checks][0] == spooled["checked_at"]
        assert len(checks) == 2 and all(c.up and c.bytes_read > 0 for c in checks)


def test_the_scheduler_checks_websites(
    engine: Engine, tmp_path: Path, sites: dict[str, Any]
) -> None:
    _import(engine, tmp_path, [sites["page"], sites["error"]])
    result = runner.invoke(
        app,
        ["probe", "schedule", "--method", "http", "--rounds", "1", "--no-prune",
         "--spool", str(tmp_path / "spool.jsonl")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with session_scope(engine) as session:
        codes = session.exec(select(WebsiteCheck.status_code)).all()
    assert sorted(c or 0 for c in codes) == [200, 500]


def test_metrics_have_blackbox_exporter_names(sites: dict[str, Any]) -> None:
    targets = [
        WebsiteTarget(1, "Sở", sites["page"]),
        WebsiteTarget(2, "Sở", sites["secure"]),
    ]
    options = ProbeOptions(method="http", ca_bundle=sites["bundle"], http_timeout_s=5)
    result = asyncio.run(run_round([], options, websites=targets))
    metrics = ProbeMetrics()
    metrics.update(result)
    text = generate_latest(metrics.registry).decode()
    value = metrics.registry.get_sample_value
    page, secure = (check.url for check in result.websites)
    assert value("probe_http_status_code", {"website": page}) == 200
    assert value("probe_success", {"point": secure, "method": "http"}) == 1
    not_after, modified = result.websites[1].cert_not_after, result.websites[1].last_modified
    assert not_after is not None and modified is not None
    assert value("probe_ssl_earliest_cert_expiry", {"website": secure}) == not_after.timestamp()
    assert value("probe_http_last_modified_timestamp_seconds", {"website": secure}) == (
        modified.timestamp()
    )
    tls = value("probe_http_duration_seconds", {"website": secure, "phase": "tls"})
    assert tls is not None and 0 < tls < 1
    for phase in ("resolve", "connect", "processing"):
        assert f'probe_http_duration_seconds{{phase="{phase}",website="{secure}"}}' in text
    assert value("probe_http_duration_seconds", {"website": page, "phase": "tls"}) == 0
    assert value("probe_ssl_earliest_cert_expiry", {"website": page}) is None


def test_db_prune_deletes_website_checks_older_than_the_raw_retention(
    engine: Engine, tmp_path: Path, sites: dict[str, Any]
) -> None:
    _import(engine, tmp_path, [sites["page"]])
    _run(code=0)
    (website_id,) = _ids(engine).values()
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for days in (200, 100, 31):
            session.add(
                WebsiteCheck(website_id=website_id, checked_at=now - timedelta(days=days), up=True)
            )
    result = runner.invoke(app, ["db", "prune", "--keep-raw", "90d", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["website_checks_dropped"] == 2
    with session_scope(engine) as session:
        ages = sorted(
            (now - checked).days for checked in session.exec(select(WebsiteCheck.checked_at))
        )
    assert ages == [0, 31]
    text = runner.invoke(app, ["db", "prune"])
    assert text.exit_code == 0, text.output
    assert "website checks before" in text.output and ": 0 deleted;" in text.output
