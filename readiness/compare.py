"""The same territory at two dates: the records of the first date counted on the units of the
second date's structure, beside the second date's own figures, with the change.

From a 2020 date to a 2025-era one, the 2020 records are re-aggregated onto the 2025 communes
through the correspondence (and a dissolved agency's records go where its successor counts):
numerators and denominators are summed over the new commune, then divided, never averaged. A
2020 commune that was divided among several 2025 communes gives all its records to its default
part; `Comparison.divided` lists those communes, so the output can say so. The dashboard's
compare mode and `ictr indicators compare` both call `compare_dates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select, union_all
from sqlmodel import Session, col

from inventory.errors import IctrError
from inventory.models import AdminUnit, Agency, ConnectionPoint, UnitCorrespondence
from readiness.index import IndexConfig
from readiness.indicators import INDICATORS
from readiness.lifecycle_view import AgePolicy
from readiness.table import unit_figures, wide_table

# What is compared: every indicator, the pillar scores and the index (ranks are not: a rank
# moves with the other units).
UNIT_COLUMNS = ["code", "name", "parent_code"]


@dataclass(frozen=True)
class Comparison:
    level: str
    start: date
    end: date
    # One row per unit of `end`'s structure: code, name, parent_code, then per compared
    # figure `<key>_from`, `<key>_to`, `<key>_change` (to - from; NaN when either is no data).
    table: pd.DataFrame
    keys: list[str]
    # The divided units of `start` whose records counted in the compared units, each with
    # the part they went to: code, name, default_code, default_name, parts (all new codes).
    divided: pd.DataFrame


def compare_dates(
    session: Session,
    *,
    level: str,
    start: date,
    end: date,
    config: IndexConfig | None = None,
    policy: AgePolicy | None = None,
    within: str | None = None,
) -> Comparison:
    """`start`'s figures re-aggregated onto `end`'s units of `level`, beside `end`'s own."""
    if start > end:
        raise IctrError(
            f"--from {start.isoformat()} is after --to {end.isoformat()}: "
            "the earlier date goes first"
        )
    before = wide_table(
        unit_figures(session, level=level, at=start, policy=policy, within=within, onto=end), config
    )
    after = wide_table(
        unit_figures(session, level=level, at=end, policy=policy, within=within), config
    )
    assert before["code"].tolist() == after["code"].tolist()  # the same units, in order
    keys = [
        *INDICATORS,
        *(c for c in after.columns if c.startswith("pillar_")),
        "index",
    ]
    table = after[UNIT_COLUMNS].copy()
    for key in keys:
        table[f"{key}_from"] = before[key].to_numpy(dtype=float)
        table[f"{key}_to"] = after[key].to_numpy(dtype=float)
        table[f"{key}_change"] = table[f"{key}_to"] - table[f"{key}_from"]
    divided = _divided(session, set(table["code"]), level=level)
    return Comparison(level, start, end, table, keys, divided)


def _divided(session: Session, units: set[str], *, level: str) -> pd.DataFrame:
    """The divided old units holding records (agencies, points) whose default part lies in
    `units` (at commune level; higher up, the default part's ancestors)."""
    columns = ["code", "name", "default_code", "default_name", "parts"]
    parts: dict[str, list[str]] = {}
    default: dict[str, str] = {}
    for old, new, is_default in session.execute(
        select(
            col(UnitCorrespondence.old_code),
            col(UnitCorrespondence.new_code),
            col(UnitCorrespondence.is_default),
        )
    ):
        parts.setdefault(old, []).append(new)
        if is_default:
            default[old] = new
    split = {old for old, new in parts.items() if len(new) > 1}
    if not split:
        return pd.DataFrame(columns=columns)
    holding = set(
        session.execute(
            union_all(
                select(col(Agency.unit_code)).where(col(Agency.unit_code).in_(sorted(split))),
                select(col(ConnectionPoint.unit_code)).where(
                    col(ConnectionPoint.unit_code).in_(sorted(split))
                ),
            )
        ).scalars()
    )
    names = dict(
        session.execute(
            select(col(AdminUnit.code), col(AdminUnit.name)).where(
                col(AdminUnit.code).in_(sorted(holding | set(default.values())))
            )
        ).all()
    )
    parents = dict(
        session.execute(
            select(col(AdminUnit.code), func.coalesce(col(AdminUnit.parent_code), ""))
        ).all()
    )

    def lands_in(code: str) -> bool:
        # The default part, or (above commune level) the unit above it, is compared.
        return code in units or (level != "commune" and parents.get(code) in units)

    rows = [
        (old, names.get(old, old), default[old], names.get(default[old], ""), sorted(parts[old]))
        for old in sorted(holding)
        if old in default and lands_in(default[old])
    ]
    return pd.DataFrame(rows, columns=columns)
