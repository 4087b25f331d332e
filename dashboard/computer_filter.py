"""Search and filters of the computer table (diacritics- and case-insensitive search)."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from inventory.text_keys import fold

SEARCHED = ["asset_tag", "agency_name", "manufacturer", "model", "os", "unit_name", "notes"]


def filter_computers(
    frame: pd.DataFrame,
    *,
    search: str = "",
    district: str | None = None,
    statuses: Collection[str] = (),
    kinds: Collection[str] = (),
) -> pd.DataFrame:
    """Rows matching every given filter; each word of `search` must occur in some column."""
    keep = pd.Series(True, index=frame.index)
    if district:
        keep &= frame["district_code"] == district
    if statuses:
        keep &= frame["status"].isin(list(statuses))
    if kinds:
        keep &= frame["kind"].isin(list(kinds))
    words = [fold(w) for w in search.split() if fold(w)]
    if words:
        haystack = frame[SEARCHED].fillna("").astype(str).agg(" ".join, axis=1).map(fold)
        for word in words:
            keep &= haystack.str.contains(word, regex=False)
    return frame[keep]
