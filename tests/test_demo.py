"""The synthetic demo: idempotent, calibrated to Hà Giang's published 2020 figures, plausible."""

import ipaddress

import pytest
from sqlalchemy import text
from sqlmodel import Session

from inventory.db import session_scope
from inventory.demo import load_demo
from inventory.errors import IctrError
from inventory.models import Agency, AgencyKind
from tests.conftest import add_province

TABLES = [
    "admin_unit",
    "agency",
    "computer",
    "connection_point",
    "certificate",
    "service_figure",
    "meta",
]


def scalar(engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def dump(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in TABLES}


def test_loading_twice_gives_the_same_database(engine) -> None:
    with session_scope(engine) as session:
        first = load_demo(session)
    before = dump(engine)
    with session_scope(engine) as session:
        second = load_demo(session)
    assert first.changed > 15_000
    assert second.changed == 0
    assert dump(engine) == before


def test_published_province_figures_are_reproduced(demo_engine) -> None:
    computers_per_official = scalar(
        demo_engine,
        """
        SELECT 100.0 * (SELECT COUNT(*) FROM computer c JOIN agency a ON a.id = c.agency_id
                        WHERE c.status = 'in_use'
                          AND a.kind IN ('provincial', 'district_committee'))
             / (SELECT SUM(officials) FROM agency
                WHERE kind IN ('provincial', 'district_committee'))""",
    )
    internet = scalar(
        demo_engine,
        """
        SELECT 100.0 * SUM(CASE WHEN internet THEN 1 ELSE 0 END) / COUNT(*)
        FROM computer WHERE status = 'in_use'""",
    )
    level3, level4, on_time, cut_30 = (
        scalar(
            demo_engine,
            f"""
        SELECT 100.0 * SUM({num}) / SUM({den}) FROM service_figure WHERE period = '2020'""",
        )
        for num, den in [
            ("procedures_level3", "procedures"),
            ("procedures_level4", "procedures"),
            ("dossiers_on_time", "dossiers_received"),
            ("procedures_cut_30", "procedures"),
        ]
    )
    assert f"{computers_per_official:.2f}" == "104.06"
    assert f"{internet:.2f}" == "91.14"
    assert f"{level3:.2f}" == "19.28"
    assert f"{level4:.2f}" == "14.79"
    assert f"{on_time:.2f}" == "89.32"
    assert f"{cut_30:.2f}" == "31.55"
    assert scalar(demo_engine, "SELECT COUNT(*) FROM agency WHERE NOT e_office") == 0
    assert scalar(demo_engine, "SELECT COUNT(*) FROM agency WHERE NOT one_stop_connected") == 0
    assert scalar(demo_engine, "SELECT COUNT(*) FROM connection_point") == 73
    assert scalar(demo_engine, "SELECT COUNT(*) FROM certificate") == 5885
    assert scalar(demo_engine, "SELECT COUNT(*) FROM admin_unit WHERE level = 'district'") == 11
    assert scalar(demo_engine, "SELECT COUNT(*) FROM admin_unit WHERE level = 'commune'") == 193


def district_ratio(engine, code: str) -> float:
    """Computers in use per official at the district's People's Committee and its communes."""
    return float(
        scalar(
            engine,
            f"""
        SELECT 1.0 * (SELECT COUNT(*) FROM computer c JOIN agency a ON a.id = c.agency_id
                      JOIN admin_unit u ON u.code = a.unit_code
                      WHERE c.status = 'in_use' AND (u.code = '{code}' OR u.parent_code = '{code}'))
             / (SELECT SUM(a.officials) FROM agency a JOIN admin_unit u ON u.code = a.unit_code
                WHERE u.code = '{code}' OR u.parent_code = '{code}')""",
        )
    )


def test_remote_highland_districts_are_less_equipped_than_the_city(demo_engine) -> None:
    city = district_ratio(demo_engine, "024")
    for remote in ["026", "027", "032", "033"]:  # Đồng Văn, Mèo Vạc, Hoàng Su Phì, Xín Mần
        assert district_ratio(demo_engine, remote) < city * 0.85, remote
    ratios = {
        code: district_ratio(demo_engine, code)
        for code in ["024", "026", "027", "028", "029", "030", "031", "032", "033", "034", "035"]
    }
    assert len({round(r, 3) for r in ratios.values()}) == 11  # every district differs


def test_computers_span_2008_to_2020_with_many_old_ones(demo_engine) -> None:
    assert scalar(demo_engine, "SELECT MIN(purchase_year) FROM computer") == 2008
    assert scalar(demo_engine, "SELECT MAX(purchase_year) FROM computer") == 2020
    old = scalar(demo_engine, "SELECT COUNT(*) FROM computer WHERE purchase_year <= 2015")
    known = scalar(demo_engine, "SELECT COUNT(*) FROM computer WHERE purchase_year IS NOT NULL")
    unknown = scalar(demo_engine, "SELECT COUNT(*) FROM computer WHERE purchase_year IS NULL")
    assert old / known > 0.5
    assert unknown > 0


def test_probe_addresses_are_loopback_only(demo_engine) -> None:
    with demo_engine.connect() as connection:
        addresses = connection.execute(text("SELECT address FROM connection_point")).scalars()
        for address in addresses:
            assert ipaddress.ip_address(address).is_loopback, address


def test_dataset_is_marked_synthetic(demo_engine) -> None:
    assert scalar(demo_engine, "SELECT value FROM meta WHERE key = 'dataset'").startswith(
        "synthetic-demo"
    )


def test_demo_refuses_a_database_with_real_data(engine) -> None:
    with Session(engine) as session:
        add_province(session)
        session.add(Agency(name="Sở Y tế", kind=AgencyKind.provincial, unit_code="02"))
        session.commit()
    with pytest.raises(IctrError, match="non-demo data"), session_scope(engine) as session:
        load_demo(session)
    assert scalar(engine, "SELECT COUNT(*) FROM computer") == 0
