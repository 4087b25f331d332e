"""Indicators within one unit (`within`): two provinces, one scoped at a time."""

import random
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.errors import IctrError
from inventory.models import (
    AdminUnit,
    Agency,
    AgencyKind,
    Certificate,
    Computer,
    ComputerKind,
    ComputerStatus,
    ConnectionPoint,
    ProbeResult,
    ServiceFigure,
    UnitLevel,
    Website,
    WebsiteCheck,
    WebsiteKind,
)
from readiness.index.composite import composite_index
from readiness.index.config import parse_config
from readiness.indicators import INDICATORS, by_unit
from readiness.lifecycle_view import AgePolicy
from readiness.table import readiness_long, readiness_table
from tests.conftest import add_province

AT = date(2024, 6, 30)
END = datetime(2024, 6, 30, 23, 0, tzinfo=UTC)
POLICY = AgePolicy(
    life_years={"desktop": 5, "laptop": 4, "server": 6, "other": 5},
    os_supported=lambda os, _at: os in ("Windows 10", "Windows 11"),
)
# min-max normalisation: a unit's score depends on the other units compared.
CONFIG = parse_config(
    {
        "pillars": {"infrastructure": 0.4, "human_resources": 0.2, "services": 0.4},
        "indicators": {
            "internet_share_pct": {"method": "minmax"},
            "availability_7d_pct": {"method": "minmax"},
            "valid_certificates_per_signing_official": {"method": "minmax"},
            "dossiers_on_time_pct": {"method": "minmax"},
        },
    },
    "test",
)
UNITS = {  # code: (name, level, parent)
    "04": ("Tỉnh Cao Bằng", UnitLevel.province, None),
    "024": ("Thành phố Hà Giang", UnitLevel.district, "02"),
    "026": ("Huyện Đồng Văn", UnitLevel.district, "02"),
    "027": ("Huyện Mèo Vạc", UnitLevel.district, "02"),
    "040": ("Thành phố Cao Bằng", UnitLevel.district, "04"),
    "042": ("Huyện Bảo Lâm", UnitLevel.district, "04"),
    "00688": ("Phường Quang Trung", UnitLevel.commune, "024"),
    "00712": ("Xã Lũng Cú", UnitLevel.commune, "026"),
    "00715": ("Xã Má Lé", UnitLevel.commune, "026"),
    "00733": ("Xã Pả Vi", UnitLevel.commune, "027"),
    "01273": ("Phường Sông Hiến", UnitLevel.commune, "040"),
    "01290": ("Xã Lý Bôn", UnitLevel.commune, "042"),
}
PROVINCE_A = {"02", "024", "026", "027", "00688", "00712", "00715", "00733"}


def _build(session: Session) -> None:
    """Two provinces with agencies of every kind, computers, certificates, service figures and
    probed points everywhere, drawn from a fixed seed."""
    rng = random.Random(5)
    systems = random.Random(6)
    add_province(session)
    for level in (UnitLevel.province, UnitLevel.district, UnitLevel.commune):
        for code, (name, unit_level, parent) in UNITS.items():
            if unit_level == level:
                session.add(
                    AdminUnit(
                        code=code,
                        name=name,
                        short_name=name,
                        unit_type=name.split()[0],
                        level=level,
                        parent_code=parent,
                    )
                )
        session.commit()
    kinds = {
        UnitLevel.province: AgencyKind.provincial,
        UnitLevel.district: AgencyKind.district_committee,
        UnitLevel.commune: AgencyKind.commune_committee,
    }
    agencies = []
    for code in ["02", *UNITS]:
        level = UnitLevel.province if len(code) == 2 else UNITS[code][1]
        for k in range(2):
            officials = rng.randint(5, 40)
            agency = Agency(
                code=f"A{code}-{k}",
                name=f"Cơ quan {code}-{k}",
                kind=kinds[level] if k == 0 else AgencyKind.other,
                unit_code=code,
                officials=officials,
                signing_officials=rng.randint(0, officials // 3),
                # Their own generator: the draws above stay as they were.
                website=systems.choice([None, "", f"https://{code}-{k}.hagiang.gov.vn"]),
                e_office=systems.choice([None, True, False]),
                one_stop_connected=systems.choice([None, True, False]),
            )
            session.add(agency)
            agencies.append(agency)
    session.commit()
    for agency in agencies:
        for i in range(rng.randint(0, 25)):
            session.add(
                Computer(
                    asset_tag=f"{agency.code}-{i}",
                    agency_id=agency.id,
                    kind=rng.choice(list(ComputerKind)),
                    os=rng.choice(["Windows 7", "Windows 10", "Windows 11", None]),
                    purchase_year=rng.choice([None, *range(2012, 2025)]),
                    internet=rng.random() < 0.7,
                    status=rng.choice([ComputerStatus.in_use] * 4 + [ComputerStatus.broken]),
                )
            )
        for i in range(rng.randint(0, 4)):
            issued = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
            session.add(
                Certificate(
                    serial=f"{agency.code}-C{i}",
                    holder="Lò Thị Mai",
                    agency_id=agency.id,
                    issued_on=issued,
                    expires_on=issued + timedelta(days=1095),
                )
            )
        if rng.random() < 0.8:
            procedures = rng.randint(10, 100)
            received = rng.randint(50, 500)
            # Agency A02-1 reports for a unit of the other province: its figures still
            # belong where the agency sits.
            unit = "040" if agency.code == "A02-1" else agency.unit_code
            session.add(
                ServiceFigure(
                    unit_code=unit,
                    agency_id=agency.id,
                    period="2023",
                    procedures=procedures,
                    procedures_level3=rng.randint(0, procedures // 2),
                    procedures_level4=rng.randint(0, procedures // 2),
                    dossiers_received=received,
                    dossiers_online=rng.randint(0, received),
                    dossiers_on_time=rng.randint(0, received),
                )
            )
    session.commit()
    for n, code in enumerate(UNITS):
        point = ConnectionPoint(
            code=f"P{code}",
            name=f"Điểm {code}",
            unit_code=code,
            agency_id=agencies[2 * n].id if n % 2 else None,
            address=f"127.0.1.{n + 1}",
        )
        session.add(point)
        session.commit()
        loss = rng.random() * 0.3
        for hours in range(0, 24 * 10, 6):
            received = 0 if rng.random() < loss else 5
            session.add(
                ProbeResult(
                    point_id=point.id,
                    agent="",
                    method="icmp",
                    started_at=END - timedelta(hours=hours),
                    sent=5,
                    received=received,
                    rtt_median_ms=rng.uniform(5, 90) if received else None,
                )
            )
    session.commit()
    # Each agency's website and its latest check, from their own generator (the draws
    # above stay as they were).
    sites = random.Random(3)
    for agency in agencies:
        commune = agency.kind == AgencyKind.commune_committee
        website = Website(
            agency_id=agency.id,
            url=f"https://{agency.code}.gov.vn/".lower(),
            kind=WebsiteKind.commune_site if commune else WebsiteKind.agency_site,
        )
        session.add(website)
        session.commit()
        session.add(
            WebsiteCheck(
                website_id=website.id,
                checked_at=END - timedelta(hours=sites.uniform(0, 48)),
                up=sites.random() < 0.8,
                cert_trusted=sites.random() < 0.8,
                cert_valid_name=True,
                cert_not_after=END + timedelta(days=sites.uniform(-30, 300)),
                page_date=(END - timedelta(days=sites.uniform(0, 90))).date(),
            )
        )
    session.commit()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        _build(session)
        yield session


def test_scoped_values_equal_the_unscoped_ones_of_the_scope(session) -> None:
    everywhere = readiness_long(session, level="district", at=AT, policy=POLICY)
    scoped = readiness_long(session, level="district", at=AT, policy=POLICY, within="02")
    assert set(everywhere.code) == {"024", "026", "027", "040", "042"}
    assert set(scoped.code) == {"024", "026", "027"}
    expected = everywhere[everywhere.code.isin(["024", "026", "027"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(scoped, expected, check_exact=True)
    # The figures are real: most indicators have data in the scope.
    assert scoped.value.notna().mean() > 0.9


def test_scoped_index_and_rank_compare_only_the_scope(session) -> None:
    everywhere = readiness_table(session, level="district", at=AT, config=CONFIG, policy=POLICY)
    scoped = readiness_table(
        session, level="district", at=AT, config=CONFIG, policy=POLICY, within="02"
    )
    inside = everywhere[everywhere.code.isin(["024", "026", "027"])].reset_index(drop=True)
    keys = list(INDICATORS)
    pd.testing.assert_frame_equal(scoped[["code", *keys]], inside[["code", *keys]])
    among_a = composite_index(inside[keys], CONFIG)
    pd.testing.assert_series_equal(scoped["index"], among_a["index"])
    assert sorted(scoped["rank"]) == [1, 2, 3]
    # Min-max normalisation among three districts is not among five.
    assert not scoped["index"].equals(inside["index"])


def test_counts_are_asked_for_the_scope_only(session, monkeypatch) -> None:
    asked = {}
    real = by_unit.point_counts

    def spy(session, *, at, unit_codes=None):
        asked["unit_codes"] = unit_codes
        return real(session, at=at, unit_codes=unit_codes)

    monkeypatch.setattr(by_unit, "point_counts", spy)
    readiness_long(session, level="commune", at=AT, policy=POLICY, within="02")
    assert set(asked["unit_codes"]) == PROVINCE_A
    readiness_long(session, level="district", at=AT, policy=POLICY)
    assert asked["unit_codes"] is None
    # An agency's point counts for it wherever it is: A00688-0's point is in 00712.
    readiness_long(session, level="agency", at=AT, policy=POLICY, within="024")
    assert set(asked["unit_codes"]) == {"024", "00688", "00712"}


@pytest.mark.parametrize("within", [None, "04"])
def test_service_figures_belong_where_their_agency_sits(session, within) -> None:
    agency_unit = {a.id: a.unit_code for a in session.exec(select(Agency))}
    figures = session.exec(select(ServiceFigure)).all()
    assert any(agency_unit[f.agency_id] != f.unit_code for f in figures)  # A02-1's
    expected = sum(f.procedures for f in figures if agency_unit[f.agency_id] not in PROVINCE_A)
    long = readiness_long(session, level="province", at=AT, policy=POLICY, within=within)
    row = long[(long.code == "04") & (long.indicator == "procedures_level3_pct")].iloc[0]
    assert row.denominator == expected


@pytest.mark.parametrize(
    "level, within, codes",
    [
        ("province", "04", {"04"}),
        ("district", "026", {"026"}),
        ("commune", "026", {"00712", "00715"}),
        ("commune", "00733", {"00733"}),
        ("agency", "024", {"A024-0", "A024-1", "A00688-0", "A00688-1"}),
    ],
)
def test_every_level_can_be_scoped(session, level, within, codes) -> None:
    everywhere = readiness_long(session, level=level, at=AT, policy=POLICY)
    scoped = readiness_long(session, level=level, at=AT, policy=POLICY, within=within)
    assert set(scoped.code) == codes
    expected = everywhere[everywhere.code.isin(codes)].reset_index(drop=True)
    pd.testing.assert_frame_equal(scoped, expected, check_exact=True)


@pytest.mark.parametrize(
    "level, within, message",
    [
        ("district", "99", "within '99': no administrative unit has this code"),
        ("province", "024", "within '024' is a district: no province lies within it"),
        ("district", "00712", "within '00712' is a commune: no district lies within it"),
    ],
)
def test_bad_scopes_are_user_errors(session, level, within, message) -> None:
    with pytest.raises(IctrError) as error:
        readiness_table(session, level=level, at=AT, policy=POLICY, within=within)
    assert str(error.value) == message


def test_cli_within(engine) -> None:
    with Session(engine) as session:
        _build(session)
    runner = CliRunner()
    args = ["indicators", "--at", "2024-06-30", "--format", "csv"]
    result = runner.invoke(app, [*args, "--within", "04"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["040", "042"]
    everywhere = runner.invoke(app, args)
    assert everywhere.exit_code == 0, everywhere.output
    assert len(everywhere.output.splitlines()) == 6  # header + five districts
    unknown = runner.invoke(app, [*args, "--within", "99"])
    assert unknown.exit_code == 2
    assert "error: within '99': no administrative unit has this code" in unknown.output
