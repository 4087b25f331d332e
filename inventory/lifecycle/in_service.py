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
    """Bought on or before `at` (or purchase unknown). A purchase date always comes with its
    year (a check constraint), so the year decides unless it is `at`'s own; the cheap test
    first, as most machines were bought in an earlier year."""
    purchased_on = col(Computer.purchase_date)
    year = col(Computer.purchase_year)
    return or_(
        year < at.year,
        year.is_(None),
        and_(year == at.year, or_(purchased_on.is_(None), purchased_on <= at)),
    )


def not_retired_by(at: date) -> ColumnElement[bool]:
    """Not yet retired on `at`: no retirement day, or a later one."""
    retired_on = col(Computer.retired_on)
    return or_(retired_on.is_(None), retired_on > at)


def in_service_on(at: date) -> ColumnElement[bool]:
    """In use on `at` (see the module's docstring)."""
    status = col(Computer.status)
    # The status test first: it alone rules out spare and broken machines.
    return and_(
        or_(
            status == ComputerStatus.in_use,
            and_(status == ComputerStatus.retired, col(Computer.retired_on).is_not(None)),
        ),
        not_retired_by(at),
        bought_by(at),
    )
