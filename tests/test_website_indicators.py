"""Website indicators on a small hand-built inventory, through `ictr indicators --format json`:
every share worked out by hand from the checks below."""

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.demo.targets import LAST_ROUND
from inventory.models import (
    AdminUnit,
    Agency,
    AgencyKind,
    UnitLevel,
    Website,
    WebsiteCheck,
    WebsiteKind,
)
from tests.conftest import add_province

AT = "2024-06-30"
END = datetime(2024, 6, 30, 23, 59, 59, tzinfo=UTC)
VALID_UNTIL = datetime(2025, 3, 1, tzinfo=UTC)
runner = CliRunner()


def _check(website: Website, hours_ago: float, *, agent: str = "", **fields) -> WebsiteCheck:
    fields.setdefault("up", True)
    fields.setdefault("status_code", 200 if fields["up"] else None)
    return WebsiteCheck(
        website_id=website.id, agent=agent, checked_at=END - timedelta(hours=hours_ago), **fields
    )


def _https(valid: bool = True, **fields) -> dict:
    """A certificate seen over HTTPS: trusted, for the name, expiring next year (or expired)."""
    return {
        "tls_version": "TLSv1.3",
        "cert_trusted": True,
        "cert_valid_name": True,
        "cert_self_signed": False,
        "cert_not_after": VALID_UNTIL if valid else datetime(2024, 6, 1, tzinfo=UTC),
        **fields,
    }


@pytest.fixture
def fixture_db(engine) -> None:
    with Session(engine) as session:
        add_province(session)
        for code, name, level, parent in [
            ("024", "Thành phố Hà Giang", UnitLevel.district, "02"),
            ("026", "Huyện Đồng Văn", UnitLevel.district, "02"),
            ("00688", "Phường Quang Trung", UnitLevel.commune, "024"),
            ("00712", "Xã Lũng Cú", UnitLevel.commune, "026"),
        ]:
            session.add(
                AdminUnit(
                    code=code,
                    name=name,
                    short_name=name,
                    unit_type="Huyện" if level == UnitLevel.district else "Xã",
                    level=level,
                    parent_code=parent,
                )
            )
            session.commit()
        agencies = {
            code: Agency(code=code, name=f"Cơ quan {code}", kind=kind, unit_code=unit)
            for code, kind, unit in [
                ("P", AgencyKind.provincial, "02"),
                ("H026", AgencyKind.district_committee, "026"),
                ("X1", AgencyKind.commune_committee, "00688"),
                ("X2", AgencyKind.commune_committee, "00712"),
            ]
        }
        session.add_all(agencies.values())
        session.commit()
        sites = {
            key: Website(agency_id=agencies[agency].id, url=url, kind=kind, active=active)
            for key, agency, url, kind, active in [
                ("portal", "P", "https://hagiang.gov.vn/", WebsiteKind.portal, True),
                ("dvc", "P", "http://dichvucong.hagiang.gov.vn/", WebsiteKind.service_portal, True),
                ("x1", "X1", "https://quangtrung.hagiang.gov.vn/", WebsiteKind.commune_site, True),
                ("x2", "X2", "https://lungcu.hagiang.gov.vn/", WebsiteKind.commune_site, True),
                ("x2_old", "X2", "https://cu.lungcu.gov.vn/", WebsiteKind.commune_site, True),
                ("h026", "H026", "https://dongvan.gov.vn/", WebsiteKind.agency_site, True),
                ("gone", "H026", "https://cu.dongvan.gov.vn/", WebsiteKind.agency_site, False),
            ]
        }
        session.add_all(sites.values())
        session.commit()
        s = sites
        session.add_all(
            [
                # Reachable, valid certificate, Last-Modified 10 days before the date: fresh.
                _check(s["portal"], 2, **_https(last_modified=END - timedelta(days=10))),
                # Plain HTTP: reachable, no certificate; the page's newest date is 90 days old.
                _check(s["dvc"], 2, page_date=date(2024, 4, 1)),
                # Latest check: answers with an expired certificate (failing), dated 20/06.
                _check(s["x1"], 1, **_https(valid=False, page_date=date(2024, 6, 20))),
                _check(s["x1"], 72, up=False, error="timed out"),
                # Latest check down; an older one up does not count.
                _check(s["x2"], 48, **_https(page_date=date(2024, 6, 29))),
                _check(s["x2"], 1, up=False, error="connection refused"),
                # Only checked 40 days ago: not measured at the date.
                _check(s["x2_old"], 40 * 24, **_https()),
                # Another agent's view, and a check after the date: neither counts.
                _check(s["h026"], 1, agent="field-agent", **_https()),
                _check(s["h026"], -5, **_https()),
                _check(s["gone"], 1, **_https()),  # inactive site
            ]
        )
        session.commit()


def _indicators(level: str) -> dict[str, dict]:
    result = runner.invoke(app, ["indicators", "--level", level, "--at", AT, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {unit["code"]: unit for unit in json.loads(result.output)}


def test_website_shares_by_province(fixture_db) -> None:
    province = _indicators("province")["02"]
    # Measured: portal, dvc, x1, x2; reachable: portal, dvc, x1.
    assert province["websites_reachable_pct"] == pytest.approx(75.0)
    # Of the three reachable, only the portal has a certificate a browser accepts.
    assert province["websites_valid_certificate_pct"] == pytest.approx(100 / 3)
    # Updated within 30 days: the portal (Last-Modified) and x1 (date in the page).
    assert province["websites_updated_30d_pct"] == pytest.approx(200 / 3)
    # Communes' sites: x1 reachable, x2 down.
    assert province["commune_websites_reachable_pct"] == pytest.approx(50.0)
    assert province["commune_websites_valid_certificate_pct"] == 0.0
    assert province["commune_websites_updated_30d_pct"] == pytest.approx(100.0)


def test_website_shares_by_district_enter_the_services_pillar(fixture_db) -> None:
    districts = _indicators("district")
    city, dong_van = districts["024"], districts["026"]
    assert city["commune_websites_reachable_pct"] == pytest.approx(100.0)
    assert city["commune_websites_valid_certificate_pct"] == 0.0
    assert city["commune_websites_updated_30d_pct"] == pytest.approx(100.0)
    assert dong_van["websites_reachable_pct"] == 0.0  # x2 down; h026 never measured
    # Nothing answered: no certificate or freshness share (no data, not 0).
    assert dong_van["commune_websites_valid_certificate_pct"] is None
    assert dong_van["websites_updated_30d_pct"] is None
    # The services pillar holds only the communes' website shares here (no service figures),
    # weighted 1, 0.5, 0.5 in data/readiness_index.toml: (1·1 + 0.5·0 + 0.5·1) / 2.
    assert city["pillar_services"] == pytest.approx(0.75)
    assert dong_van["pillar_services"] == 0.0


def test_website_shares_by_commune_and_agency(fixture_db) -> None:
    communes = _indicators("commune")
    assert communes["00688"]["commune_websites_reachable_pct"] == pytest.approx(100.0)
    assert communes["00712"]["commune_websites_reachable_pct"] == 0.0
    agencies = {unit["name"]: unit for unit in _indicators("agency").values()}
    provincial = agencies["Cơ quan P"]
    assert provincial["websites_reachable_pct"] == pytest.approx(100.0)
    assert provincial["websites_valid_certificate_pct"] == pytest.approx(50.0)
    assert provincial["websites_updated_30d_pct"] == pytest.approx(50.0)
    assert provincial["commune_websites_reachable_pct"] is None
    assert agencies["Cơ quan H026"]["websites_reachable_pct"] is None


def test_demo_websites_have_30_days_of_synthetic_checks(demo_engine) -> None:
    result = runner.invoke(app, ["websites", "--format", "json"])
    assert result.exit_code == 0, result.output
    sites = json.loads(result.output)
    # The agencies open on the demo's last day with a website: 17 departments, 73 communes.
    assert len(sites) == 90
    assert all(site["synthetic"] for site in sites)
    assert Counter(site["kind"] for site in sites) == {"commune_site": 73, "agency_site": 17}
    assert all(site["checked_at"] == LAST_ROUND.isoformat() for site in sites)
    with Session(demo_engine) as session:
        spans = session.execute(
            select(
                func.count(),
                func.min(WebsiteCheck.checked_at),
                func.max(WebsiteCheck.checked_at),
            ).group_by(WebsiteCheck.website_id)
        ).all()
    # One check every 3 hours for 30 days, ending at the demo's last round, for every site.
    assert len(spans) == 90
    first = LAST_ROUND - timedelta(days=30) + timedelta(hours=3)
    assert {(n, lo.replace(tzinfo=UTC), hi.replace(tzinfo=UTC)) for n, lo, hi in spans} == {
        (240, first, LAST_ROUND)
    }
    # Loading the demo again changes nothing.
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0, again.output
    with Session(demo_engine) as session:
        assert session.execute(select(func.count()).select_from(WebsiteCheck)).scalar() == 21_600
    # Every commune of today's structure holding the demo's communes has its website shares.
    communes = json.loads(
        runner.invoke(
            app, ["indicators", "--level", "commune", "--at", "2026-11-30", "--format", "json"]
        ).output
    )
    measured = [c for c in communes if c["commune_websites_reachable_pct"] is not None]
    assert len(measured) == 73
    assert all(0 <= c["pillar_services"] <= 1 for c in measured)
