"""The pages show the configured province's units, ranked among themselves, even when the
database holds other provinces too (a shared national database)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from dashboard.queries.readiness import province_readiness
from inventory.admin_units import load_units

AT = date(2020, 12, 31)


def test_pages_read_the_configured_province_only(demo_engine, monkeypatch) -> None:
    with Session(demo_engine) as session:
        own = province_readiness(session, level="district", at=AT)
        load_units(session, province_code="04")  # Cao Bằng beside Hà Giang
        session.commit()
        shared = province_readiness(session, level="district", at=AT)
        monkeypatch.setenv("ICTR_PROVINCE_CODE", "04")
        from inventory.settings import get_settings

        get_settings.cache_clear()
        try:
            other = province_readiness(session, level="district", at=AT)
        finally:
            monkeypatch.delenv("ICTR_PROVINCE_CODE")
            get_settings.cache_clear()
    assert len(own) == 11 and set(own["parent_code"]) == {"02"}
    assert shared["code"].tolist() == own["code"].tolist()
    assert shared["rank"].tolist() == own["rank"].tolist()
    assert set(other["parent_code"]) == {"04"} and len(other) > 5
    assert other["index"].isna().all()  # no data there: no index, no rank
