"""The data network: every point's status (worst first), a Smokeping-style latency and loss
chart per point, incidents and availability; then the websites and e-service portals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.charts import smokeping
from dashboard.i18n import column_label, status_label
from dashboard.number_format import format_number, style_numbers
from dashboard.page_setup import page_setup
from dashboard.point_status import STATUSES
from dashboard.point_table import display_decimals, point_table, worst_first
from dashboard.queries.incidents import incident_frame
from dashboard.queries.points import availability_counts, point_views
from dashboard.queries.probe_history import point_history
from dashboard.queries.websites import website_views
from dashboard.website_table import website_decimals, website_table
from inventory.db import session_scope
from probes.history.availability import WINDOWS

ctx = page_setup(keep=("net_point", "net_window"))
t, lang, zone = ctx.t, ctx.lang, ctx.settings.zone
st.title(t("network_title"))

with session_scope(ctx.engine) as session:
    points = point_views(session, now=ctx.now)
    shares = {
        window: availability_counts(session, now=ctx.now, window=span)
        for window, span in WINDOWS.items()
    }
    websites = website_views(session, now=ctx.now)


def show_websites() -> None:
    """The websites' table: status, certificate days left, last update, availability."""
    st.subheader(t("websites_title"))
    if websites.empty:
        st.caption(t("no_websites"))
        return
    st.dataframe(
        style_numbers(
            website_table(websites, lang=lang, zone=zone), website_decimals(lang), lang=lang
        ),
        hide_index=True,
        placeholder=t("no_data"),
        width="stretch",
        key="net_websites",
    )


if points.empty:
    if websites.empty:
        st.info(t("no_data_yet"))
    else:
        show_websites()
    st.stop()

counts = points["status"].value_counts()
metrics = st.columns(len(STATUSES))
for column, status in zip(metrics, STATUSES, strict=True):
    column.metric(status_label(status, lang), format_number(int(counts.get(status, 0)), lang=lang))
if points["last_check"].isna().all():
    st.info(t("no_rounds"))

st.subheader(t("status_board"))
st.dataframe(
    style_numbers(point_table(points, lang=lang, zone=zone), display_decimals(lang), lang=lang),
    hide_index=True,
    placeholder=t("no_data"),
    width="stretch",
    height=360,
    key="net_board",
)

st.subheader(t("latency_chart"))
ranked = worst_first(points)
labels = {int(row.id): f"{row.code} — {row.name}" for row in ranked.itertuples(index=False)}
wanted = st.query_params.get("point")  # a link may name the point: ?point=HG-P019
by_code = {row.code: int(row.id) for row in ranked.itertuples(index=False)}
if wanted in by_code and st.session_state.get("_net_point_from_url") != wanted:
    st.session_state["net_point"] = by_code[wanted]
    st.session_state["_net_point_from_url"] = wanted
cols = st.columns([3, 1])
point_id = cols[0].selectbox(
    t("choose_point"), list(labels), format_func=labels.__getitem__, key="net_point"
)
window = cols[1].radio(
    t("window"), list(WINDOWS), format_func=lambda w: t(f"window_{w}"), key="net_window"
)
with session_scope(ctx.engine) as session:
    history = point_history(
        session, point_id=point_id, since=ctx.now - WINDOWS[window], until=ctx.now
    )
    incidents = incident_frame(session, now=ctx.now, since=ctx.now - WINDOWS[window])
if history.empty:
    st.caption(t("no_rounds"))
else:
    days = WINDOWS[window].total_seconds() / 86400
    latency, loss = smokeping(history, lang=lang, zone=zone, days=days)
    st.altair_chart(latency, width="stretch", height=340)
    st.altair_chart(loss, width="stretch", height=190)

st.subheader(t("incidents"))
if incidents.empty:
    st.caption(t("no_incidents"))
else:
    fmt = "%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M"
    shown = pd.DataFrame(
        {
            "code": incidents["code"],
            "name": incidents["name"],
            "agent": incidents["agent"],
            "down_from": pd.to_datetime(incidents["down_from"], utc=True)
            .dt.tz_convert(zone)
            .dt.strftime(fmt),
            "up_at": pd.to_datetime(incidents["up_at"], utc=True)
            .dt.tz_convert(zone)
            .dt.strftime(fmt)
            .fillna("—"),
            "duration_min": incidents["duration_min"],
        }
    ).rename(columns=lambda c: column_label(c, lang))
    st.dataframe(
        style_numbers(shown, {column_label("duration_min", lang): 0}, lang=lang),
        hide_index=True,
        placeholder=t("no_data"),
        width="stretch",
        key="net_incidents",
    )

st.subheader(t("availability"))
rows = []
for row in ranked.itertuples(index=False):
    entry = {"code": row.code, "name": row.name}
    for window_key in WINDOWS:
        rounds, up = shares[window_key].get(int(row.id), (0, 0))
        entry[f"availability_{window_key}_pct"] = 100 * up / rounds if rounds else float("nan")
    rows.append(entry)
availability = pd.DataFrame(rows).rename(columns=lambda c: column_label(c, lang))
st.dataframe(
    style_numbers(
        availability,
        {column_label(f"availability_{w}_pct", lang): 2 for w in WINDOWS},
        lang=lang,
    ),
    hide_index=True,
    placeholder=t("no_data"),
    width="stretch",
    key="net_availability",
)

show_websites()
