"""Importing lists of digital certificates (chứng thư số): Vietnamese and English headers,
title rows above the header, Excel and text dates, serials however they are written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from inventory.models import Certificate, CertificateKind, CertificateStatus
from tests.import_fixtures import (
    agency_id,
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
    write_xlsx,
)

HEADER = [
    "STT",
    "Họ và tên",
    "Chức vụ",
    "Cơ quan/đơn vị",
    "Số hiệu chứng thư",
    "Loại chứng thư",
    "Ngày hiệu lực",
    "Ngày hết hạn",
    "Tình trạng",
    "Email",
    "Token",
]


def _list(*rows: list[object]) -> list[list[object]]:
    """A list as the province keeps it: a title, a reference line and an empty row first."""
    return [
        ["DANH SÁCH CHỨNG THƯ SỐ ĐÃ CẤP CHO CƠ QUAN NHÀ NƯỚC TỈNH HÀ GIANG"],
        ["(Kèm theo Công văn số 123/STTTT-BCVT ngày 15/05/2026)"],
        [],
        HEADER,
        *rows,
    ]


def certificates(engine: Engine) -> dict[str, Certificate]:
    with Session(engine) as session:
        return {c.serial: c for c in session.exec(select(Certificate)).all()}


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Certificate)).one()


def test_vietnamese_xlsx_with_title_rows_excel_and_text_dates(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = _list(
        [1, "Nguyễn Văn An", "Giám đốc", "Sở Thông tin và Truyền thông", "54:04:00:1a:2b",
         "Cá nhân", date(2024, 3, 1), date(2029, 3, 1), "Đang hoạt động", "an@hagiang.gov.vn",
         "TK-0001"],
        [2, "Lò Thị Bình", "Chủ tịch", "ubnd  HUYỆN đồng văn", "00 54 04 00 1A 2C",
         "cá nhân", "15/06/2023", "15/06/2028", "tạm dừng", "", ""],
        [3, "UBND xã Lũng Cú", "", "X00715", "5404001a2d", "Tổ chức", "01/01/2022",
         "31/12/2026", "Đã thu hồi", "", ""],
    )  # fmt: skip
    path = write_xlsx(tmp_path / "cts.xlsx", {"Danh sách": rows})
    report = do_import(hg_engine, "certificates", path)
    assert report.ok, report.lines()
    assert report.header_row == 4  # below the title, the reference and the empty row
    assert (report.counts.new, report.counts.updated, report.counts.unchanged) == (3, 0, 0)
    stored = certificates(hg_engine)
    assert sorted(stored) == ["5404001A2B", "5404001A2C", "5404001A2D"]
    an = stored["5404001A2B"]
    assert (an.holder, an.title, an.kind, an.status) == (
        "Nguyễn Văn An",
        "Giám đốc",
        CertificateKind.personal,
        CertificateStatus.active,
    )
    assert (an.issued_on, an.expires_on) == (date(2024, 3, 1), date(2029, 3, 1))
    assert (an.email, an.token, an.agency_id) == (
        "an@hagiang.gov.vn",
        "TK-0001",
        agency_id(hg_engine, "STTTT"),
    )
    binh = stored["5404001A2C"]
    assert binh.agency_id == agency_id(hg_engine, "H026")
    assert (binh.issued_on, binh.status, binh.email) == (
        date(2023, 6, 15),
        CertificateStatus.suspended,
        None,
    )
    xa = stored["5404001A2D"]
    assert (xa.kind, xa.status, xa.revoked_on) == (
        CertificateKind.organisation,
        CertificateStatus.revoked,
        None,
    )

    again = do_import(hg_engine, "certificates", path)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 3)
    assert "new 0, updated 0, unchanged 3" in again.lines()[-1]


def test_english_csv_updates_by_serial_and_clears_what_it_empties(
    hg_engine: Engine, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "a.csv",
        [
            ["Serial", "Holder", "Agency code", "Valid from", "Valid to", "Email"],
            ["0A1B", "Vàng Seo Chứ", "X00742", "2025-01-02", "2027-01-02", "chu@x.vn"],
        ],
    )
    assert do_import(hg_engine, "certificates", first).ok
    second = write_csv(
        tmp_path / "b.csv",
        [
            ["Serial number", "Email", "Status", "Ngày thu hồi"],
            ["a1b", "", "revoked", "01/03/2026"],
        ],
    )
    report = do_import(hg_engine, "certificates", second)
    assert report.ok, report.lines()
    assert (report.counts.new, report.counts.updated) == (0, 1)
    stored = certificates(hg_engine)["A1B"]
    assert (stored.holder, stored.email, stored.status, stored.revoked_on) == (
        "Vàng Seo Chứ",
        None,
        CertificateStatus.revoked,
        date(2026, 3, 1),
    )


def test_a_bad_list_is_refused_whole_naming_rows_and_values(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = _list(
        [1, "Nguyễn Văn An", "", "STTTT", "AB01", "cá nhân", "01/01/2025", "01/01/2030",
         "đang hoạt động", "", ""],
        [2, "Trần Văn Cường", "", "STTTT", "ab:01", "cá nhân", "01/01/2025", "01/01/2030",
         "đang hoạt động", "", ""],
        [3, "Hoàng Thị Dung", "", "STTTT", "AB02", "cá nhân", "01/06/2026", "01/01/2026",
         "đang hoạt động", "", ""],
        [4, "Phạm Văn Em", "", "Sở Không Có", "AB03", "cá nhân", "01/01/2025", "01/01/2030",
         "đang hoạt động", "", ""],
        [5, "Lý Văn Giàu", "", "STTTT", "XYZ", "cá nhân", "31/02/2025", "01/01/2030",
         "mất", "không-phải-email", ""],
    )  # fmt: skip
    path = write_xlsx(tmp_path / "bad.xlsx", {"Sheet1": rows})
    report = do_import(hg_engine, "certificates", path)
    assert not report.ok
    assert [(e.row, e.column, e.value, e.reason) for e in report.sorted_errors()] == [
        (6, "Số hiệu chứng thư", "AB01", "serial repeated (first on row 5)"),
        (7, "Ngày hết hạn", "01/01/2026", "expires before it takes effect (01/06/2026)"),
        (
            8,
            "Cơ quan/đơn vị",
            "Sở Không Có",
            "unknown agency (import it first with `ictr import agencies`, or use "
            "--create-agencies)",
        ),
        (
            9,
            "Số hiệu chứng thư",
            "XYZ",
            "not a certificate serial (hexadecimal digits, e.g. 5404 00A1 9F3C)",
        ),
        (9, "Ngày hiệu lực", "31/02/2025", "no such date"),
        (9, "Tình trạng", "mất", "unknown status (đang hoạt động, tạm dừng, đã thu hồi)"),
        (9, "Email", "không-phải-email", "not an e-mail address"),
    ]
    assert report.failure().startswith("bad.xlsx [Sheet1]: 4 bad rows (7 problems), first: row 6")
    assert count(hg_engine) == 0


def test_a_new_certificate_needs_its_dates_and_an_active_one_cannot_be_revoked(
    hg_engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        [
            [
                "Số hiệu chứng thư",
                "Họ và tên",
                "Mã cơ quan",
                "Ngày hết hạn",
                "Tình trạng",
                "Ngày thu hồi",
            ],
            ["C1", "Nguyễn A", "STTTT", "01/01/2030", "", ""],
            ["C2", "Nguyễn B", "STTTT", "01/01/2030", "Đang hoạt động", "01/01/2026"],
        ],  # fmt: skip
    )
    report = do_import(hg_engine, "certificates", path)
    assert [(e.row, e.column, e.reason) for e in report.sorted_errors()] == [
        (2, "issued_on", "a new certificate needs a start date (Ngày hiệu lực)"),
        (3, "issued_on", "a new certificate needs a start date (Ngày hiệu lực)"),
    ]
    assert count(hg_engine) == 0


def test_dry_run_writes_nothing_and_agency_option_fills_blank_agencies(
    hg_engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "d.csv",
        [
            ["Số hiệu chứng thư", "Họ và tên", "Ngày hiệu lực", "Ngày hết hạn"],
            ["D1", "Nguyễn A", "01/01/2025", "01/01/2027"],
        ],
    )
    report = do_import(hg_engine, "certificates", path, agency="H026", dry_run=True)
    assert report.ok and report.counts.new == 1
    assert count(hg_engine) == 0
    report = do_import(hg_engine, "certificates", path, agency="UBND huyện Đồng Văn")
    assert report.ok
    assert certificates(hg_engine)["D1"].agency_id == agency_id(hg_engine, "H026")


def test_migration_0005_keeps_stored_certificates(db_url: str) -> None:
    """A database from before 0005: its certificates stay, revoked ones marked revoked, and
    their serials written as the importer now writes them."""
    from sqlalchemy import text as sql

    from inventory.db import get_engine
    from inventory.migrate import upgrade

    engine = get_engine(db_url)
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            sql(
                "INSERT INTO admin_unit (code, name, short_name, unit_type, level) "
                "VALUES ('02', 'Tỉnh Hà Giang', 'Hà Giang', 'Tỉnh', 'province')"
            )
        )
        connection.execute(
            sql(
                "INSERT INTO agency (id, code, name, kind, unit_code, officials, "
                "signing_officials) VALUES (1, 'S', 'Sở A', 'provincial', '02', 5, 2)"
            )
        )
        connection.execute(
            sql(
                "INSERT INTO certificate (serial, holder, agency_id, issued_on, expires_on, "
                "revoked_on) VALUES ('00540400001A2B', 'Nguyễn A', 1, '2020-01-01', "
                "'2025-01-01', NULL), ('54:04:00:1a:2c', 'Trần B', 1, '2020-01-01', "
                "'2025-01-01', '2021-05-05')"
            )
        )
    upgrade(engine)
    stored = certificates(engine)
    assert sorted(stored) == ["540400001A2B", "5404001A2C"]
    assert stored["540400001A2B"].status == CertificateStatus.active
    assert stored["5404001A2C"].status == CertificateStatus.revoked
    assert stored["5404001A2C"].revoked_on == date(2021, 5, 5)
    assert {c.kind for c in stored.values()} == {CertificateKind.personal}
