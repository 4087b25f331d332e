"""Certificates through the command line: indicators computed by hand, the renewal list,
and an export that re-imports unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from ictr.cli.main import app
from tests.import_fixtures import hg_engine_fixture, write_csv  # noqa: F401

runner = CliRunner()
# Before 1 July 2025: the fixture's district People's Committee (H026) still exists then.
AT = "2025-06-01"
HEADER = ["Số hiệu chứng thư", "Họ và tên", "Chức vụ", "Mã cơ quan", "Ngày hiệu lực",
          "Ngày hết hạn", "Tình trạng", "Ngày thu hồi"]  # fmt: skip
ROWS = [
    ["A1", "Nguyễn Văn An", "Giám đốc", "STTTT", "01/01/2023", "01/01/2028", "", ""],
    ["B2", "Trần Thị Bích", "=HYPERLINK(\"http://x\")", "STTTT", "01/07/2020", "01/07/2025", "",
     ""],  # valid, expires in 30 days
    ["C3", "Lê Văn Cường", "", "STTTT", "01/01/2023", "01/01/2028", "Tạm dừng", ""],
    ["D4", "Phạm Thị Dung", "", "STTTT", "01/01/2023", "01/01/2028", "", "10/07/2025"],
    ["E5", "Hoàng Văn Em", "", "STTTT", "01/01/2019", "31/05/2025", "", ""],  # expired
    ["F6", "Vũ Thị Phương", "", "STTTT", "01/01/2023", "30/08/2025", "", "01/05/2025"],
    ["A7", "Đỗ Văn Giang", "", "STTTT", "01/01/2022", "30/08/2025", "", ""],  # in 90 days
    ["B8", "Lò Văn Hùng", "Chủ tịch", "H026", "01/01/2024", "15/09/2025", "", ""],
]  # fmt: skip


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def with_certificates(hg_engine: Engine, tmp_path: Path) -> Engine:
    path = write_csv(tmp_path / "cts.csv", [HEADER, *ROWS])
    result = invoke("import", "certificates", str(path))
    assert result.exit_code == 0, result.output
    assert "new 8, updated 0, unchanged 0" in result.output
    return hg_engine


def test_certificate_indicators_by_agency_and_province(with_certificates: Engine) -> None:
    # On 1 June 2025 the Sở TT&TT (20 signers) holds A1, B2, D4 (revoked only in July) and A7:
    # 4 valid; C3 is suspended, E5 expired, F6 revoked. B2 and A7 expire within 90 days.
    result = invoke("indicators", "--level", "agency", "--at", AT, "--format", "json")
    assert result.exit_code == 0, result.output
    agencies = {u["code"]: u for u in json.loads(result.output)}
    stttt, dong_van = agencies["STTTT"], agencies["H026"]
    assert stttt["valid_certificates_per_signing_official"] == pytest.approx(4 / 20)
    assert stttt["signing_officials_without_certificate"] == 16
    assert stttt["certificates_expiring_90d"] == 2
    assert dong_van["valid_certificates_per_signing_official"] == pytest.approx(1 / 60)
    assert dong_van["signing_officials_without_certificate"] == 59
    assert dong_van["certificates_expiring_90d"] == 0  # 106 days left
    assert agencies["X00715"]["signing_officials_without_certificate"] == 8

    result = invoke("indicators", "--level", "province", "--at", AT, "--format", "json")
    province = json.loads(result.output)[0]
    assert province["valid_certificates_per_signing_official"] == pytest.approx(5 / 99)
    # Per agency, the signers beyond its valid certificates: 16 + 59 + 8 + 5 + 6.
    assert province["signing_officials_without_certificate"] == 94
    assert province["certificates_expiring_90d"] == 2


def test_expiring_lists_holder_agency_and_expiry(with_certificates: Engine) -> None:
    result = invoke("certificates", "expiring", "--days", "90", "--at", AT, "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [(c["holder"], c["agency"], c["expires_on"], c["days_left"]) for c in listed] == [
        ("Trần Thị Bích", "Sở Thông tin và Truyền thông", "2025-07-01", 30),
        ("Đỗ Văn Giang", "Sở Thông tin và Truyền thông", "2025-08-30", 90),
    ]
    table = invoke("certificates", "expiring", "--at", AT)
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert "Trần Thị Bích" in lines[1] and "01/07/2025" in lines[1]
    assert lines[-1] == "2 certificates expire within 90 days of 01/06/2025"
    longer = invoke("certificates", "expiring", "--days", "106", "--at", AT, "--format", "json")
    assert [c["holder"] for c in json.loads(longer.output)][-1] == "Lò Văn Hùng"
    none = invoke("certificates", "expiring", "--days", "29", "--at", AT)
    assert none.output.strip() == "no certificate valid on 01/06/2025 expires within 29 days"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "error: --format 'xml': use table or json"),
        (["--at", "1/6/2025"], "error: --at '1/6/2025': write the date as YYYY-MM-DD"),
    ],
)
def test_expiring_refuses_bad_options(hg_engine: Engine, args: list[str], message: str) -> None:
    result = invoke("certificates", "expiring", *args)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_reimports_unchanged(with_certificates: Engine, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out.{suffix}"
    result = invoke("export", "certificates", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"8 certificates written to {path}"
    result = invoke("import", "certificates", str(path))
    assert result.exit_code == 0, result.output
    assert "new 0, updated 0, unchanged 8" in result.output
    if suffix == "csv":  # the formula-like title is text, marked for spreadsheets
        assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")


def test_a_bad_list_through_the_cli_is_one_line_and_exit_2(
    hg_engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "x.csv", [HEADER, ["C9", "A", "", "STTTT", "-5", "1/1/2026", "",
                                                    ""]])  # fmt: skip
    result = invoke("import", "certificates", str(path))
    assert result.exit_code == 2
    assert (
        "error: x.csv: row 2, column 'Ngày hiệu lực', value '-5': not a date (expected "
        "dd/mm/yyyy); nothing was imported"
    ) in result.output
    assert "Traceback" not in result.output
