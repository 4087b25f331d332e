"""Importing the certificates themselves: PEM, DER, PKCS#7 bundles, folders and zips of them,
and revocation lists; made in the test by a test CA with Vietnamese subjects."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.models import CertificateStatus
from tests.import_fixtures import (
    agency_id,
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
)
from tests.test_import_certificates import certificates, count
from tests.x509_fixtures import MadeCA, crl_bytes, der, p7b, pem

runner = CliRunner()
CA = MadeCA.make()
AN = CA.issue(
    serial=0x5404_001A_2B,
    holder="Nguyễn Văn An",
    agency="Sở Thông tin và Truyền thông",
    title="Giám đốc",
    email="an@example.vn",
)
BINH = CA.issue(
    serial=0x5404_001A_2C,
    holder="Lò Thị Bình",
    agency="Văn phòng HĐND và UBND",  # no such agency: O names it
    organisation="UBND huyện Đồng Văn",
    start=date(2023, 6, 15),
    end=date(2026, 7, 15),
)
CHU = CA.issue(serial=0x00FF, holder="Vàng Seo Chứ", agency="UBND xã Lũng Cú")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cts"
    (folder / "huyen").mkdir(parents=True)
    (folder / "an.cer").write_bytes(der(AN))
    (folder / "huyen" / "binh.pem").write_bytes(pem(BINH))
    (folder / "bundle.p7b").write_bytes(p7b([CA.certificate, CHU, AN]))  # AN again: one
    (folder / "README.txt").write_text("danh sách gửi kèm")
    return folder


def test_a_folder_of_pem_der_and_p7b_files(hg_engine: Engine, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    report = do_import(hg_engine, "certificates", folder)
    assert report.ok, report.lines()
    assert (report.counts.new, report.counts.updated, report.counts.unchanged) == (3, 0, 0)
    assert "warning: left out 1 CA certificates (issuers, not officials)" in report.lines()
    assert "warning: not certificate files, not read: 'README.txt'" in report.lines()
    stored = certificates(hg_engine)
    assert sorted(stored) == ["5404001A2B", "5404001A2C", "FF"]
    an = stored["5404001A2B"]
    assert (an.holder, an.title, an.email) == ("Nguyễn Văn An", "Giám đốc", "an@example.vn")
    assert (an.issued_on, an.expires_on) == (date(2024, 1, 1), date(2029, 1, 1))
    assert an.agency_id == agency_id(hg_engine, "STTTT")
    assert stored["5404001A2C"].agency_id == agency_id(hg_engine, "H026")  # from O
    assert stored["5404001A2C"].expires_on == date(2026, 7, 15)
    assert stored["FF"].agency_id == agency_id(hg_engine, "X00715")

    again = do_import(hg_engine, "certificates", folder)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 3)


def test_a_zip_and_a_list_naming_the_same_certificate_make_one(
    hg_engine: Engine, tmp_path: Path
) -> None:
    listed = write_csv(
        tmp_path / "ds.csv",
        [
            [
                "Số hiệu chứng thư",
                "Họ và tên",
                "Mã cơ quan",
                "Ngày hiệu lực",
                "Ngày hết hạn",
                "Tình trạng",
                "Token",
            ],
            [
                "54 04 00 1A 2B",
                "Nguyen Van An",
                "STTTT",
                "01/01/2024",
                "01/01/2029",
                "Tạm dừng",
                "TK-9",
            ],
        ],  # fmt: skip
    )
    assert do_import(hg_engine, "certificates", listed).ok
    archive = tmp_path / "cts.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("so-tttt/an.crt", pem(AN))
        z.writestr("xa/chu.p7b", p7b([CHU], as_pem=True))
    report = do_import(hg_engine, "certificates", archive)
    assert report.ok, report.lines()
    assert (report.counts.new, report.counts.updated) == (1, 1)
    assert count(hg_engine) == 2
    an = certificates(hg_engine)["5404001A2B"]
    # The file gives the holder's name as the CA wrote it; the list's status and token stay.
    assert (an.holder, an.status, an.token) == (
        "Nguyễn Văn An",
        CertificateStatus.suspended,
        "TK-9",
    )


def test_a_crl_marks_revoked_serials(hg_engine: Engine, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert do_import(hg_engine, "certificates", folder).ok
    crl = tmp_path / "ca.crl"
    revoked = {0x5404_001A_2C: date(2026, 3, 10), 0xDEAD: date(2026, 1, 1)}
    crl.write_bytes(crl_bytes(CA.crl(revoked)))
    report = do_import(hg_engine, "certificates", tmp_path / "cts" / "an.cer", crl=crl)
    assert report.ok, report.lines()
    assert "warning: revocation list ca.crl: 2 revoked serials, 1 of them not in the inventory" in (
        report.lines()
    )
    assert (report.counts.updated, report.counts.unchanged) == (1, 1)
    binh = certificates(hg_engine)["5404001A2C"]
    assert (binh.status, binh.revoked_on) == (CertificateStatus.revoked, date(2026, 3, 10))
    again = do_import(hg_engine, "certificates", folder, crl=crl)
    assert (again.counts.updated, again.counts.unchanged) == (0, 3)


def test_agency_option_gives_every_file_its_agency(hg_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "binh.der"
    path.write_bytes(der(BINH))
    report = do_import(hg_engine, "certificates", path, agency="X00742")
    assert report.ok, report.lines()
    assert certificates(hg_engine)["5404001A2C"].agency_id == agency_id(hg_engine, "X00742")


def test_an_unknown_agency_is_named_with_its_file(hg_engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "x.pem").write_bytes(
        pem(CA.issue(serial=7, holder="Hà Văn Ít", agency="Sở Không Có", organisation="Tỉnh X"))
    )
    (folder / "an.pem").write_bytes(pem(AN))
    report = do_import(hg_engine, "certificates", folder)
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (
            3,
            "agency",
            "Sở Không Có / Tỉnh X",
            "no agency with this name in OU or O: import agencies first, or give --agency "
            "(file x.pem)",
        )
    ]
    assert count(hg_engine) == 0


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", "certificates", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_a_file_that_is_no_certificate_refuses_the_whole_folder(
    hg_engine: Engine, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    (folder / "huyen" / "hong.cer").write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64!\n")
    code, output = _cli(str(folder))
    assert code == 2
    assert output.strip().splitlines()[-1] == (
        "error: huyen/hong.cer: not a certificate (neither an X.509 certificate in PEM or DER "
        "nor a PKCS#7 bundle); nothing was imported"
    )
    assert "Traceback" not in output
    assert count(hg_engine) == 0


@pytest.mark.parametrize("name", ["../an.cer", "/tmp/an.cer", "a/../../an.cer"])
def test_a_zip_member_outside_the_archive_refuses_it(
    hg_engine: Engine, tmp_path: Path, name: str
) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ok.cer", der(CHU))
        z.writestr(name, der(AN))
    code, output = _cli(str(archive))
    assert code == 2
    assert f"error: evil.zip: member {name!r} points outside the archive; refused" in output
    assert count(hg_engine) == 0
    assert not (tmp_path.parent / "an.cer").exists()


def test_a_zip_member_larger_than_any_certificate_is_refused(
    hg_engine: Engine, tmp_path: Path
) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("an.cer", der(AN))
        z.writestr("big.cer", b"\0" * 5_000_000)  # compresses to a few kilobytes
    assert archive.stat().st_size < 50_000
    code, output = _cli(str(archive))
    assert code == 2
    assert "error: bomb.zip: big.cer holds 5,000,000 bytes, more than a certificate file" in output
    assert count(hg_engine) == 0
