"""One district: its indicators beside the province's, agencies with officials and computers,
computers by age, its connection points and their latency, and the index over the periods.

Districts exist up to 2025-06-30: the figures are of a date of the 2020 structure, the
map's date when it is one, else the latest such date with data (`?at=` chooses one)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard import page_cache
from dashboard.charts import age_histogram, index_trend, latency_lines
from dashboard.date_choice import choose_date
from dashboard.i18n import AGENCY_KIND, column_label, enum_label, indicator_label
from dashboard.markdown_text import plain
from dashboard.number_format import format_day, format_value, style_numbers
from dashboard.page_setup import page_setup
from dashboard.point_table import display_decimals, point_table
from dashboard.queries.agencies import district_agencies
from dashboard.queries.certificates import district_expiring
from dashboard.queries.computers import computer_frame, computers_by_age
from dashboard.queries.points import point_views
from dashboard.queries.probe_history import median_history
from dashboard.queries.units import districts
from inventory.db import session_scope
from inventory.eras import ERA_2020
from readiness.certificates import EXPIRY_WARNING_DAYS
from readiness.indicators.catalog import INDICATORS
from readiness.snapshots import snapshot_trend

ctx = page_setup(keep=("district_code", "district_date"))
t, lang = ctx.t, ctx.lang
url = ctx.settings.database_url
version = page_cache.version(url)

with session_scope(ctx.engine) as session:
    options = districts(session, ctx.settings.province_code)
if options.empty:
    st.info(t("no_data_yet"))
    st.stop()
codes = options["code"].tolist()
names = dict(zip(options["code"], options["name"], strict=True))
wanted = st.query_params.get("code")
if wanted in names and st.session_state.get("_district_from_url") != wanted:
    # A link or a click on the map chose the district: it wins over the last selection.
    st.session_state["district_code"] = wanted
    st.session_state["_district_from_url"] = wanted
code = st.sidebar.selectbox(
    t("choose_district"), codes, format_func=names.__getitem__, key="district_code"
)
st.query_params["code"] = code
st.session_state["_district_from_url"] = code
last_day = min(ctx.today, ERA_2020.valid_to or ctx.today)
on_map = st.session_state.get("map_date", st.session_state.get("_keep_map_date"))
if isinstance(on_map, date) and on_map <= last_day:
    default = on_map
else:
    default = min(page_cache.latest_date(url, version=version, today=ctx.today), last_day)
at = choose_date(
    st.sidebar, key="district_date", label_key="district_date", default=default,
    last=last_day, lang=lang, param="at",
)  # fmt: skip
st.title(plain(names[code]))
st.caption(f"{t('as_of')} {format_day(at, lang=lang)}. {t('district_era_note')}")

with session_scope(ctx.engine) as session:
    agencies = district_agencies(session, code, at=at)
    computers = computer_frame(session)
    points = point_views(session, now=ctx.now)
    points = points[points["district_code"] == code]
    history = median_history(
        session,
        point_ids=points["id"].tolist(),
        since=ctx.now - timedelta(days=7),
        until=ctx.now,
    )
    trend = snapshot_trend(session, level="district", unit_code=code)
    expiring = district_expiring(session, code, at=at)

table = page_cache.readiness(url, version=version, level="district", today=at)
province = page_cache.readiness(url, version=version, level="province", today=at)
st.subheader(t("indicators_of_district"))
row = table.set_index("code").loc[code]
province_row = province.iloc[0] if len(province) else None
keys = ["index", *INDICATORS]
units = {k: ("index" if k == "index" else INDICATORS[k].unit) for k in keys}
rows = [
    {
        column_label("indicator", lang): indicator_label(k, lang),
        column_label("value", lang): format_value(row[k], units[k], lang=lang),
        column_label("province_value", lang): format_value(
            None if province_row is None else province_row[k], units[k], lang=lang
        ),
    }
    for k in keys
]
rank = row["rank"]
if pd.notna(rank):
    st.metric(
        t("rank"),
        t("rank_of", rank=int(rank), total=int(table["rank"].notna().sum())),
    )
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    placeholder=t("no_data"),
    width="stretch",
    key="district_indicators",
)

st.subheader(t("agencies"))
shown = agencies.assign(kind=[enum_label(AGENCY_KIND, k, lang) for k in agencies["kind"]])
shown = shown[
    ["name", "kind", "unit_name", "officials", "signing_officials", "computers_in_use",
     "computers_per_official_pct"]
].rename(columns=lambda c: column_label(c, lang))  # fmt: skip
st.dataframe(
    style_numbers(
        shown,
        {
            column_label("officials", lang): 0,
            column_label("signing_officials", lang): 0,
            column_label("computers_in_use", lang): 0,
            column_label("computers_per_official_pct", lang): 1,
        },
        lang=lang,
    ),
    hide_index=True,
    placeholder=t("no_data"),
    width="stretch",
    key="district_agencies",
)

left, right = st.columns(2)
with left:
    st.subheader(t("computers_by_age"))
    mine = computers[computers["district_code"] == code]
    ages = computers_by_age(mine, year=at.year)
    if ages.empty:
        st.info(t("no_data_yet"))
    else:
        st.altair_chart(age_histogram(ages, lang=lang), width="stretch", height=300)
with right:
    st.subheader(t("index_trend"))
    if trend.empty:
        st.caption(t("no_snapshots"))
    else:
        st.altair_chart(index_trend(trend, lang=lang), width="stretch", height=300)

st.subheader(t("district_points"))
if points.empty:
    st.info(t("no_data_yet"))
else:
    st.dataframe(
        style_numbers(
            point_table(points, lang=lang, zone=ctx.settings.zone),
            display_decimals(lang),
            lang=lang,
        ),
        hide_index=True,
        placeholder=t("no_data"),
        width="stretch",
        key="district_points",
    )
    st.subheader(t("latency_history"))
    if history.empty:
        st.caption(t("no_rounds"))
    else:
        labels = dict(zip(points["id"], points["name"], strict=True))
        history = history.assign(point=history["point_id"].map(labels))
        st.altair_chart(
            latency_lines(history, lang=lang, zone=ctx.settings.zone), width="stretch", height=360
        )

st.subheader(t("district_certificates"))
figures = st.columns(3)
for column, key in zip(
    figures,
    [
        "valid_certificates_per_signing_official",
        "signing_officials_without_certificate",
        "certificates_expiring_90d",
    ],
    strict=True,
):
    column.metric(indicator_label(key, lang), format_value(row[key], units[key], lang=lang))
st.caption(t("expiring_certificates", days=EXPIRY_WARNING_DAYS))
if expiring.empty:
    st.info(t("no_expiring_certificates", days=EXPIRY_WARNING_DAYS))
else:
    shown_expiring = expiring.assign(
        expires_on=[d.strftime("%d/%m/%Y") for d in expiring["expires_on"]]
    ).rename(columns=lambda c: column_label(c, lang))
    st.dataframe(
        shown_expiring,
        hide_index=True,
        placeholder=t("no_data"),
        width="stretch",
        key="district_expiring",
    )
