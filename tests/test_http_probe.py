"""Website checks against real web servers in a network namespace, run by `ictr probe run
--method http` inside a client namespace with no default route (nothing leaves the machine):
a page with dates, a 500, a server slower than the timeout, a redirect loop, HTTP to HTTPS,
HTTPS by a test CA trusted through ICTR_CA_BUNDLE, an expired certificate, a wrong host name,
a self-signed one, a body over 1 MB, a name resolving to a multicast address. Every recorded
field is asserted, in the JSON and in the stored row.

sqlite_only: `ictr` runs inside the client namespace, which cannot reach the host's
PostgreSQL server (no route out, by design); the SQLite file is reached through the file
system. The storing code is the same for both engines (tests/test_websites_cli.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.models import WebsiteCheck
from tests.conftest import skip_or_fail
from tests.http_lab import PAGE, WebLab, issued, self_signed, start_servers, web_lab
from tests.website_fixtures import add_agency

ICTR = str(Path(sys.executable).with_name("ictr"))
TODAY = datetime.now(UTC).date()
NEWEST = TODAY - timedelta(days=40)
BODY = PAGE.format(
    older=(TODAY - timedelta(days=100)).strftime("%d/%m/%Y"),
    newest=NEWEST.strftime("%d/%m/%Y"),
    iso_older=(TODAY - timedelta(days=200)).isoformat(),
)
BODY_BYTES = len(BODY.encode("utf-8"))
LAST_MODIFIED = datetime.combine(TODAY - timedelta(days=3), datetime.min.time(), UTC).replace(
    hour=7
)
HOSTS = [
    "ok.test",
    "error.test",
    "slow.test",
    "loop.test",
    "upgrade.test",
    "secure.test",
    "expired.test",
    "wrongname.test",
    "selfsigned.test",
    "big.test",
]
TIMEOUT = "1.5"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebLab]:
    if os.geteuid() != 0:
        skip_or_fail("needs root (network namespaces)")
    if shutil.which("ip") is None:
        skip_or_fail("needs the 'ip' command (see .ci/apt-packages)")
    folder = tmp_path_factory.mktemp("weblab")
    with web_lab(folder, HOSTS) as built:
        now = datetime.now(UTC)
        ca, ip = built.ca, built.hosts
        upgrade = issued(ca, folder, "upgrade", "upgrade.test", not_after=now + timedelta(90))
        secure = issued(ca, folder, "secure", "secure.test", not_after=now + timedelta(30))
        expired = issued(
            ca,
            folder,
            "expired",
            "expired.test",
            not_before=now - timedelta(days=100),
            not_after=now - timedelta(days=2, hours=1),
        )
        wrong = issued(ca, folder, "wrong", "other.test", not_after=now + timedelta(60))
        own = self_signed("selfsigned.test", folder)
        modified = LAST_MODIFIED.strftime("%a, %d %b %Y %H:%M:%S GMT")

        def tls(site: dict[str, Any], pair: tuple[Path, Path]) -> dict[str, Any]:
            return {**site, "port": 443, "cert": str(pair[0]), "key": str(pair[1])}

        page = {"behaviour": "page", "body": BODY}
        sites = [
            {"ip": ip["ok.test"], "port": 80, **page},
            {"ip": ip["error.test"], "port": 80, "behaviour": "error"},
            {"ip": ip["slow.test"], "port": 80, "behaviour": "slow", "delay": 20},
            {"ip": ip["loop.test"], "port": 80, "behaviour": "loop"},
            {"ip": ip["upgrade.test"], "port": 80, "behaviour": "to_https", "host": "upgrade.test"},
            tls({"ip": ip["upgrade.test"], **page}, upgrade),
            tls({"ip": ip["secure.test"], **page, "last_modified": modified}, secure),
            tls({"ip": ip["expired.test"], **page}, expired),
            tls({"ip": ip["wrongname.test"], **page}, wrong),
            tls({"ip": ip["selfsigned.test"], **page}, own),
            {"ip": ip["big.test"], "port": 80, "behaviour": "big", "size": 3 << 20},
        ]
        start_servers(built, sites, folder)
        with open(Path("/etc/netns") / built.client / "hosts", "a", encoding="utf-8") as hosts:
            hosts.write("239.1.2.3 multicast.test\n")
        yield built


URLS = {
    "ok": "http://ok.test/",
    "error": "http://error.test/",
    "slow": "http://slow.test/",
    "loop": "http://loop.test/a",
    "upgrade": "http://upgrade.test/",
    "upgraded": "https://upgrade.test/",
    "secure": "https://secure.test/",
    "expired": "https://expired.test/",
    "wrongname": "https://wrongname.test/",
    "selfsigned": "https://selfsigned.test/",
    "big": "http://big.test/",
    "multicast": "http://multicast.test/",
}


def _import(engine: Engine, tmp_path: Path) -> None:
    add_agency(engine, "UBND xã Thử Nghiệm")
    lines = ["Cơ quan,Địa chỉ website,Loại"]
    lines += [f"UBND xã Thử Nghiệm,{url},Trang TTĐT cấp xã" for url in URLS.values()]
    sheet = tmp_path / "websites.csv"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "websites", str(sheet)])
    assert result.exit_code == 0, result.output
    assert f"new {len(URLS)}, updated 0, unchanged 0" in result.output


def _probe(lab: WebLab, **env: str) -> tuple[int, dict[str, Any]]:
    command = lab.exec(ICTR, "probe", "run", "--method", "http", "--json", "--http-timeout")
    done = subprocess.run(
        [*command, TIMEOUT],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def _by_url(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {w["url"]: w for w in report["websites"]}


def _phases(check: dict[str, Any], *, tls: bool, first_byte: bool = True) -> None:
    assert check["dns_ms"] is not None and 0 <= check["dns_ms"] < 500
    assert check["connect_ms"] is not None and 0 < check["connect_ms"] < 500
    assert (check["tls_ms"] is not None and 0 < check["tls_ms"] < 1000) is tls
    assert (check["first_byte_ms"] is not None) is first_byte
    parts = [check[k] or 0 for k in ("dns_ms", "connect_ms", "tls_ms", "first_byte_ms")]
    assert check["total_ms"] >= sum(parts) * 0.99


NO_CERT = {
    "tls_version": None,
    "cert_valid_name": None,
    "cert_trusted": None,
    "cert_self_signed": None,
    "cert_not_after": None,
    "cert_days_left": None,
    "cert_valid": None,
}


@pytest.mark.sqlite_only
def test_every_recorded_field_of_every_kind_of_site(
    lab: WebLab, engine: Engine, tmp_path: Path
) -> None:
    _import(engine, tmp_path)
    code, report = _probe(lab, ICTR_CA_BUNDLE=str(lab.ca_bundle))
    assert code == 3, report  # some websites are down
    assert report["stored"] is True and report["points"] == []
    found = _by_url(report)
    page_fields = {"page_date": NEWEST.isoformat(), "bytes_read": BODY_BYTES}

    ok = found[URLS["ok"]]
    assert ok | page_fields == ok
    assert {k: ok[k] for k in NO_CERT} == NO_CERT
    assert (ok["status"], ok["up"], ok["status_code"], ok["error"]) == ("up", True, 200, None)
    assert (ok["final_url"], ok["redirects"], ok["http_to_https"]) == (URLS["ok"], 0, False)
    assert ok["last_modified"] is None
    _phases(ok, tls=False)

    error = found[URLS["error"]]
    assert (error["status"], error["up"], error["status_code"]) == ("down", False, 500)
    assert error["error"] == "HTTP status 500"
    assert error["bytes_read"] == len(b"<h1>Internal Server Error</h1>")
    assert error["page_date"] is None and error["final_url"] == URLS["error"]
    _phases(error, tls=False)

    slow = found[URLS["slow"]]
    assert (slow["status"], slow["up"], slow["status_code"]) == ("down", False, None)
    assert slow["error"] == f"no complete answer within {TIMEOUT} s"
    assert slow["final_url"] is None and slow["bytes_read"] == 0
    assert 1400 <= slow["total_ms"] < 2500
    _phases(slow, tls=False, first_byte=False)

    loop = found[URLS["loop"]]
    assert (loop["status"], loop["status_code"], loop["redirects"]) == ("down", 302, 5)
    assert loop["error"] == "more than 5 redirects (last to /a)"
    assert loop["final_url"] is None and loop["http_to_https"] is False

    for url in (URLS["upgrade"], URLS["upgraded"]):
        upgrade = found[url]
        assert upgrade | page_fields == upgrade
        assert (upgrade["status"], upgrade["status_code"], upgrade["error"]) == ("up", 200, None)
        assert upgrade["final_url"] == URLS["upgraded"] and upgrade["http_to_https"] is True
        assert upgrade["tls_version"] == "TLSv1.3"
        assert (upgrade["cert_trusted"], upgrade["cert_valid_name"]) == (True, True)
        assert (upgrade["cert_self_signed"], upgrade["cert_valid"]) == (False, True)
        assert upgrade["cert_days_left"] == 89
        _phases(upgrade, tls=True)
    assert found[URLS["upgrade"]]["redirects"] == 1
    assert found[URLS["upgraded"]]["redirects"] == 0

    secure = found[URLS["secure"]]
    assert secure | page_fields == secure
    assert (secure["status"], secure["error"], secure["http_to_https"]) == ("up", None, None)
    assert datetime.fromisoformat(secure["last_modified"]) == LAST_MODIFIED
    assert (secure["cert_trusted"], secure["cert_valid_name"], secure["cert_days_left"]) == (
        True,
        True,
        29,
    )

    expired = found[URLS["expired"]]
    assert (expired["status"], expired["up"], expired["status_code"]) == ("failing", True, 200)
    assert expired["error"] == "certificate expired 2 days ago"
    assert (expired["cert_trusted"], expired["cert_valid_name"]) == (True, True)
    assert (expired["cert_days_left"], expired["cert_valid"]) == (-2, False)
    assert expired | page_fields == expired

    wrong = found[URLS["wrongname"]]
    assert (wrong["status"], wrong["up"], wrong["status_code"]) == ("failing", True, 200)
    assert wrong["error"] == (
        "wrong host name: certificate not valid for wrongname.test (names: other.test)"
    )
    assert (wrong["cert_trusted"], wrong["cert_valid_name"], wrong["cert_self_signed"]) == (
        True,
        False,
        False,
    )
    assert wrong["cert_days_left"] == 59

    own = found[URLS["selfsigned"]]
    assert (own["status"], own["up"], own["error"]) == ("failing", True, "self-signed certificate")
    assert (own["cert_trusted"], own["cert_valid_name"], own["cert_self_signed"]) == (
        False,
        True,
        True,
    )
    assert own["cert_days_left"] == 199 and own["tls_version"] == "TLSv1.3"

    big = found[URLS["big"]]
    assert (big["status"], big["bytes_read"], big["page_date"]) == ("up", 1 << 20, None)

    multicast = found[URLS["multicast"]]
    assert multicast["status"] == "skipped" and multicast["sent"] is False
    assert multicast["error"] == "refused: multicast.test (239.1.2.3) is a multicast address"

    # Stored: one row per website checked (not the refused one), every field as reported.
    with session_scope(engine) as session:
        rows = {r.website_id: r for r in session.exec(select(WebsiteCheck)).all()}
        assert len(rows) == len(URLS) - 1
        for check in report["websites"]:
            if not check["sent"]:
                assert check["website_id"] not in rows
                continue
            row = rows[check["website_id"]]
            for name, value in check.items():
                if name in ("website_id", "agency", "url", "sent", "status"):
                    continue
                if name in ("cert_days_left", "cert_valid"):
                    continue  # derived, not stored
                stored = getattr(row, name)
                shown = stored.isoformat() if isinstance(stored, datetime | date) else stored
                assert shown == value, (check["url"], name)

    # The websites command reads them back.
    listed = CliRunner().invoke(app, ["websites", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    table = {row["url"]: row for row in json.loads(listed.output)}
    assert table[URLS["ok"]]["status"] == "up"
    assert table[URLS["ok"]]["last_updated"] == NEWEST.isoformat()
    assert table[URLS["secure"]]["last_updated"] == LAST_MODIFIED.date().isoformat()
    assert table[URLS["secure"]]["cert_days_left"] == 29
    assert table[URLS["expired"]]["status"] == "failing"
    assert table[URLS["slow"]]["status"] == "down"
    assert table[URLS["ok"]]["availability_7d"] == 1.0
    assert table[URLS["slow"]]["availability_30d"] == 0.0
    assert table[URLS["multicast"]]["status"] == "no_data"


@pytest.mark.sqlite_only
def test_without_the_ca_bundle_the_test_ca_is_not_trusted(
    lab: WebLab, engine: Engine, tmp_path: Path
) -> None:
    _import(engine, tmp_path)
    code, report = _probe(lab)
    assert code == 3
    secure = _by_url(report)[URLS["secure"]]
    assert (secure["status"], secure["up"], secure["status_code"]) == ("failing", True, 200)
    assert secure["error"] == "certificate not trusted (unable to get local issuer certificate)"
    assert (secure["cert_trusted"], secure["cert_valid_name"], secure["cert_self_signed"]) == (
        False,
        True,
        False,
    )
    assert secure["cert_days_left"] == 29 and secure["page_date"] == NEWEST.isoformat()


@pytest.mark.sqlite_only
def test_exit_codes_zero_when_up_four_when_failing(
    lab: WebLab, engine: Engine, tmp_path: Path
) -> None:
    add_agency(engine, "Sở Thử Nghiệm")
    sheet = tmp_path / "websites.csv"
    sheet.write_text(
        f"Agency,URL,Kind\nSở Thử Nghiệm,{URLS['ok']},agency site\n"
        f"Sở Thử Nghiệm,{URLS['secure']},portal\n",
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["import", "websites", str(sheet)]).exit_code == 0
    code, report = _probe(lab, ICTR_CA_BUNDLE=str(lab.ca_bundle))
    assert code == 0 and {w["status"] for w in report["websites"]} == {"up"}
    code, report = _probe(lab)  # secure.test's CA unknown: failing, not down
    assert code == 4
    assert {w["url"]: w["status"] for w in report["websites"]} == {
        URLS["ok"]: "up",
        URLS["secure"]: "failing",
    }
