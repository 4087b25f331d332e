"""The date a page's figures are of, chosen in a date box: the administrative structure
valid that day decides which units there are (`inventory.eras`).

A page opens on the latest date that has data (`queries.data_dates`); `?at=2020-12-31` in
the address chooses once, the box rules after that.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.i18n import tr

EARLIEST = date(2000, 1, 1)  # before any record the province keeps
FORMATS = {"vi": "DD/MM/YYYY", "en": "YYYY-MM-DD"}


def url_date(param: str) -> date | None:
    """A date given in the address (`?at=2020-12-31`); None if absent or not a date."""
    text = st.query_params.get(param)
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def choose_date(
    where: DeltaGenerator,
    *,
    key: str,
    label_key: str,
    default: date,
    last: date,
    lang: str,
    param: str | None = None,
) -> date:
    """A date box between 2000-01-01 and `last`, starting on `default` (or the address's
    `param`, once); a value kept from before that lies outside is brought inside."""
    wanted = url_date(param) if param else None
    if wanted is not None and st.session_state.get(f"_{key}_from_url") != wanted:
        st.session_state[key] = wanted
        st.session_state[f"_{key}_from_url"] = wanted
    current = st.session_state.get(key)
    if not isinstance(current, date):
        current = default
    st.session_state[key] = min(max(current, EARLIEST), last)
    chosen = where.date_input(
        tr(label_key, lang),
        min_value=EARLIEST,
        max_value=last,
        format=FORMATS.get(lang, FORMATS["en"]),
        key=key,
    )
    return chosen if isinstance(chosen, date) else default
