"""The readiness map: units coloured by an indicator, points and websites coloured by
status, a legend.

Pure: data in, a folium map out, so tests can render it without Streamlit. Every string
that comes from the data is HTML-escaped here, before it reaches a tooltip or popup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.assets import AssetUrls, TileSetting
from dashboard.colour_scale import (
    NO_DATA_COLOUR,
    ColourScale,
    build_change_scale,
    build_scale,
)
from dashboard.i18n import WEBSITE_KIND, enum_label, status_label, tr, unit_label
from dashboard.map_layers import FeatureLayer, MapLegend
from dashboard.map_literal import LiteralElement, LiteralFitBounds, LiteralMap, LiteralTileLayer
from dashboard.number_format import format_value, is_missing
from dashboard.point_status import STATUS_COLOURS, STATUSES
from dashboard.queries.websites import WEBSITE_COLOURS, WEBSITE_STATUSES

UNIT_CLASS = "ictr-unit"
POINT_CLASS = "ictr-point"
WEBSITE_CLASS = "ictr-website"
MAP_CSS = """
.leaflet-container { background: #eef2f5; font-family: "Source Sans Pro", sans-serif; }
.ictr-legend { background: rgba(255,255,255,.93); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; line-height: 1.35; max-width: 260px; }
.ictr-legend .title { font-weight: 600; margin-bottom: 4px; }
.ictr-legend .row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.ictr-legend .box { width: 16px; height: 12px; border: 1px solid #777; flex: none; }
.ictr-legend .dot { width: 11px; height: 11px; border-radius: 50%; border: 1px solid #333;
  flex: none; }
.ictr-legend .ring { width: 9px; height: 9px; border-radius: 50%; border: 2px solid #222;
  flex: none; }
.ictr-legend .note { margin-top: 6px; color: #555; font-style: italic; white-space: normal; }
.ictr-tip table { border-collapse: collapse; }
.ictr-tip th { text-align: left; padding-right: 8px; font-weight: 600; }
"""


@dataclass(frozen=True)
class MapIndicator:
    key: str  # an indicator key, or "index"
    label: str  # already in the page's language
    unit: str  # "%", "years", "ms", "ratio", "count" or "index"
    higher_is_better: bool
    # In compare mode, the two dates as shown ("31/12/2020", "01/12/2026"): the value is
    # the change between them, and `values` holds each date's own in value_from, value_to.
    compare: tuple[str, str] | None = None


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(rows: Iterable[tuple[str, str]], title: str) -> str:
    """A small tooltip/popup table; labels and values are escaped here."""
    body = "".join(f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>" for label, value in rows)
    return f'<div class="ictr-tip"><b>{_e(title)}</b><table>{body}</table></div>'


def unit_features(
    shapes: dict[str, Any],
    values: pd.DataFrame | None,
    indicator: MapIndicator,
    scale: ColourScale,
    *,
    lang: str,
) -> list[dict[str, Any]]:
    """The shapes as features carrying fill colour and a tooltip (name, value, rank; in
    compare mode both dates' values first). A unit whose `has_data` is false (no agency or
    point of its own) says so in its tooltip."""
    by_code = values.set_index("code") if values is not None else None
    ranked = 0
    if by_code is not None and "rank" in by_code:
        ranked = int(by_code["rank"].notna().sum())
    features = []
    for feature in shapes["features"]:
        props = feature["properties"]
        code = props["code"]
        value = rank = None
        if by_code is not None and code in by_code.index:
            value = by_code.at[code, "value"]
            rank = by_code.at[code, "rank"] if "rank" in by_code else None
        value = None if value is None or is_missing(value) else float(value)
        rows = []
        if indicator.compare is not None and by_code is not None and code in by_code.index:
            for when, column in zip(indicator.compare, ("value_from", "value_to"), strict=True):
                shown = format_value(by_code.at[code, column], indicator.unit, lang=lang)
                rows.append((when, shown))
        rows.append((indicator.label, format_value(value, indicator.unit, lang=lang)))
        if not is_missing(rank) and rank is not None:
            rows.append((tr("rank", lang), tr("rank_of", lang, rank=int(rank), total=ranked)))
        if by_code is not None and not _has_data(by_code, code):
            rows.append(("", tr("unit_no_data", lang)))
        if props.get("approximate"):
            rows.append(("", tr("approximate", lang)))
        colour = scale.colour(value) if value is not None else NO_DATA_COLOUR
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "kind": "unit",
                    "code": code,
                    "name": props["name"],
                    "tooltip": _table(rows, props["name"]),
                    "style": {
                        "fillColor": colour,
                        "fillOpacity": 0.75,
                        "color": "#4d4d4d",
                        "weight": 1,
                    },
                },
            }
        )
    return features


def _has_data(by_code: pd.DataFrame, code: str) -> bool:
    if "has_data" not in by_code or code not in by_code.index:
        return True  # nothing says otherwise
    return bool(by_code.at[code, "has_data"])


def _when(moment: object, zone: ZoneInfo, lang: str) -> str:
    if is_missing(moment) or not isinstance(moment, datetime):  # NaT is a datetime too
        return tr("never_checked", lang)
    local = moment.astimezone(zone)
    return local.strftime("%d/%m/%Y %H:%M") if lang == "vi" else local.strftime("%Y-%m-%d %H:%M")


POPUP_LABELS = ("status", "address", "last_check", "loss", "median_rtt", "availability_24h")


def point_styles() -> dict[str, dict[str, Any]]:
    """One marker style per status, shared by the points (see `FeatureLayer`)."""
    return {
        status: {
            "radius": 6,
            "fillColor": colour,
            "fillOpacity": 0.95,
            "color": "#ffffff",
            "weight": 1.5,
            "className": f"{POINT_CLASS} ictr-status-{status}",
        }
        for status, colour in STATUS_COLOURS.items()
    }


def popup_labels(lang: str) -> list[str]:
    return [_e(tr(key, lang)) for key in POPUP_LABELS]


def point_features(points: pd.DataFrame, *, lang: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Located points as GeoJSON points: status, a tooltip, and the popup's title and cells
    (in the order of `POPUP_LABELS`), every one HTML-escaped."""
    features = []
    for row in points.itertuples(index=False):
        if is_missing(row.latitude) or is_missing(row.longitude):
            continue
        status = row.status
        loss = None if is_missing(row.loss) else 100 * row.loss
        availability = None if is_missing(row.availability_24h) else 100 * row.availability_24h
        cells = [
            status_label(status, lang),
            row.address,
            _when(row.last_check, zone, lang),
            format_value(loss, "%", lang=lang),
            format_value(row.rtt_median_ms, "ms", lang=lang),
            format_value(availability, "%", lang=lang),
        ]
        features.append(
            {
                "type": "Feature",
                # The boundaries' precision (about 0.1 m): 2,000 points send 70 kB less.
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.longitude, 6), round(row.latitude, 6)],
                },
                "properties": {
                    "kind": "point",
                    "code": row.code,
                    "status": status,
                    "tooltip": f"{_e(row.name)} — {_e(status_label(status, lang))}",
                    "title": _e(row.name),
                    "cells": [_e(c) for c in cells],
                },
            }
        )
    return features


WEBSITE_POPUP_LABELS = (
    "status", "website", "http_status", "cert_days_left", "last_updated", "availability_7d",
    "availability_30d", "last_check",
)  # fmt: skip


def website_styles() -> dict[str, dict[str, Any]]:
    """One marker style per website status: smaller than a point's, with a dark ring, so
    the two layers tell apart where they meet."""
    return {
        status: {
            "radius": 5,
            "fillColor": colour,
            "fillOpacity": 0.95,
            "color": "#222222",
            "weight": 2,
            "className": f"{WEBSITE_CLASS} ictr-status-{status}",
        }
        for status, colour in WEBSITE_COLOURS.items()
    }


def website_popup_labels(lang: str) -> list[str]:
    return [_e(tr(key, lang)) for key in WEBSITE_POPUP_LABELS]


def website_features(websites: pd.DataFrame, *, lang: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Websites placed at their agency's unit (`dashboard.queries.websites`): status, a
    tooltip, and the popup's title and cells (`WEBSITE_POPUP_LABELS`), every one escaped."""
    features = []
    day = "%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"
    for row in websites.itertuples(index=False):
        if is_missing(row.latitude) or is_missing(row.longitude):
            continue
        status = row.status
        shares = [
            None if is_missing(share) else 100 * share
            for share in (row.availability_7d, row.availability_30d)
        ]
        cells = [
            status_label(status, lang),
            row.url,
            "—" if is_missing(row.status_code) else str(int(row.status_code)),
            "—" if is_missing(row.cert_days_left) else str(int(row.cert_days_left)),
            (
                tr("never_updated", lang)
                if is_missing(row.last_updated)
                else row.last_updated.strftime(day)
            ),
            *(format_value(share, "%", lang=lang) for share in shares),
            _when(row.last_check, zone, lang),
        ]
        kind = enum_label(WEBSITE_KIND, row.kind, lang)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.longitude, 6), round(row.latitude, 6)],
                },
                "properties": {
                    "kind": "website",
                    "code": str(row.id),
                    "status": status,
                    "tooltip": f"{_e(row.agency_name)} — {_e(status_label(status, lang))}",
                    "title": f"{_e(row.agency_name)} ({_e(kind)})",
                    "cells": [_e(c) for c in cells],
                },
            }
        )
    return features


def _range_text(low: float, high: float, unit: str, lang: str) -> str:
    if low == high:
        return format_value(low, unit, lang=lang)
    return f"{format_value(low, unit, lang=lang)} – {format_value(high, unit, lang=lang)}"


def legend_html(
    indicator: MapIndicator,
    scale: ColourScale,
    *,
    lang: str,
    with_points: bool,
    approximate: bool,
    source: str | None,
    with_websites: bool = False,
    without_data: int = 0,
) -> str:
    """`without_data`: how many units shown have no data of their own (said in a note)."""
    title = indicator.label
    if not title.endswith(")"):  # labels such as "Độ trễ ... (ms)" already name their unit
        title = f"{title} ({unit_label(indicator.unit, lang)})"
    parts = [f'<div class="title">{_e(title)}</div>']
    for cls in reversed(scale.classes):
        parts.append(
            f'<div class="row"><span class="box" style="background:{cls.colour}"></span>'
            f"{_e(_range_text(cls.low, cls.high, indicator.unit, lang))}</div>"
        )
    parts.append(
        f'<div class="row"><span class="box" style="background:{NO_DATA_COLOUR}"></span>'
        f"{_e(tr('no_data', lang))}</div>"
    )
    if without_data:
        parts.append(f'<div class="note">{_e(tr("units_no_data", lang, count=without_data))}</div>')
    if with_points:
        parts.append(
            f'<div class="title" style="margin-top:6px">{_e(tr("points_legend", lang))}</div>'
        )
        for status in STATUSES:
            parts.append(
                f'<div class="row"><span class="dot" style="background:{STATUS_COLOURS[status]}">'
                f"</span>{_e(status_label(status, lang))}</div>"
            )
    if with_websites:
        parts.append(
            f'<div class="title" style="margin-top:6px">{_e(tr("websites_legend", lang))}</div>'
        )
        for status in WEBSITE_STATUSES:
            parts.append(
                f'<div class="row"><span class="ring" style="background:{WEBSITE_COLOURS[status]}">'
                f"</span>{_e(status_label(status, lang))}</div>"
            )
    if approximate:
        parts.append(f'<div class="note">{_e(tr("approximate", lang))}</div>')
    elif source:
        parts.append(f'<div class="note">{_e(tr("boundary_source", lang))}: {_e(source)}</div>')
    return "".join(parts)


def _count_without_data(shapes: dict[str, Any], values: pd.DataFrame | None) -> int:
    if values is None or "has_data" not in values:
        return 0
    by_code = values.set_index("code")
    return sum(not _has_data(by_code, f["properties"]["code"]) for f in shapes["features"])


def shapes_bounds(shapes: dict[str, Any]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of every coordinate in the collection."""
    lons: list[float] = []
    lats: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            lons.append(float(coords[0]))
            lats.append(float(coords[1]))
            return
        for part in coords:
            walk(part)

    for feature in shapes["features"]:
        walk(feature["geometry"]["coordinates"])
    if not lons:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def build_map(
    *,
    shapes: dict[str, Any],
    values: pd.DataFrame | None,
    indicator: MapIndicator,
    points: pd.DataFrame | None,
    lang: str,
    zone: ZoneInfo,
    urls: AssetUrls | None,
    tiles: TileSetting | None = None,
    websites: pd.DataFrame | None = None,
) -> LiteralMap:
    """`values` has columns code, value and (optionally) rank; `points` those of
    `dashboard.queries.points.point_views`, `websites` those of
    `dashboard.queries.websites.website_views`. `urls` says where a page of its own loads
    Leaflet from; None when the page around the map brings it (`map_component`).

    Every element renders literally (`map_literal`): data never becomes template text."""
    present = [] if values is None else [float(v) for v in values["value"] if not is_missing(v)]
    scale = (build_change_scale if indicator.compare else build_scale)(
        present, higher_is_better=indicator.higher_is_better
    )
    fmap = LiteralMap(tiles=None, control_scale=True, zoom_snap=0.25, prefer_canvas=False)
    # Only Leaflet itself: no jQuery, Bootstrap or icon fonts from a CDN.
    fmap.default_js = [] if urls is None else [("leaflet", urls.leaflet_js)]
    fmap.default_css = [] if urls is None else [("leaflet_css", urls.leaflet_css)]
    fmap.get_root().header.add_child(LiteralElement(f"<style>{MAP_CSS}</style>"), name="ictr_css")  # type: ignore[attr-defined]
    if tiles is not None:
        LiteralTileLayer(tiles=tiles.url, attr=_e(tiles.attribution), name="tiles").add_to(fmap)
    FeatureLayer(
        {
            "type": "FeatureCollection",
            "features": unit_features(shapes, values, indicator, scale, lang=lang),
        },
        name="units",
        class_name=UNIT_CLASS,
        highlight=True,
        selectable=True,
    ).add_to(fmap)
    if points is not None:
        FeatureLayer(
            {"type": "FeatureCollection", "features": point_features(points, lang=lang, zone=zone)},
            name="points",
            class_name=POINT_CLASS,
            sticky=False,
            styles=point_styles(),
            popup_labels=popup_labels(lang),
        ).add_to(fmap)
    if websites is not None:
        FeatureLayer(
            {
                "type": "FeatureCollection",
                "features": website_features(websites, lang=lang, zone=zone),
            },
            name="websites",
            class_name=WEBSITE_CLASS,
            sticky=False,
            styles=website_styles(),
            popup_labels=website_popup_labels(lang),
        ).add_to(fmap)
    sources = {f["properties"].get("source") for f in shapes["features"]}
    MapLegend(
        legend_html(
            indicator,
            scale,
            lang=lang,
            with_points=points is not None,
            with_websites=websites is not None and not websites.empty,
            approximate=bool(shapes.get("approximate")),
            source=", ".join(sorted(s for s in sources if s)) or None,
            without_data=_count_without_data(shapes, values),
        )
    ).add_to(fmap)
    bounds = shapes_bounds(shapes)
    if bounds is not None:
        LiteralFitBounds(bounds, padding=(10, 10)).add_to(fmap)
    return fmap


__all__ = [
    "MapIndicator",
    "build_map",
    "legend_html",
    "point_features",
    "shapes_bounds",
    "unit_features",
    "website_features",
]
