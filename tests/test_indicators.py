"""Indicators on a small hand-built inventory, every value worked out by hand."""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlmodel import Session

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
)
from readiness.lifecycle_view import AgePolicy
from readiness.table import readiness_long
from tests.conftest import add_province

AT = date(2024, 6, 30)  # day 182 of a leap year
END = datetime(2024, 6, 30, 23, 59, 59, tzinfo=UTC)
POLICY = AgePolicy(
    life_years={"desktop": 5, "laptop": 4, "server": 6, "other": 5},
    os_supported=lambda os, _at: os == "Windows 10",
)


def _units(session: Session) -> None:
    add_province(session)
    for code, name in [("024", "Thành phố Hà Giang"), ("026", "Huyện Đồng Văn")]:
        session.add(
            AdminUnit(
                code=code,
                name=name,
                short_name=name,
                unit_type="Huyện",
                level=UnitLevel.district,
                parent_code="02",
            )
        )
    session.commit()
    session.add(
        AdminUnit(
            code="00688",
            name="Phường Quang Trung",
            short_name="Quang Trung",
            unit_type="Phường",
            level=UnitLevel.commune,
            parent_code="024",
        )
    )
    session.add(
        AdminUnit(
            code="00712",
            name="Xã Lũng Cú",
            short_name="Lũng Cú",
            unit_type="Xã",
            level=UnitLevel.commune,
            parent_code="026",
        )
    )
    session.commit()


def _computers(
    session,
    agency,
    n,
    *,
    year,
    kind="desktop",
    internet=0,
    os="Windows 10",
    status=ComputerStatus.in_use,
):
    for i in range(n):
        session.add(
            Computer(
                asset_tag=f"{agency.code}-{year}-{kind}-{status}-{i}-{os}",
                agency_id=agency.id,
                kind=ComputerKind(kind),
                purchase_year=year,
                internet=i < internet,
                os=os,
                status=status,
            )
        )


def _round(session, point, agent, hours_ago, received, rtt=None):
    session.add(
        ProbeResult(
            point_id=point.id,
            agent=agent,
            method="icmp",
            started_at=END - timedelta(hours=hours_ago),
            sent=5,
            received=received,
            rtt_median_ms=rtt,
        )
    )


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        _units(session)
        agencies = {}
        for code, kind, unit, officials, signing in [
            ("P", AgencyKind.provincial, "02", 10, 4),
            ("H024", AgencyKind.district_committee, "024", 8, 2),
            ("H026", AgencyKind.district_committee, "026", 5, 1),
            ("X1", AgencyKind.commune_committee, "00688", 4, 2),
        ]:
            agencies[code] = Agency(
                code=code,
                name=f"Cơ quan {code}",
                kind=kind,
                unit_code=unit,
                officials=officials,
                signing_officials=signing,
            )
            session.add(agencies[code])
        session.commit()
        p, h024, h026, x1 = (agencies[c] for c in ["P", "H024", "H026", "X1"])
        _computers(session, p, 6, year=2022, internet=6)
        _computers(session, p, 5, year=2018, internet=3, os="Windows 7")
        _computers(session, p, 1, year=2015, status=ComputerStatus.broken)
        _computers(session, h024, 4, year=2023, kind="laptop", internet=4)
        _computers(session, h024, 2, year=2019, kind="laptop", internet=2)
        _computers(session, h024, 2, year=None, internet=2)
        _computers(session, h026, 4, year=2010, internet=2, os="Windows XP")
        _computers(session, x1, 2, year=2020, internet=1)
        for serial, agency, issued, expires, revoked in [
            ("C1", h024, date(2023, 1, 1), date(2028, 1, 1), None),
            ("C2", h024, date(2018, 1, 1), date(2023, 1, 1), None),  # expired
            ("C3", h024, date(2022, 1, 1), date(2027, 1, 1), date(2024, 1, 1)),  # revoked
            ("C4", x1, date(2021, 5, 1), date(2026, 5, 1), None),
        ]:
            session.add(
                Certificate(
                    serial=serial,
                    holder="Lò Thị Mai",
                    agency_id=agency.id,
                    issued_on=issued,
                    expires_on=expires,
                    revoked_on=revoked,
                )
            )
        for unit, agency, period, figures in [
            ("02", p, "2023", (100, 20, 10, 1000, 300, 900)),
            ("02", p, "2022", (100, 0, 0, 1000, 0, 0)),  # an older period: not used
            ("024", h024, "2023", (50, 5, 5, 200, 20, 150)),
        ]:
            session.add(
                ServiceFigure(
                    unit_code=unit,
                    agency_id=agency.id,
                    period=period,
                    **dict(
                        zip(
                            [
                                "procedures",
                                "procedures_level3",
                                "procedures_level4",
                                "dossiers_received",
                                "dossiers_online",
                                "dossiers_on_time",
                            ],
                            figures,
                            strict=True,
                        )
                    ),
                )
            )
        a = ConnectionPoint(code="A", name="Điểm A", unit_code="00688", address="127.0.0.2")
        b = ConnectionPoint(code="B", name="Điểm B", unit_code="024", address="127.0.0.3")
        c = ConnectionPoint(code="C", name="Điểm C", unit_code="026", address="127.0.0.4")
        session.add_all([a, b, c])
        session.commit()
        # The latest rounds are within the hour before the date's end: current statuses.
        for hours, received, rtt in [(20, 5, 10), (15, 5, 12), (10, 5, 14), (0.75, 0, None)]:
            _round(session, a, "", hours, received, rtt)
        for hours in (72, 73, 74, 75):
            _round(session, a, "", hours, 5, 20)
        _round(session, a, "other-agent", 0.5, 0)  # another agent's view: not counted
        _round(session, b, "", 5, 5, 30)
        _round(session, b, "", 0.5, 5, 40)
        session.commit()
        yield session


def values(session, level: str) -> pd.DataFrame:
    long = readiness_long(session, level=level, at=AT, policy=POLICY)
    return long.pivot(index="code", columns="indicator", values="value")


def test_district_indicators_match_hand_computation(session) -> None:
    v = values(session, "district")
    city, dong_van = v.loc["024"], v.loc["026"]
    assert city["computers_per_official_pct"] == pytest.approx(100.0)  # 8 / 8
    assert city["commune_computers_per_official_pct"] == pytest.approx(50.0)  # 2 / 4
    assert city["internet_share_pct"] == pytest.approx(90.0)  # 9 / 10
    assert city["within_service_life_pct"] == pytest.approx(60.0)  # 4 laptops + 2 desktops
    assert city["supported_os_pct"] == pytest.approx(100.0)
    mean_year = (4 * 2023 + 2 * 2019 + 2 * 2020) / 8
    assert city["mean_computer_age_years"] == pytest.approx(2024 + 181.5 / 365.25 - 0.5 - mean_year)
    assert city["unknown_age_computers"] == 2
    assert city["officials_per_computer"] == pytest.approx(1.2)  # 12 / 10
    assert city["valid_certificates_per_signing_official"] == pytest.approx(0.5)  # 2 / 4
    assert city["procedures_level3_pct"] == pytest.approx(10.0)
    assert city["dossiers_on_time_pct"] == pytest.approx(75.0)
    assert city["connection_points"] == 2
    assert city["availability_24h_pct"] == pytest.approx(100 * 5 / 6)
    assert city["availability_7d_pct"] == pytest.approx(90.0)
    assert city["loss_7d_pct"] == pytest.approx(10.0)  # 5 lost of 50 sent
    assert city["points_up_pct"] == pytest.approx(50.0)  # A's last round failed
    assert city["median_rtt_7d_ms"] == pytest.approx(27.5)  # median of 20 (A) and 35 (B)

    assert dong_van["computers_per_official_pct"] == pytest.approx(80.0)
    assert dong_van["within_service_life_pct"] == 0.0  # data, and it is zero
    assert dong_van["valid_certificates_per_signing_official"] == 0.0
    assert dong_van["connection_points"] == 1


def test_units_without_data_show_no_data_not_zero(session) -> None:
    v = values(session, "district")
    dong_van = v.loc["026"]
    for key in [
        "commune_computers_per_official_pct",
        "procedures_level3_pct",
        "availability_24h_pct",
        "points_up_pct",
        "median_rtt_7d_ms",
        "loss_7d_pct",
    ]:
        assert pd.isna(dong_van[key]), key
    commune = values(session, "commune").loc["00712"]  # no agency, no point
    assert commune.drop("connection_points").isna().all()


def test_province_and_agency_levels(session) -> None:
    province = values(session, "province").loc["02"]
    assert province["computers_per_official_pct"] == pytest.approx(100.0)  # 23 / 23
    assert province["internet_share_pct"] == pytest.approx(80.0)  # 20 / 25
    assert province["procedures_level3_pct"] == pytest.approx(100 * 25 / 150)
    agency = values(session, "agency")
    assert agency.loc["X1", "computers_per_official_pct"] == pytest.approx(50.0)
    assert agency.loc["P", "supported_os_pct"] == pytest.approx(100 * 6 / 11)


def test_every_value_is_numerator_over_denominator(session) -> None:
    long = readiness_long(session, level="district", at=AT, policy=POLICY)
    row = long[(long.code == "024") & (long.indicator == "internet_share_pct")].iloc[0]
    assert (row.numerator, row.denominator) == (9, 10)
    ratios = long[long.unit == "%"].dropna(subset=["value"])
    assert (ratios.value - 100 * ratios.numerator / ratios.denominator).abs().max() < 1e-9


@pytest.mark.parametrize(
    "os_name, at, supported",
    [
        ("Windows 10 Pro", date(2025, 10, 13), True),
        ("Windows 10 Pro", date(2025, 10, 14), False),  # support ended that day
        ("Win 7", date(2019, 12, 31), True),
        ("Windows 7 Professional", date(2020, 6, 1), False),
        ("Windows 11", date(2026, 11, 26), True),  # not listed: no end of support known
        ("", date(2026, 11, 26), False),  # unrecorded OS never counts as supported
        (None, date(2026, 11, 26), False),
    ],
)
def test_os_support_follows_the_lifecycle_policy(os_name, at, supported) -> None:
    from readiness.lifecycle_view import age_policy_from_lifecycle

    policy = age_policy_from_lifecycle()
    assert policy.os_supported(os_name, at) is supported
    assert policy.life_years["laptop"] == 4


def test_no_service_figures_at_all_is_no_data(engine) -> None:
    with Session(engine) as session:
        add_province(session)
        session.add(
            Agency(
                code="A",
                name="Sở Y tế",
                kind=AgencyKind.provincial,
                unit_code="02",
                officials=10,
                signing_officials=2,
            )
        )
        session.commit()
        province = values(session, "province").loc["02"]
    assert pd.isna(province["procedures_level3_pct"])
    assert pd.isna(province["dossiers_on_time_pct"])
