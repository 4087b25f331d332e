"""Home: the readiness map at a date, connection points by status, and the province's
headline figures. At a date up to 2025-06-30 the map shows the 2020 districts (or
communes); from 2025-07-01, the communes of the two-level structure. Compare mode colours
each unit by its change since an earlier date. Clicking a district opens its page.

`?at=2020-12-31&level=commune&indicator=internet_share_pct&from=2020-12-31` in the address
opens the map on that choice.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import page_cache
from dashboard.assets import tile_setting
from dashboard.date_choice import choose_date, url_date
from dashboard.i18n import column_label, indicator_label
from dashboard.indicator_choice import CHOICES
from dashboard.map_component import clicked_unit, show_map
from dashboard.map_page_data import LEVELS, levels_at
from dashboard.markdown_text import plain
from dashboard.number_format import format_day, format_number, format_value, style_numbers
from dashboard.page_setup import page_setup
from dashboard.queries.units import unit_frame
from inventory.db import session_scope
from inventory.eras import ERA_2020, era_at

DISTRICT_PAGE = "dashboard/pages/district.py"
MAP_KEY = "map"
GOTO_KEY = "_goto_unit"
DECIMALS = {"index": 3, "%": 1, "years": 1, "ms": 1, "ratio": 2, "count": 0}
# Compare mode's first date unless chosen: the end of the year the 2020 structure is named
# for, the province's published figures.
COMPARE_FROM = date(ERA_2020.year, 12, 31)

ctx = page_setup(keep=("map_indicator", "map_level", "map_points", "map_date", "map_compare",
                       "map_from"))  # fmt: skip
t, lang = ctx.t, ctx.lang
province = ctx.settings.province_code
# A click on the map (its callback ran before this run) opens the district at once.
target = st.session_state.pop(GOTO_KEY, None)
if target is not None:
    with session_scope(ctx.engine) as session:
        units = unit_frame(session).set_index("code")
    district = units["district_code"].get(target)
    if isinstance(district, str):
        st.switch_page(DISTRICT_PAGE, query_params={"code": district})

url = ctx.settings.database_url
version = page_cache.version(url)
latest = page_cache.latest_date(url, version=version, today=ctx.today)

# A shared link chooses the level and indicator once; the widgets rule after that.
for param, key, allowed in (
    ("level", "map_level", LEVELS),
    ("indicator", "map_indicator", CHOICES),
):
    wanted = st.query_params.get(param)
    if wanted in allowed and st.session_state.get(f"_{key}_from_url") != wanted:
        st.session_state[key] = wanted
        st.session_state[f"_{key}_from_url"] = wanted
if url_date("from") is not None and not st.session_state.get("_map_compare_from_url"):
    st.session_state["map_compare"] = st.session_state["_map_compare_from_url"] = True

title_slot = st.empty()
controls = st.columns([2, 3, 2, 2])
at = choose_date(
    controls[0], key="map_date", label_key="map_date", default=latest, last=ctx.today,
    lang=lang, param="at",
)  # fmt: skip
key = controls[1].selectbox(
    t("indicator_shown"),
    CHOICES,
    format_func=lambda k: indicator_label(k, lang),
    key="map_indicator",
)
levels = levels_at(at)
if len(levels) > 1:
    st.session_state.setdefault("map_level", levels[0])
    level = controls[2].radio(
        t("units_shown"),
        list(levels),
        format_func=lambda v: t(f"level_{v}"),
        key="map_level",
        horizontal=True,
    )
else:  # the two-level structure: communes only (the 2020 choice is kept for 2020 dates)
    level = levels[0]
    controls[2].markdown(f"**{t('units_shown')}**  \n{t('sum_communes')}")
st.session_state.setdefault("map_points", True)  # not value=: kept across pages
show_points = controls[3].toggle(t("show_points"), key="map_points")
st.session_state.setdefault("map_compare", False)
compare = controls[3].toggle(t("compare_mode"), key="map_compare")
start = None
if compare:
    start = choose_date(
        controls[0], key="map_from", label_key="compare_from", default=COMPARE_FROM,
        last=ctx.today, lang=lang, param="from",
    )  # fmt: skip
    if start >= at:
        st.warning(t("compare_order"))
        start = None

names = page_cache.province_title(url, version=version, province_code=province, at=at)
title_slot.title(t("map_title_of", province=plain(", ".join(names))) if names else t("map_title"))
st.caption(t(f"era_{era_at(at).year}"))

view = page_cache.map_page(
    url,
    version=version,
    level=level,
    indicator_key=key,
    lang=lang,
    province_code=province,
    at=at,
    start=start,
    show_points=show_points,
    tiles=tile_setting(),
)
# The strip is filled after the map is sent, so the browser starts loading the map sooner.
strip_slot, notes_slot = st.container(), st.container()


def _remember_click() -> None:
    code = clicked_unit(st.session_state.get(MAP_KEY))
    if code is not None:
        st.session_state[GOTO_KEY] = code


if view.frame is None:
    st.warning(t("no_boundaries"))
else:
    show_map(view.frame, key=MAP_KEY, height=620, on_change=_remember_click)
    if "district" in levels:
        st.caption(t("click_district"))

# The province summary strip, above the map.
counts = page_cache.headline(url, version=version, province_code=province, at=at)
province_table = page_cache.readiness(url, version=version, level="province", today=at)
with strip_slot:
    strip = st.columns(6)
    units_label = t("sum_districts") if "district" in levels else t("sum_communes")
    strip[0].metric(units_label, format_number(counts["units"], lang=lang))
    strip[1].metric(t("sum_agencies"), format_number(counts["agencies"], lang=lang))
    strip[2].metric(t("sum_officials"), format_number(counts["officials"], lang=lang))
    strip[3].metric(t("sum_computers"), format_number(counts["computers_in_use"], lang=lang))
    headline = "computers_per_official_pct"
    headline_value = province_table[headline].iloc[0] if len(province_table) else None
    strip[4].metric(
        t("sum_computer_ratio"),
        format_value(headline_value, "%", lang=lang),
        help=indicator_label(headline, lang),
    )
    up, total = (format_number(n, lang=lang) for n in (view.points_up, view.points_total))
    strip[5].metric(t("sum_points_up"), f"{up}/{total}")
with notes_slot:
    st.caption(f"{t('as_of')} {format_day(at, lang=lang)}")
    if start is not None:
        st.caption(
            t(
                "change_caption",
                start=format_day(start, lang=lang),
                end=format_day(at, lang=lang),
                level=(t(f"level_{level}") if "district" in levels else t("sum_communes")).lower(),
            )
        )
        if view.divided:
            st.caption(t("compare_divided", count=view.divided))
    if view.without_data:
        st.caption(t("units_no_data", count=view.without_data))

# The ranking opens on demand: a table widget costs the browser ~1.6 MB of script to fetch
# and run, which would otherwise compete with the map for the first view.
label = view.indicator.label
ranked = view.values.sort_values(["rank", "name"], na_position="last")
shown = ranked[["rank", "name", "value"]].rename(
    columns={
        "rank": column_label("rank", lang),
        "name": column_label("name", lang),
        "value": label,
    }
)
with st.popover(t("ranking"), icon=":material/format_list_numbered:", width="stretch"):
    st.caption(label)
    st.dataframe(
        style_numbers(shown, {label: DECIMALS.get(view.indicator.unit, 1)}, lang=lang),
        hide_index=True,
        placeholder=t("no_data"),
        width="stretch",
        key="map_table",
    )
