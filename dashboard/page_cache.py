"""Streamlit's cache around the heavy page data: many people opening the map within a
minute share one computation. Edits made on the Data page clear it at once (`clear`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from dashboard.map_page_data import MapData, load_map_data
from dashboard.queries.readiness import readiness_or_none
from dashboard.queries.summary import headline_counts
from inventory.db import get_engine, session_scope

TTL_S = 60  # probe rounds come every few minutes; a figure a minute old is current enough


@st.cache_data(ttl=TTL_S, max_entries=32, show_spinner=False)
def map_data(
    database_url: str,
    *,
    level: str,
    indicator_key: str,
    lang: str,
    province_code: str,
    today: date,
) -> MapData:
    with session_scope(get_engine(database_url)) as session:
        return load_map_data(
            session,
            level=level,
            indicator_key=indicator_key,
            lang=lang,
            province_code=province_code,
            today=today,
            now=datetime.now(UTC),
        )


@st.cache_data(ttl=TTL_S, max_entries=32, show_spinner=False)
def readiness(database_url: str, *, level: str, today: date) -> pd.DataFrame | None:
    with session_scope(get_engine(database_url)) as session:
        return readiness_or_none(session, level=level, at=today)


@st.cache_data(ttl=TTL_S, max_entries=8, show_spinner=False)
def headline(database_url: str, *, province_code: str) -> dict[str, int]:
    with session_scope(get_engine(database_url)) as session:
        return headline_counts(session, province_code)


def clear() -> None:
    st.cache_data.clear()
