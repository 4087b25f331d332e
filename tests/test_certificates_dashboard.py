"""Certificates on the dashboard: the district page's counts and renewal list, and the Data
page importing certificate files through the same importer as the CLI."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from inventory.db import session_scope
from inventory.models import Agency, Certificate
from tests.dashboard_fixtures import EDITOR_PASSWORD, editor_password  # noqa: F401
from tests.import_fixtures import do_import, write_csv
from tests.test_app import DATA, DISTRICT, run_page, sign_in
from tests.x509_fixtures import MadeCA, pem


def _agency_in(engine: Engine, unit_code: str) -> Agency:
    with session_scope(engine) as session:
        agency = session.exec(
            select(Agency)
            .where(Agency.unit_code == unit_code, Agency.signing_officials > 0)
            .order_by(Agency.id)
        ).first()
        assert agency is not None
        session.expunge(agency)
        return agency


def test_district_page_shows_certificate_counts_and_the_renewal_list(
    demo_engine: Engine, tmp_path
) -> None:
    # Districts exist up to 2025-06-30: the page's date is of the 2020 structure.
    day = date(2025, 6, 30)
    agency = _agency_in(demo_engine, "026")
    before = run_page(DISTRICT, code="026", at=day.isoformat())
    assert before.date_input(key="district_date").value == day
    counts = {m.label: m.value for m in before.metric}
    soon = day + timedelta(days=20)
    rows = [
        ["Số hiệu chứng thư", "Họ và tên", "Chức vụ", "Cơ quan/đơn vị", "Ngày hiệu lực",
         "Ngày hết hạn"],
        ["EEEE01", "Nguyễn Thị <b>Hạnh</b>", "Phó Chủ tịch", agency.name,
         (day - timedelta(days=400)).strftime("%d/%m/%Y"), soon.strftime("%d/%m/%Y")],
    ]  # fmt: skip
    report = do_import(demo_engine, "certificates", write_csv(tmp_path / "c.csv", rows))
    assert report.ok, report.lines()
    app = run_page(DISTRICT, code="026", at=day.isoformat())
    metrics = {m.label: m.value for m in app.metric}
    expiring_label = "Số chứng thư số hết hạn trong 90 ngày tới"
    assert int(metrics[expiring_label]) == int(counts[expiring_label]) + 1
    without = "Số người ký số chưa có chứng thư số còn hiệu lực"
    assert int(metrics[without].replace(".", "")) <= int(counts[without].replace(".", ""))
    expiring = app.dataframe[-1].value
    ours = expiring[expiring["Họ và tên"] == "Nguyễn Thị <b>Hạnh</b>"]  # shown as typed
    assert list(ours["Cơ quan"]) == [agency.name]
    assert list(ours["Ngày hết hạn"]) == [soon.strftime("%d/%m/%Y")]
    assert list(ours["Còn (ngày)"]) == [20]

    other = run_page(DISTRICT, code="024", at=day.isoformat())
    listed = other.dataframe[-1].value if other.dataframe else None
    assert listed is None or "Nguyễn Thị <b>Hạnh</b>" not in set(listed.get("Họ và tên", []))


@pytest.mark.usefixtures("editor_password")
def test_data_page_imports_a_zip_of_certificates(demo_engine: Engine) -> None:
    agency = _agency_in(demo_engine, "024")
    with session_scope(demo_engine) as session:
        before = session.exec(select(func.count()).select_from(Certificate)).one()
    ca = MadeCA.make()
    certificate = ca.issue(serial=0xC0FFEE, holder="Hầu Mí Say", agency=agency.name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cts/say.pem", pem(certificate))
    app = sign_in(run_page(DATA), EDITOR_PASSWORD)
    app.selectbox(key="data_entity").set_value("certificates").run()
    app.get("file_uploader")[0].set_value(("cts.zip", buffer.getvalue(), "application/zip"))
    app.run()
    app.button(key="data_import").click().run()
    assert not app.exception
    assert any("Đã nhập: 1 mới" in s.value for s in app.success), [e.value for e in app.error]
    with session_scope(demo_engine) as session:
        stored = session.exec(select(Certificate).where(Certificate.serial == "C0FFEE")).one()
        assert (stored.holder, stored.agency_id) == ("Hầu Mí Say", agency.id)
        assert session.exec(select(func.count()).select_from(Certificate)).one() == before + 1
