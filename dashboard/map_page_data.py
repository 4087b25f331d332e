"""Everything the Map page draws, gathered in one call (also used by the benchmark), and
the page's view of it: the map ready for its frame, the ranking, the points up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import folium
import pandas as pd
from sqlmodel import Session

from dashboard.assets import AssetUrls, TileSetting
from dashboard.indicator_choice import indicator_values, map_indicator
from dashboard.map_build import MapIndicator, build_map
from dashboard.map_component import frame_args
from dashboard.queries.points import point_views
from dashboard.queries.readiness import province_readiness
from dashboard.queries.websites import website_views
from probes.history.point_status import UP
from readiness.geometry import level_feature_collection

LEVELS = ("district", "commune")


@dataclass
class MapData:
    """The level's shapes, readiness table, points and websites: the same whichever
    indicator is shown, in whichever language."""

    shapes: dict[str, Any]
    table: pd.DataFrame
    points: pd.DataFrame
    websites: pd.DataFrame

    def values(self, indicator_key: str) -> pd.DataFrame:
        """code, name, value, rank of the indicator."""
        return indicator_values(self.table, indicator_key)

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
            indicator=map_indicator(indicator_key, lang),
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


def load_map_data(
    session: Session, *, level: str, province_code: str, today: date, now: datetime
) -> MapData:
    return MapData(
        shapes=level_feature_collection(session, level, province_code=province_code),
        table=province_readiness(session, level=level, at=today),
        points=point_views(session, now=now),
        websites=website_views(session, now=now),
    )


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
    return MapView(
        frame=frame,
        values=data.values(indicator_key),
        indicator=map_indicator(indicator_key, lang),
        points_up=int((data.points["status"] == UP).sum()),
        points_total=len(data.points),
    )
