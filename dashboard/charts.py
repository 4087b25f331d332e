"""Vega-Lite charts (Altair, rendered by Streamlit's bundled Vega: nothing is fetched).

Axes and tooltips format numbers the way the page's language does (1.234,5 in Vietnamese)
through Vega's locale setting, and times are shown in the display time zone.
"""

from __future__ import annotations

from typing import TypeVar
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd

from dashboard.i18n import tr

NUMBER_LOCALES = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " VND"]},
}
# Smokeping colours the median by the round's loss: green none, then blue, violet, red.
LOSS_STEPS = [(0.0, "#26a641"), (0.05, "#1f77b4"), (0.2, "#8e44ad"), (0.5, "#d7191c")]


Chart = TypeVar("Chart", alt.Chart, alt.LayerChart)


def _localised(chart: Chart, lang: str) -> Chart:
    return chart.configure(locale={"number": NUMBER_LOCALES[lang]}).configure_view(stroke=None)


def _local_times(frame: pd.DataFrame, column: str, zone: ZoneInfo) -> pd.DataFrame:
    """Vega shows datetimes in the browser's zone; naive local times show as they are."""
    out = frame.copy()
    out[column] = pd.to_datetime(out[column], utc=True).dt.tz_convert(zone).dt.tz_localize(None)
    return out


def age_histogram(frame: pd.DataFrame, *, lang: str) -> alt.Chart:
    """frame: age_years, computers."""
    chart = (
        alt.Chart(frame)
        .mark_bar(color="#2c7fb8")
        .encode(
            x=alt.X("age_years:O", title=tr("age_years", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("computers:Q", title=tr("computers", lang), axis=alt.Axis(format=",d")),
            tooltip=[
                alt.Tooltip("age_years:O", title=tr("age_years", lang)),
                alt.Tooltip("computers:Q", title=tr("computers", lang), format=",d"),
            ],
        )
        .properties(height=260)
    )
    return _localised(chart, lang)


def smokeping(
    history: pd.DataFrame, *, lang: str, zone: ZoneInfo, days: float = 1.0
) -> tuple[alt.LayerChart, alt.Chart]:
    """Latency band (min to max) with the median coloured by loss; and loss as bars.
    Two charts on one time axis (Streamlit sizes each to the page width).

    history: the columns of `dashboard.queries.probe_history.point_history`.
    """
    data = _local_times(history, "started_at", zone)
    data["loss_pct"] = 100 * data["loss"]
    data["loss_class"] = pd.cut(
        data["loss"].fillna(1.0),
        bins=[-0.01, *[s for s, _ in LOSS_STEPS[1:]], 1.01],
        labels=["0%", "< 20%", "< 50%", "≥ 50%"],
    ).astype(str)
    time_axis = alt.X(
        "started_at:T",
        title=tr("time", lang),
        axis=alt.Axis(format="%H:%M" if days <= 1 else "%d/%m", labelOverlap=True),
    )
    tips = [
        alt.Tooltip("started_at:T", title=tr("time", lang), format="%d/%m %H:%M"),
        alt.Tooltip("method:N", title=tr("method", lang)),
        alt.Tooltip("rtt_median_ms:Q", title=tr("median_rtt", lang), format=",.1f"),
        alt.Tooltip("loss_pct:Q", title=tr("loss_pct", lang), format=",.1f"),
    ]
    band = (
        alt.Chart(data)
        .mark_area(opacity=0.25, color="#7f7f7f")
        .encode(x=time_axis, y=alt.Y("rtt_min_ms:Q", title=tr("rtt_ms", lang)), y2="rtt_max_ms:Q")
    )
    median = (
        alt.Chart(data)
        .mark_point(filled=True, size=36)
        .encode(
            x=time_axis,
            y=alt.Y("rtt_median_ms:Q", axis=alt.Axis(format=",.1f")),
            color=alt.Color(
                "loss_class:N",
                title=tr("loss", lang),
                legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(
                    domain=["0%", "< 20%", "< 50%", "≥ 50%"], range=[c for _, c in LOSS_STEPS]
                ),
            ),
            shape=alt.Shape(
                "method:N", title=tr("method", lang), legend=alt.Legend(orient="bottom")
            ),
            tooltip=tips,
        )
    )
    loss = (
        alt.Chart(data)
        .mark_bar(color="#d7191c")
        .encode(
            x=time_axis,
            y=alt.Y(
                "loss_pct:Q",
                title=tr("loss_pct", lang),
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(format=",.0f"),
            ),
            tooltip=tips,
        )
        .properties(height=110)
    )
    return _localised((band + median).properties(height=260), lang), _localised(loss, lang)


def latency_lines(history: pd.DataFrame, *, lang: str, zone: ZoneInfo) -> alt.Chart:
    """Median RTT over time, one line per point. history: started_at, point, rtt_median_ms."""
    data = _local_times(history, "started_at", zone)
    chart = (
        alt.Chart(data)
        .mark_line(point=False, interpolate="monotone")
        .encode(
            x=alt.X("started_at:T", title=tr("time", lang), axis=alt.Axis(format="%d/%m %H:%M")),
            y=alt.Y("rtt_median_ms:Q", title=tr("rtt_ms", lang), axis=alt.Axis(format=",.1f")),
            color=alt.Color(
                "point:N", title=tr("choose_point", lang), legend=alt.Legend(orient="bottom")
            ),
            tooltip=[
                alt.Tooltip("point:N", title=tr("choose_point", lang)),
                alt.Tooltip("started_at:T", title=tr("time", lang), format="%d/%m %H:%M"),
                alt.Tooltip("rtt_median_ms:Q", title=tr("median_rtt", lang), format=",.1f"),
            ],
        )
        .properties(height=260)
    )
    return _localised(chart, lang)


def index_trend(frame: pd.DataFrame, *, lang: str) -> alt.Chart:
    """frame: period, value (the index, 0..1)."""
    chart = (
        alt.Chart(frame)
        .mark_line(point=True, color="#253494")
        .encode(
            x=alt.X("period:O", title=tr("period", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "value:Q",
                title=tr("index", lang),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=",.2f"),
            ),
            tooltip=[
                alt.Tooltip("period:O", title=tr("period", lang)),
                alt.Tooltip("value:Q", title=tr("index", lang), format=",.3f"),
            ],
        )
        .properties(height=240)
    )
    return _localised(chart, lang)
