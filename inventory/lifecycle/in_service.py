"""Which computers were in service on a date: the one definition the indicators and the
replacement plan share.

A computer is in service on D when it was bought by D (its purchase date, else its purchase
year up to D's year; with no purchase data it counts, as the inventory has always counted it)
and not retired by D (`retired_on` empty or after D). Only machines in use count, as before:
status `in_use`, or `retired` with a `retired_on` after D (in use until then). A `retired`
machine with no `retired_on` never counts.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from inventory.models import Computer, ComputerStatus


def bought_by(at: date) -> ColumnElement[bool]:
    """Bought on or before `at` (or purchase unknown)."""
    purchased_on = col(Computer.purchase_date)
    year = col(Computer.purchase_year)
    return or_(
        purchased_on <= at,
        and_(purchased_on.is_(None), or_(year.is_(None), year <= at.year)),
    )


def not_retired_by(at: date) -> ColumnElement[bool]:
    """Not yet retired on `at`: no retirement day, or a later one."""
    retired_on = col(Computer.retired_on)
    return or_(retired_on.is_(None), retired_on > at)


def in_service_on(at: date) -> ColumnElement[bool]:
    """In use on `at` (see the module's docstring)."""
    status = col(Computer.status)
    return and_(
        bought_by(at),
        or_(
            and_(status == ComputerStatus.in_use, not_retired_by(at)),
            and_(status == ComputerStatus.retired, col(Computer.retired_on) > at),
        ),
    )
