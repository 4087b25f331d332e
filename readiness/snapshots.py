"""Store a period's figures so that trends can be drawn; a rerun replaces the same period."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session, col, delete, select

from inventory.models import IndicatorSnapshot
from readiness.table import readiness_table


def take_snapshot(
    session: Session, *, period: str, at: date, levels: list[str], **table_options: object
) -> int:
    """Replace the period's stored values for these levels; returns rows written."""
    written = 0
    for level in levels:
        table = readiness_table(session, level=level, at=at, **table_options)  # type: ignore[arg-type]
        session.exec(
            delete(IndicatorSnapshot).where(
                col(IndicatorSnapshot.period) == period, col(IndicatorSnapshot.level) == level
            )
        )
        value_columns = [
            c for c in table.columns if c not in ("code", "name", "parent_code", "rank")
        ]
        rows = [
            IndicatorSnapshot(
                period=period,
                level=level,
                unit_code=str(unit["code"]),
                indicator=column,
                value=None if pd.isna(unit[column]) else float(unit[column]),
            )
            for unit in table.to_dict("records")
            for column in value_columns
        ]
        session.add_all(rows)
        written += len(rows)
    session.flush()
    return written


def snapshot_trend(
    session: Session, *, level: str, unit_code: str, indicator: str = "index"
) -> pd.DataFrame:
    """Stored values of one indicator for one unit, by period (for trend charts)."""
    rows = session.exec(
        select(IndicatorSnapshot.period, IndicatorSnapshot.value)
        .where(
            IndicatorSnapshot.level == level,
            IndicatorSnapshot.unit_code == unit_code,
            IndicatorSnapshot.indicator == indicator,
        )
        .order_by(IndicatorSnapshot.period)
    ).all()
    return pd.DataFrame(rows, columns=["period", "value"])
