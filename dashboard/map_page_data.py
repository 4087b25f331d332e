"""Everything the Map page draws, gathered in one call (also used by the benchmark), and
the page's view of it: the map ready for its frame, the ranking, the points up.

The map is of one date: the units are those of the structure valid on it (districts or
2020 communes up to 2025-06-30, 2025 communes after), the figures those of that date. In
compare mode it also has a start date, and each unit's value is the change since then
(`readiness.compare`: the start's records counted on the end date's units).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import folium
import pandas as pd
from sqlmodel import Session

from dashboard.assets import AssetUrls, TileSetting
from dashboard.indicator_choice import change_values, indicator_values, map_indicator
from dashboard.map_build import MapIndicator, build_map
from dashboard.map_component import frame_args
from dashboard.number_format import format_day
from dashboard.queries.points import point_views
from dashboard.queries.readiness import province_readiness, province_within
from dashboard.queries.websites import website_views
from inventory.eras import era_at
from probes.history.point_status import UP
from readiness.compare import compare_dates
from readiness.geometry import level_feature_collection

LEVELS = ("district", "commune")


def levels_at(at: date) -> tuple[str, ...]:
    """The levels a map of `at` can show: those of its era below the province."""
    return tuple(str(level) for level in era_at(at).levels if level != "province")


@dataclass
class MapData:
    """The level's shapes, readiness table, points and websites at one date (in compare
    mode, the comparison with `start`): the same whichever indicator is shown, in
    whichever language."""

    shapes: dict[str, Any]
    table: pd.DataFrame  # readiness at `at`, or `readiness.compare`'s table from `start`
    points: pd.DataFrame
    websites: pd.DataFrame
    at: date
    start: date | None = None
    divided: int = 0  # divided former communes whose records went to a default part

    def values(self, indicator_key: str) -> pd.DataFrame:
        """code, name, value, rank, has_data of the indicator (in compare mode, the change,
        with value_from and value_to)."""
        if self.start is not None:
            return change_values(self.table, indicator_key)
        return indicator_values(self.table, indicator_key)

    def indicator(self, indicator_key: str, lang: str) -> MapIndicator:
        dates = None
        if self.start is not None:
            dates = (
                format_day(self.start, lang=lang),
                format_day(self.at, lang=lang),
            )
        return map_indicator(indicator_key, lang, dates)

    def folium_map(
        self,
        *,
        indicator_key: str,
        lang: str,
        zone: ZoneInfo,
        urls: AssetUrls | None,
        tiles: TileSetting | None,
        show_points: bool = True,
    ) -> folium.Map:
        return build_map(
            shapes=self.shapes,
            values=self.values(indicator_key),
            indicator=self.indicator(indicator_key, lang),
            points=self.points if show_points else None,
            websites=self.websites if show_points else None,
            lang=lang,
            zone=zone,
            urls=urls,
            tiles=tiles,
        )


@dataclass(frozen=True)
class MapView:
    """What the page shows, small enough to cache and copy on every run."""

    frame: dict[str, str] | None  # `map_component.frame_args`; None when there are no shapes
    values: pd.DataFrame
    indicator: MapIndicator
    points_up: int
    points_total: int
    without_data: int  # units drawn with no data of their own
    divided: int


def load_map_data(
    session: Session,
    *,
    level: str,
    province_code: str,
    at: date,
    now: datetime,
    start: date | None = None,
) -> MapData:
    """The map of `level` at `at` (compared with `start` if given); `level` must be one of
    `levels_at(at)` (`readiness` refuses districts after 2025-06-30)."""
    shapes = level_feature_collection(
        session, level, province_code=province_code, era=era_at(at).year
    )
    points = point_views(session, now=now)
    websites = website_views(session, now=now)
    if start is None:
        table = province_readiness(session, level=level, at=at)
        return MapData(shapes, table, points, websites, at)
    comparison = compare_dates(
        session, level=level, start=start, end=at, within=province_within(session)
    )
    return MapData(shapes, comparison.table, points, websites, at, start, len(comparison.divided))


def map_view(
    data: MapData,
    *,
    indicator_key: str,
    lang: str,
    zone: ZoneInfo,
    tiles: TileSetting | None,
    show_points: bool,
) -> MapView:
    frame = None
    if data.shapes["features"]:
        fmap = data.folium_map(
            indicator_key=indicator_key,
            lang=lang,
            zone=zone,
            urls=None,
            tiles=tiles,
            show_points=show_points,
        )
        frame = frame_args(fmap)
    values = data.values(indicator_key)
    drawn = {f["properties"]["code"] for f in data.shapes["features"]}
    return MapView(
        frame=frame,
        values=values,
        indicator=data.indicator(indicator_key, lang),
        points_up=int((data.points["status"] == UP).sum()),
        points_total=len(data.points),
        without_data=int((~values["has_data"] & values["code"].isin(drawn)).sum()),
        divided=data.divided,
    )
