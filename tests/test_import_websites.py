"""`ictr import websites`: Vietnamese or English headers, kinds in words, all rows or none,
one clear error naming the file, row, column and value; addresses no check may go to are
refused; the agencies file's website column adds websites too."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.models import AgencyKind, Website, WebsiteKind
from tests.website_fixtures import add_agency

runner = CliRunner()


def write_csv(path: Path, rows: list[list[str]]) -> str:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


def stored(engine: Engine) -> dict[str, tuple[int, WebsiteKind, str, bool, bool]]:
    with session_scope(engine) as session:
        return {
            w.url: (w.agency_id, w.kind, w.agent, w.active, w.synthetic)
            for w in session.exec(select(Website)).all()
        }


def test_vietnamese_headers_kinds_in_words_and_a_second_import_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    commune = add_agency(engine, "UBND xã Minh Tân", AgencyKind.commune_committee)
    department = add_agency(engine, "Sở Thông tin và Truyền thông", AgencyKind.provincial)
    sheet = write_csv(
        tmp_path / "websites.csv",
        [
            ["Cơ quan", "Địa chỉ website", "Loại", "Máy đo", "Đang theo dõi"],
            ["UBND xã Minh Tân", "https://minhtan.example.vn", "", "", ""],
            ["Sở Thông tin và Truyền thông", "https://stttt.example.vn", "Cổng thông tin điện tử",
             "bac-quang", "Có"],
            ["Sở Thông tin và Truyền thông", "https://dichvucong.example.vn", "Cổng dịch vụ công",
             "", "Không"],
            ["Sở Thông tin và Truyền thông", "http://10.20.30.40:8080/tin-tuc", "trang TTĐT", "",
             ""],
        ],
    )  # fmt: skip
    result = runner.invoke(app, ["import", "websites", sheet])
    assert result.exit_code == 0, result.output
    assert "new 4, updated 0, unchanged 0" in result.output
    assert stored(engine) == {
        # No kind given: a commune's own site.
        "https://minhtan.example.vn": (commune, WebsiteKind.commune_site, "", True, False),
        "https://stttt.example.vn": (department, WebsiteKind.portal, "bac-quang", True, False),
        "https://dichvucong.example.vn": (
            department,
            WebsiteKind.service_portal,
            "",
            False,
            False,
        ),
        "http://10.20.30.40:8080/tin-tuc": (department, WebsiteKind.agency_site, "", True, False),
    }
    again = runner.invoke(app, ["import", "websites", sheet])
    assert again.exit_code == 0, again.output
    assert "new 0, updated 0, unchanged 4" in again.output


def test_english_headers(engine: Engine, tmp_path: Path) -> None:
    agency = add_agency(engine, "Provincial People's Committee", AgencyKind.provincial)
    sheet = write_csv(
        tmp_path / "sites.csv",
        [
            ["Agency", "URL", "Kind"],
            [
                "Provincial People's Committee",
                "https://portal.example.vn/",
                "public-service portal",
            ],
        ],
    )
    result = runner.invoke(app, ["import", "websites", sheet])
    assert result.exit_code == 0, result.output
    assert stored(engine) == {
        "https://portal.example.vn/": (agency, WebsiteKind.service_portal, "", True, False)
    }


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("Địa chỉ website", "ftp://files.example.vn/",
         "scheme 'ftp': only http:// and https:// addresses are checked"),
        ("Địa chỉ website", "javascript:alert(1)",
         "scheme 'javascript': only http:// and https:// addresses are checked"),
        ("Địa chỉ website", "www.example.vn", "no scheme: only http:// and https:// addresses are "
         "checked"),
        ("Địa chỉ website", "http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("Địa chỉ website", "http://255.255.255.255/",
         "255.255.255.255 is the limited broadcast address"),
        ("Địa chỉ website", "https://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("Địa chỉ website", "http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("Địa chỉ website", "http://admin:secret@example.vn/",
         "an address with a user name or password"),
        ("Địa chỉ website", "http://010.1.1.1/",
         "010.1.1.1 is not written as four decimal numbers without leading zeros: the system "
         "reads it as 8.1.1.1"),
        ("Loại", "blog", "unknown kind (cổng thông tin điện tử/portal, trang thông tin điện "
         "tử/agency site, trang cấp xã/commune site, cổng dịch vụ công/public-service portal)"),
        ("Cơ quan", "Sở Không Có",
         "unknown agency (import it first with `ictr import agencies`, or use --create-agencies)"),
    ],
)  # fmt: skip
def test_a_bad_row_is_one_clear_error_and_nothing_is_written(
    engine: Engine, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    add_agency(engine, "Sở Y tế")
    row = {"Cơ quan": "Sở Y tế", "Địa chỉ website": "https://syt.example.vn", "Loại": ""}
    row[column] = value
    sheet = write_csv(
        tmp_path / "websites.csv",
        [
            list(row),
            ["Sở Y tế", "https://first.example.vn", ""],  # a good row: not written either
            list(row.values()),
        ],
    )
    result = runner.invoke(app, ["import", "websites", sheet])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.endswith(
        f"error: {Path(sheet).name}: row 3, column {column!r}, value {value!r}: {reason}; "
        "nothing was imported\n"
    )
    assert stored(engine) == {}


def test_the_same_agency_and_address_twice_is_an_error(engine: Engine, tmp_path: Path) -> None:
    add_agency(engine, "Sở Y tế")
    sheet = write_csv(
        tmp_path / "websites.csv",
        [["Cơ quan", "URL"], ["Sở Y tế", "https://syt.example.vn"], ["Sở Y tế", "https://syt.example.vn"]],
    )  # fmt: skip
    result = runner.invoke(app, ["import", "websites", sheet])
    assert result.exit_code == 2, result.output
    assert (
        "row 3, column 'URL', value 'https://syt.example.vn': same agency and address as row 2"
        in result.output
    )


def test_a_file_without_an_address_column_is_refused(engine: Engine, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "w.csv", [["Cơ quan", "Ghi chú"], ["Sở Y tế", "x"]])
    result = runner.invoke(app, ["import", "websites", sheet])
    assert result.exit_code == 2
    assert "required column url (Địa chỉ website) is missing" in result.output


def test_the_agencies_file_website_column_adds_websites(engine: Engine, tmp_path: Path) -> None:
    add_agency(engine, "Sở Y tế")  # also makes the province the agencies are put in
    sheet = write_csv(
        tmp_path / "agencies.csv",
        [
            ["Tên cơ quan", "Loại cơ quan", "Mã ĐVHC", "Trang thông tin điện tử"],
            ["UBND xã Thử Nghiệm", "UBND xã", "02", "https://xathunghiem.example.vn"],
            ["Sở Xây dựng", "Sở", "02", "Không"],
        ],
    )
    result = runner.invoke(app, ["import", "agencies", sheet])
    assert result.exit_code == 0, result.output
    assert "added 1 websites to check (ictr websites)" in result.output
    ((url, (_agency, kind, _agent, active, synthetic)),) = stored(engine).items()
    assert (url, kind, active, synthetic) == (
        "https://xathunghiem.example.vn",
        WebsiteKind.commune_site,
        True,
        False,
    )
    again = runner.invoke(app, ["import", "agencies", sheet])
    assert again.exit_code == 0 and "websites to check" not in again.output
    assert len(stored(engine)) == 1


def test_the_agencies_file_refuses_a_website_no_check_may_go_to(
    engine: Engine, tmp_path: Path
) -> None:
    add_agency(engine, "Sở Y tế")
    sheet = write_csv(
        tmp_path / "agencies.csv",
        [["Tên cơ quan", "Mã ĐVHC", "Website"], ["Sở Xây dựng", "02", "http://239.0.0.1/"]],
    )
    result = runner.invoke(app, ["import", "agencies", sheet])
    assert result.exit_code == 2, result.output
    assert "row 2, column 'Website', value 'http://239.0.0.1/': 239.0.0.1 is a multicast" in (
        result.output
    )
    assert stored(engine) == {}
