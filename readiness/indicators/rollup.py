"""Sum the per-agency and per-point counts up to a level and turn them into indicator values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import pandas as pd
from sqlmodel import Session, select

from inventory.models import AdminUnit, AgencyKind, UnitLevel
from readiness.indicators import base_counts
from readiness.indicators.catalog import INDICATORS, LEVELS
from readiness.indicators.point_counts import point_counts

CORE_KINDS = {AgencyKind.provincial.value, AgencyKind.district_committee.value}
COMMUNE_KIND = AgencyKind.commune_committee.value


def _ancestor_map(session: Session, level: str) -> tuple[dict[str, str], pd.DataFrame]:
    """unit code -> the code of its ancestor (or itself) at `level`; and that level's units."""
    units = session.exec(select(AdminUnit)).all()
    by_code = {u.code: u for u in units}
    mapping: dict[str, str] = {}
    for unit in units:
        current: AdminUnit | None = unit
        while current is not None and current.level != UnitLevel(level):
            current = by_code.get(current.parent_code) if current.parent_code else None
        if current is not None:
            mapping[unit.code] = current.code
    targets = pd.DataFrame(
        [(u.code, u.name, u.parent_code) for u in units if u.level == UnitLevel(level)],
        columns=["code", "name", "parent_code"],
    )
    return mapping, targets.sort_values("code", ignore_index=True)


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = scale * numerator.astype(float) / denominator.astype(float)
    return value.where(denominator > 0)


def compute_long(
    session: Session,
    *,
    level: str,
    at: date,
    life_years: Mapping[str, int],
    os_supported: Callable[[str | None, date], bool],
) -> pd.DataFrame:
    """One row per unit and indicator: value, numerator, denominator (the tidy table)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    agencies = base_counts.agency_counts(
        session, at=at, life_years=life_years, os_supported=os_supported
    ).join(base_counts.certificate_counts(session, at=at), on="agency_id")
    agencies["certificates_valid"] = agencies["certificates_valid"].fillna(0).astype("int64")
    services = base_counts.service_counts(session, at=at)
    points = point_counts(session, at=at)

    if level == "agency":
        targets = pd.DataFrame(
            {
                "code": agencies["code"].fillna(agencies["agency_id"].astype(str)),
                "name": agencies["name"],
                "parent_code": agencies["unit_code"],
                "key": agencies["agency_id"],
            }
        )
        agencies["group"] = agencies["agency_id"]
        services["group"] = services["agency_id"]
        points["group"] = points["agency_id"]
    else:
        mapping, targets = _ancestor_map(session, level)
        targets["key"] = targets["code"]
        agencies["group"] = agencies["unit_code"].map(mapping)
        # Figures reported by an agency belong where the agency sits.
        agency_unit = agencies.set_index("agency_id")["unit_code"]
        services["group"] = (
            services["agency_id"].map(agency_unit).fillna(services["unit_code"]).map(mapping)
        )
        points["group"] = points["unit_code"].map(mapping)

    sums: dict[tuple[int, int], pd.DataFrame] = {}

    def total(frame: pd.DataFrame, column: str, where: pd.Series | None = None) -> pd.Series:
        # One grouping per (frame, filter), reused for all its columns.
        cache_key = (id(frame), id(where))
        if cache_key not in sums:
            data = frame if where is None else frame[where]
            sums[cache_key] = data.groupby("group").sum(numeric_only=True, min_count=1)
        return targets["key"].map(sums[cache_key][column])

    core = agencies["kind"].isin(CORE_KINDS)
    commune = agencies["kind"] == COMMUNE_KIND
    if level == "agency":  # an agency's own ratio, whatever its kind
        core = pd.Series(True, index=agencies.index)
    in_use = total(agencies, "computers_in_use")
    known = total(agencies, "computers_known_age")
    year_sum = total(agencies, "purchase_year_sum")
    # Age is counted from the middle of the purchase year, to the date's fraction of its year.
    at_year = at.year + (at.timetuple().tm_yday - 0.5) / 365.25
    with_points = points["rounds_30d"].notna()  # points with any round in 30 days
    rows: dict[str, tuple[pd.Series, pd.Series]] = {
        "computers_per_official_pct": (
            total(agencies, "computers_in_use", core),
            total(agencies, "officials", core),
        ),
        "commune_computers_per_official_pct": (
            total(agencies, "computers_in_use", commune),
            total(agencies, "officials", commune),
        ),
        "internet_share_pct": (total(agencies, "computers_internet"), in_use),
        "within_service_life_pct": (total(agencies, "computers_within_life"), in_use),
        "supported_os_pct": (total(agencies, "computers_supported_os"), in_use),
        # numerator: summed ages; denominator: computers of known age
        "mean_computer_age_years": (known * at_year - (year_sum + 0.5 * known), known),
        "points_up_pct": (
            total(points, "up_now", with_points),
            targets["key"].map(points[with_points].groupby("group").size()),
        ),
        "availability_24h_pct": (total(points, "good_24h"), total(points, "rounds_24h")),
        "availability_7d_pct": (total(points, "good_7d"), total(points, "rounds_7d")),
        "availability_30d_pct": (total(points, "good_30d"), total(points, "rounds_30d")),
        "loss_7d_pct": (
            total(points, "sent_7d") - total(points, "received_7d"),
            total(points, "sent_7d"),
        ),
        "valid_certificates_per_signing_official": (
            total(agencies, "certificates_valid"),
            total(agencies, "signing_officials"),
        ),
        "officials_per_computer": (total(agencies, "officials"), in_use),
        "procedures_level3_pct": (
            total(services, "procedures_level3"),
            total(services, "procedures"),
        ),
        "procedures_level4_pct": (
            total(services, "procedures_level4"),
            total(services, "procedures"),
        ),
        "dossiers_online_pct": (
            total(services, "dossiers_online"),
            total(services, "dossiers_received"),
        ),
        "dossiers_on_time_pct": (
            total(services, "dossiers_on_time"),
            total(services, "dossiers_received"),
        ),
    }
    # Plain counts and medians: the value is its own numerator, over a denominator of 1.
    values: dict[str, pd.Series] = {
        "unknown_age_computers": in_use - known,
        "connection_points": targets["key"].map(points.groupby("group").size()).fillna(0),
        "median_rtt_7d_ms": targets["key"].map(
            points.groupby("group")["median_rtt_7d_ms"].median()
        ),
    }
    frames = []
    for key, indicator in INDICATORS.items():
        if key in values:
            value = numerator = values[key]
            denominator = pd.Series(1.0, index=targets.index).where(value.notna())
        else:
            numerator, denominator = rows[key]
            value = _ratio(numerator, denominator, indicator.scale)
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "code": targets["code"],
                    "name": targets["name"],
                    "parent_code": targets["parent_code"],
                    "indicator": key,
                    "pillar": indicator.pillar.value,
                    "value": value,
                    "numerator": numerator.astype(float),
                    "denominator": denominator.astype(float),
                    "unit": indicator.unit,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
