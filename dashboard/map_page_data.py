"""Everything the Map page draws, gathered in one call (also used by the benchmark)."""

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
from dashboard.queries.points import point_views
from dashboard.queries.readiness import readiness_or_none
from readiness.geometry import level_feature_collection

LEVELS = ("district", "commune")


@dataclass
class MapData:
    shapes: dict[str, Any]
    table: pd.DataFrame | None  # readiness_table of the level, None without the policy
    values: pd.DataFrame | None  # code, name, value, rank of the chosen indicator
    indicator: MapIndicator
    points: pd.DataFrame

    def folium_map(
        self,
        *,
        lang: str,
        zone: ZoneInfo,
        urls: AssetUrls,
        tiles: TileSetting | None,
        show_points: bool = True,
    ) -> folium.Map:
        return build_map(
            shapes=self.shapes,
            values=self.values,
            indicator=self.indicator,
            points=self.points if show_points else None,
            lang=lang,
            zone=zone,
            urls=urls,
            tiles=tiles,
        )


def load_map_data(
    session: Session,
    *,
    level: str,
    indicator_key: str,
    lang: str,
    province_code: str,
    today: date,
    now: datetime,
) -> MapData:
    table = readiness_or_none(session, level=level, at=today)
    return MapData(
        shapes=level_feature_collection(session, level, province_code=province_code),
        table=table,
        values=None if table is None else indicator_values(table, indicator_key),
        indicator=map_indicator(indicator_key, lang),
        points=point_views(session, now=now),
    )
