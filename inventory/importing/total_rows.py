"""Total rows of a report (Tổng cộng, Tổng số, Cộng): recognised, checked, never stored.

A total row is checked against the data rows since the previous total row (a subtotal of
a group) or, failing that, against every data row above it (the grand total).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from inventory.importing.fields import INVALID, Fields
from inventory.importing.readers import Cell
from inventory.importing.values import whole
from inventory.text_keys import fold

TOTAL_WORDS = ("tong cong", "tong so", "cong", "tong")


def is_total_row(row: Sequence[Cell], skip: Collection[int]) -> bool:
    """A row with a cell reading "Tổng cộng", "Tổng số", "Cộng" or "Tổng" (case, diacritics
    and a trailing colon ignored; "Tổng cộng toàn tỉnh" too), outside the columns `skip`."""
    for position, cell in enumerate(row):
        if position in skip or not isinstance(cell, str):
            continue
        key = fold(cell)
        if key in TOTAL_WORDS or key.startswith(("tong cong ", "tong so ")):
            return True
    return False


def check_totals(
    totals: Fields,
    total_at: list[int],
    parsed: dict[str, list[Any]],
) -> None:
    """Each total row's figures against the sum of the data rows above it.

    `total_at[t]` is how many data rows lie above total row t; `parsed` holds the data rows'
    figures (None blank, INVALID bad: a column with a bad cell above is not checked)."""
    found_in = {name: totals.parse(name, whole) for name in parsed if totals.has(name)}
    previous = 0
    for t, above in enumerate(total_at):
        for name, found_values in found_in.items():
            values, found = parsed[name], found_values[t]
            if found is None or found is INVALID:
                continue
            group = values[previous:above]
            everything = values[:above]
            if any(v is INVALID for v in everything):
                continue
            sums = {sum(v or 0 for v in group), sum(v or 0 for v in everything)}
            if found not in sums:
                expected = f"{sum(v or 0 for v in everything):,}"
                if previous:
                    expected = f"{sum(v or 0 for v in group):,} since the previous total row"
                    expected += f" ({sum(v or 0 for v in everything):,} with all above)"
                totals.fail(
                    t, name, found, f"total row: the rows above add up to {expected}, not {found:,}"
                )
        previous = above
