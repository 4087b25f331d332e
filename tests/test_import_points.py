"""Importing connection points of the data network."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from inventory.models import ConnectionPoint
from tests.import_fixtures import (
    agency_id,
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
)


def _points(engine: Engine) -> dict[str, ConnectionPoint]:
    with Session(engine) as session:
        return {p.code: p for p in session.exec(select(ConnectionPoint)).all()}


def test_points_import_and_update(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Mã điểm", "Tên điểm", "Cơ quan", "Mã ĐVHC", "Địa chỉ IP", "Cổng TCP", "Vĩ độ",
         "Kinh độ", "Nhà cung cấp", "Băng thông"],
        ["P1", "UBND xã Lũng Cú", "UBND xã Lũng Cú", "", "127.11.26.1", "80;443", "23,3639",
         "105,3211", "VNPT", "100 Mbps"],
        ["P2", "Sở TT&TT", "STTTT", "", "127.10.0.2", "", "", "", "Viettel", ""],
        ["P3", "Trạm", "", "00712", "tram.local", "22", "", "", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "p.csv", rows, delimiter=";")
    report = do_import(hg_engine, "points", path)
    assert report.ok, report.lines()
    stored = _points(hg_engine)
    p1 = stored["P1"]
    assert (p1.unit_code, p1.agency_id) == ("00715", agency_id(hg_engine, "X00715"))
    assert (p1.tcp_ports, p1.bandwidth_mbps, p1.provider) == ("80,443", 100.0, "VNPT")
    assert p1.latitude == pytest.approx(23.3639) and p1.longitude == pytest.approx(105.3211)
    assert (stored["P2"].unit_code, stored["P2"].tcp_ports) == ("02", "")
    assert (stored["P3"].unit_code, stored["P3"].agency_id) == ("00712", None)
    assert stored["P3"].address == "tram.local"

    rows[1][5] = "443"
    report = do_import(hg_engine, "points", write_csv(tmp_path / "p2.csv", rows))
    assert (report.counts.new, report.counts.updated, report.counts.unchanged) == (0, 1, 2)
    assert _points(hg_engine)["P1"].tcp_ports == "443"


def test_bad_points_are_each_reported(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Mã điểm", "Tên điểm", "Mã ĐVHC", "Địa chỉ IP", "Cổng TCP", "Vĩ độ"],
        ["P1", "A", "00715", "300.1.1.1", "80", ""],
        ["P2", "B", "", "127.0.0.2", "http", "95"],
        ["P3", "", "00715", "127.0.0.3", "", ""],
    ]
    report = do_import(hg_engine, "points", write_csv(tmp_path / "p.csv", rows))
    assert [(e.row, e.column, e.reason) for e in report.sorted_errors()] == [
        (2, "Địa chỉ IP", "not an IP address or host name"),
        (3, "Cổng TCP", "'http' is not a TCP port (1..65535)"),
        (3, "Vĩ độ", "latitude outside -90..90"),
        (4, "Tên điểm", "a new point needs a name (Tên điểm)"),
    ]
    assert _points(hg_engine) == {}
