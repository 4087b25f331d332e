"""Certificates on the dashboard: the district page's counts and renewal list, and the Data
page importing certificate files through the same importer as the CLI."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import select

from inventory.db import session_scope
from inventory.models import Agency, Certificate
from inventory.settings import get_settings
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
    today = datetime.now(get_settings().zone).date()  # the page's today, in Vietnam
    agency = _agency_in(demo_engine, "026")
    soon = today + timedelta(days=20)
    rows = [
        ["Số hiệu chứng thư", "Họ và tên", "Chức vụ", "Cơ quan/đơn vị", "Ngày hiệu lực",
         "Ngày hết hạn"],
        ["EEEE01", "Nguyễn Thị <b>Hạnh</b>", "Phó Chủ tịch", agency.name,
         (today - timedelta(days=400)).strftime("%d/%m/%Y"), soon.strftime("%d/%m/%Y")],
    ]  # fmt: skip
    report = do_import(demo_engine, "certificates", write_csv(tmp_path / "c.csv", rows))
    assert report.ok, report.lines()
    with demo_engine.connect() as connection:
        # The demo's five-year certificates all ended by December 2025: only ours is valid.
        signers = connection.execute(
            text(
                "SELECT SUM(a.signing_officials) FROM agency a JOIN admin_unit u "
                "ON u.code = a.unit_code WHERE u.code = '026' OR u.parent_code = '026'"
            )
        ).scalar_one()
    app = run_page(DISTRICT, code="026")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Số chứng thư số hết hạn trong 90 ngày tới"] == "1"
    assert metrics[
        "Số người ký số chưa có chứng thư số còn hiệu lực"
    ] == f"{signers - 1:,}".replace(",", ".")
    expiring = app.dataframe[-1].value
    assert list(expiring["Họ và tên"]) == ["Nguyễn Thị <b>Hạnh</b>"]  # shown as typed
    assert list(expiring["Cơ quan"]) == [agency.name]
    assert list(expiring["Ngày hết hạn"]) == [soon.strftime("%d/%m/%Y")]
    assert list(expiring["Còn (ngày)"]) == [20]

    other = run_page(DISTRICT, code="024")
    assert any("Không có chứng thư số nào hết hạn trong 90 ngày tới" in i.value for i in other.info)


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
