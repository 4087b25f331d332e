"""Home: the readiness map of the districts (or communes), connection points by status,
and the province's headline figures. Clicking a district opens its page.

`?level=commune&indicator=internet_share_pct` in the address opens the map on that choice.
"""

from __future__ import annotations

import streamlit as st

from dashboard import page_cache
from dashboard.assets import tile_setting
from dashboard.i18n import column_label, indicator_label
from dashboard.indicator_choice import CHOICES
from dashboard.map_component import clicked_unit, show_map
from dashboard.map_page_data import LEVELS
from dashboard.number_format import format_number, format_value, style_numbers
from dashboard.page_setup import page_setup
from dashboard.queries.units import unit_frame
from inventory.db import session_scope

DISTRICT_PAGE = "dashboard/pages/district.py"
MAP_KEY = "map"
GOTO_KEY = "_goto_unit"
DECIMALS = {"index": 3, "%": 1, "years": 1, "ms": 1, "ratio": 2, "count": 0}

ctx = page_setup(keep=("map_indicator", "map_level", "map_points"))
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
st.title(t("map_title"))

# A shared link chooses the level and indicator once; the widgets rule after that.
for param, key, allowed in (
    ("level", "map_level", LEVELS),
    ("indicator", "map_indicator", CHOICES),
):
    wanted = st.query_params.get(param)
    if wanted in allowed and st.session_state.get(f"_{key}_from_url") != wanted:
        st.session_state[key] = wanted
        st.session_state[f"_{key}_from_url"] = wanted

controls = st.columns([3, 2, 2])
key = controls[0].selectbox(
    t("indicator_shown"),
    CHOICES,
    format_func=lambda k: indicator_label(k, lang),
    key="map_indicator",
)
level = controls[1].radio(
    t("units_shown"),
    list(LEVELS),
    format_func=lambda v: t(f"level_{v}"),
    key="map_level",
    horizontal=True,
)
st.session_state.setdefault("map_points", True)  # not value=: kept across pages
show_points = controls[2].toggle(t("show_points"), key="map_points")

url = ctx.settings.database_url
version = page_cache.version(url)
view = page_cache.map_page(
    url,
    version=version,
    level=level,
    indicator_key=key,
    lang=lang,
    province_code=province,
    today=ctx.today,
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
    st.caption(t("click_district"))

# The province summary strip, above the map.
counts = page_cache.headline(url, version=version, province_code=province)
province_table = page_cache.readiness(url, version=version, level="province", today=ctx.today)
with strip_slot:
    strip = st.columns(6)
    strip[0].metric(t("sum_districts"), format_number(counts["districts"], lang=lang))
    strip[1].metric(t("sum_agencies"), format_number(counts["agencies"], lang=lang))
    strip[2].metric(t("sum_officials"), format_number(counts["officials"], lang=lang))
    strip[3].metric(t("sum_computers"), format_number(counts["computers_in_use"], lang=lang))
    headline = "computers_per_official_pct"
    headline_value = province_table[headline].iloc[0]
    strip[4].metric(
        t("sum_computer_ratio"),
        format_value(headline_value, "%", lang=lang),
        help=indicator_label(headline, lang),
    )
    up, total = (format_number(n, lang=lang) for n in (view.points_up, view.points_total))
    strip[5].metric(t("sum_points_up"), f"{up}/{total}")
with notes_slot:
    st.caption(f"{t('as_of')} {ctx.today.strftime('%d/%m/%Y')}")

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
