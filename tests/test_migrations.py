from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text
from sqlmodel import SQLModel

import inventory.models  # noqa: F401
from inventory.db import get_engine
from inventory.migrate import current_revision, head_revision, upgrade


def test_upgrade_creates_every_table_on_an_empty_database(db_url: str) -> None:
    engine = get_engine(db_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    # A second upgrade is a no-op.
    assert upgrade(engine) == head_revision()


def test_migrations_match_the_models(engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


@pytest.mark.sqlite_only
def test_sqlite_is_opened_in_wal_mode_with_foreign_keys(engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


# A database as the release before eras (revision 0006) leaves it: rows in every table,
# written through that schema (reflected at 0006), not through today's models.
_T0 = datetime(2020, 12, 1, 1, 0)
_ROWS_AT_0006: dict[str, list[dict]] = {
    "admin_unit": [
        {
            "code": "02",
            "name": "Tỉnh Hà Giang",
            "short_name": "Hà Giang",
            "unit_type": "Tỉnh",
            "level": "province",
            "parent_code": None,
            "latitude": 22.8,
            "longitude": 104.98,
        },
        {
            "code": "024",
            "name": "Thành phố Hà Giang",
            "short_name": "Hà Giang",
            "unit_type": "Thành phố",
            "level": "district",
            "parent_code": "02",
            "bbox_south": 22.7,
            "bbox_west": 104.9,
            "bbox_north": 22.9,
            "bbox_east": 105.0,
        },
        {
            "code": "00688",
            "name": "Phường Quang Trung",
            "short_name": "Quang Trung",
            "unit_type": "Phường",
            "level": "commune",
            "parent_code": "024",
        },
    ],
    "meta": [{"key": "demo", "value": "2020-12"}],
    "indicator_snapshot": [
        {
            "id": 1,
            "period": "2020-12",
            "level": "district",
            "unit_code": "024",
            "indicator": "computers_per_official",
            "value": 0.8,
            "taken_at": _T0,
        },
    ],
    "agency": [
        {
            "id": 1,
            "code": "UB-024",
            "name": "UBND thành phố Hà Giang",
            "kind": "district_committee",
            "unit_code": "024",
            "officials": 40,
            "signing_officials": 3,
            "website": "https://tphagiang.gov.vn",
            "e_office": True,
            "one_stop_connected": None,
        },
        {
            "id": 2,
            "code": None,
            "name": "UBND phường Quang Trung",
            "kind": "commune_committee",
            "unit_code": "00688",
            "officials": 20,
            "signing_officials": 2,
        },
    ],
    "unit_boundary": [
        {
            "unit_code": "024",
            "geojson": '{"type": "Polygon", "coordinates": []}',
            "approximate": True,
            "source": "approximate",
            "updated_at": _T0,
        },
    ],
    "computer": [
        {
            "id": 1,
            "asset_tag": "HG-0001",
            "kind": "desktop",
            "os": "Windows 7",
            "purchase_year": 2012,
            "purchase_date": date(2012, 5, 2),
            "agency_id": 1,
            "internet": True,
            "status": "in_use",
        },
        {
            "id": 2,
            "asset_tag": "HG-0002",
            "kind": "laptop",
            "agency_id": 2,
            "internet": False,
            "status": "retired",
        },
    ],
    "certificate": [
        {
            "id": 1,
            "holder": "Nguyễn Văn A",
            "agency_id": 1,
            "issued_on": date(2019, 1, 1),
            "expires_on": date(2022, 1, 1),
            "serial": "5A01",
            "kind": "personal",
            "status": "active",
        },
    ],
    "connection_point": [
        {
            "id": 1,
            "code": "P-024",
            "name": "UBND thành phố",
            "agency_id": 1,
            "unit_code": "024",
            "address": "127.0.0.1",
            "tcp_ports": "443",
            "probe_method": "auto",
            "agent": "",
            "active": True,
        },
    ],
    "service_figure": [
        {
            "id": 1,
            "unit_code": "00688",
            "agency_id": 2,
            "period": "2020",
            "procedures": 10,
            "procedures_level3": 2,
            "procedures_level4": 1,
            "procedures_cut_30": 1,
            "dossiers_received": 50,
            "dossiers_online": 5,
            "dossiers_on_time": 48,
        },
    ],
    "probe_result": [
        {
            "id": 1,
            "point_id": 1,
            "agent": "",
            "method": "icmp",
            "started_at": _T0,
            "sent": 3,
            "received": 3,
            "rtt_min_ms": 0.1,
            "rtt_median_ms": 0.2,
            "rtt_max_ms": 0.3,
        },
    ],
    "incident": [{"id": 1, "point_id": 1, "agent": "", "down_from": _T0, "up_at": None}],
    "probe_hourly": [
        {
            "id": 1,
            "point_id": 1,
            "agent": "",
            "period_start": _T0,
            "rounds": 1,
            "up_rounds": 1,
            "results": 1,
            "good_results": 1,
            "sent": 3,
            "received": 3,
            "rtt_count": 1,
        },
    ],
    "probe_daily": [
        {
            "id": 1,
            "point_id": 1,
            "agent": "",
            "period_start": _T0,
            "rounds": 1,
            "up_rounds": 1,
            "results": 1,
            "good_results": 1,
            "sent": 3,
            "received": 3,
            "rtt_count": 1,
        },
    ],
    "sign_in_failure": [{"id": 1, "account": "editor", "client": "127.0.0.1", "at": _T0}],
}


def _rows(engine, table: str) -> list[dict]:
    with engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
        return [dict(row._mapping) for row in result]


def test_a_database_of_the_release_before_eras_keeps_every_row(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade(engine, "0006")
    old = MetaData()
    old.reflect(engine)
    # Every table of 0006 gets rows: a table added later without rows here fails this test.
    assert set(old.tables) - {"alembic_version"} == set(_ROWS_AT_0006)
    with engine.begin() as connection:
        for name, rows in _ROWS_AT_0006.items():
            for row in rows:
                connection.execute(old.tables[name].insert(), row)
    before = {name: _rows(engine, name) for name in _ROWS_AT_0006}

    assert upgrade(engine) == head_revision()

    for name, rows in before.items():
        after = _rows(engine, name)
        assert len(after) == len(rows), name
        # Every old column keeps its value.
        assert [{k: row[k] for k in rows[0]} for row in after] == rows, name
        assert len(rows) == len(_ROWS_AT_0006[name])
    units = {row["code"]: row for row in _rows(engine, "admin_unit")}
    assert {code: (u["era"], u["gso_code"]) for code, u in units.items()} == {
        "02": (2020, "02"),
        "024": (2020, "024"),
        "00688": (2020, "00688"),
    }
    assert _rows(engine, "unit_correspondence") == []
    assert _rows(engine, "agency_succession") == []
    assert {row["retired_on"] for row in _rows(engine, "computer")} == {None}
    # A 2025 key now fits every unit-code column.
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO admin_unit (code, era, gso_code, name, short_name, unit_type, level)"
                " VALUES ('02264@2025', 2025, '02264', 'Xã Vĩnh Tuy', 'Vĩnh Tuy', 'Xã', 'commune')"
            )
        )
        connection.execute(text("UPDATE agency SET unit_code = '02264@2025' WHERE id = 2"))
