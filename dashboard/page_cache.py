"""Streamlit's cache around the heavy page data: everyone opening the map shares one
computation, and a page run that finds it does little more than send it.

Every entry is keyed on the database's data version (`data_version`), so anything written
to the database (an import, a probe round, an edit on the Data page) shows on the next
run. The time limit remains for what changes with time alone: a point whose last round
grows older than an hour loses its status, availability windows slide.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from dashboard.assets import TileSetting
from dashboard.data_version import data_version
from dashboard.map_page_data import MapData, MapView, load_map_data, map_view
from dashboard.queries.data_dates import latest_data_date
from dashboard.queries.readiness import province_readiness
from dashboard.queries.summary import headline_counts, province_names
from inventory.db import get_engine, session_scope
from inventory.settings import get_settings

TTL_S = 60  # probe rounds come every few minutes; a figure a minute old is current enough


def version(database_url: str) -> str | None:
    """The data version to pass to the functions below (read once per page run)."""
    return data_version(get_engine(database_url))


@st.cache_data(ttl=TTL_S, max_entries=8, show_spinner=False)
def map_data(
    database_url: str,
    *,
    version: str | None,
    level: str,
    province_code: str,
    at: date,
    start: date | None = None,
) -> MapData:
    """The level's shapes, readiness (or comparison) and points, whichever indicator and
    language."""
    with session_scope(get_engine(database_url)) as session:
        return load_map_data(
            session,
            level=level,
            province_code=province_code,
            at=at,
            start=start,
            now=datetime.now(UTC),
        )


@st.cache_data(ttl=TTL_S, max_entries=64, show_spinner=False)
def map_page(
    database_url: str,
    *,
    version: str | None,
    level: str,
    indicator_key: str,
    lang: str,
    province_code: str,
    at: date,
    start: date | None = None,
    show_points: bool,
    tiles: TileSetting | None,
) -> MapView:
    """The map as its frame draws it, the ranking and the points up: a run that finds it
    here builds nothing."""
    data = map_data(
        database_url,
        version=version,
        level=level,
        province_code=province_code,
        at=at,
        start=start,
    )
    return map_view(
        data,
        indicator_key=indicator_key,
        lang=lang,
        zone=get_settings().zone,
        tiles=tiles,
        show_points=show_points,
    )


@st.cache_data(ttl=TTL_S, max_entries=32, show_spinner=False)
def readiness(database_url: str, *, version: str | None, level: str, today: date) -> pd.DataFrame:
    with session_scope(get_engine(database_url)) as session:
        return province_readiness(session, level=level, at=today)


@st.cache_data(ttl=TTL_S, max_entries=8, show_spinner=False)
def headline(
    database_url: str, *, version: str | None, province_code: str, at: date
) -> dict[str, int]:
    with session_scope(get_engine(database_url)) as session:
        return headline_counts(session, province_code, at)


@st.cache_data(ttl=TTL_S, max_entries=8, show_spinner=False)
def latest_date(database_url: str, *, version: str | None, today: date) -> date:
    """The latest date with data, never after `today`: the pages open on it."""
    with session_scope(get_engine(database_url)) as session:
        return latest_data_date(session, today=today, zone=get_settings().zone)


@st.cache_data(ttl=TTL_S, max_entries=16, show_spinner=False)
def province_title(
    database_url: str, *, version: str | None, province_code: str, at: date
) -> list[str]:
    """The name(s) of the province(s) of `at`'s structure on the configured territory."""
    with session_scope(get_engine(database_url)) as session:
        return province_names(session, province_code, at)


def clear() -> None:
    st.cache_data.clear()
