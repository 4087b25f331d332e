"""The constraints that protect data hold in the database itself, not only in Python."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from inventory.models import (
    Agency,
    AgencyKind,
    Certificate,
    Computer,
    ConnectionPoint,
    Incident,
)
from tests.conftest import add_province


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        add_province(session)
        session.add(
            Agency(
                code="A1",
                name="Sở Thông tin và Truyền thông",
                kind=AgencyKind.provincial,
                unit_code="02",
                officials=40,
                signing_officials=10,
            )
        )
        session.commit()
        yield session


def agency_id(session: Session) -> int:
    return session.exec(text("SELECT id FROM agency WHERE code = 'A1'")).scalar_one()  # type: ignore[call-overload]


def test_duplicate_asset_tag_is_refused(session: Session) -> None:
    aid = agency_id(session)
    session.add(Computer(asset_tag="HG-0001", agency_id=aid))
    session.commit()
    session.add(Computer(asset_tag="HG-0001", agency_id=aid))
    with pytest.raises(IntegrityError, match="asset_tag"):
        session.commit()


def test_duplicate_point_code_is_refused(session: Session) -> None:
    for _ in range(2):
        session.add(ConnectionPoint(code="P1", name="Điểm 1", unit_code="02", address="127.0.0.2"))
    with pytest.raises(IntegrityError):
        session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE agency SET officials = -1, signing_officials = 0",
        "UPDATE agency SET signing_officials = -3",
        "UPDATE agency SET signing_officials = 41",  # more signers than officials
        "UPDATE agency SET kind = 'ministry'",  # not one of the kinds
    ],
)
def test_bad_agency_values_are_refused(session: Session, statement: str) -> None:
    with pytest.raises(IntegrityError, match="(?i)check constraint"):
        session.exec(text(statement))  # type: ignore[call-overload]


def test_negative_cost_and_received_over_sent_are_refused(session: Session) -> None:
    aid = agency_id(session)
    session.add(Computer(asset_tag="X", agency_id=aid))
    session.commit()
    with pytest.raises(IntegrityError, match="(?i)check constraint"):
        session.exec(text("UPDATE computer SET purchase_cost = -5"))  # type: ignore[call-overload]
    session.rollback()
    with pytest.raises(IntegrityError, match="(?i)check constraint"):
        session.exec(text("UPDATE computer SET purchase_date = '2020-01-01'"))  # type: ignore[call-overload]


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Computer(asset_tag="ORPHAN", agency_id=999))
    with pytest.raises(IntegrityError, match="(?i)foreign key"):
        session.commit()


def test_certificate_cannot_expire_before_issue(session: Session) -> None:
    session.add(
        Certificate(
            serial="S1",
            holder="Lò Văn Minh",
            agency_id=agency_id(session),
            issued_on=date(2020, 5, 1),
            expires_on=date(2020, 4, 30),
        )
    )
    with pytest.raises(IntegrityError, match="(?i)check constraint"):
        session.commit()


def test_times_are_stored_in_utc_and_naive_times_refused(session: Session) -> None:
    point = ConnectionPoint(code="P1", name="Điểm 1", unit_code="02", address="127.0.0.2")
    session.add(point)
    session.commit()
    from zoneinfo import ZoneInfo

    local = datetime(2026, 11, 26, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    session.add(Incident(point_id=point.id, down_from=local))
    session.commit()
    stored = session.exec(text("SELECT down_from FROM incident")).scalar_one()  # type: ignore[call-overload]
    assert str(stored).startswith("2026-11-26 01:00:00")
    session.expire_all()
    incident = session.get(Incident, 1)
    assert incident is not None and incident.down_from == datetime(2026, 11, 26, 1, tzinfo=UTC)
    assert incident.down_from.tzinfo is not None
    session.add(Incident(point_id=point.id, down_from=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()
