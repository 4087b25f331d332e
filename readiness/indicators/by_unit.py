"""Indicators by unit: the per-agency and per-point counts summed up to the units of a level,
then each indicator computed from the figures its catalog entry names.

Each frame of counts (agencies, service figures, points) is summed to the units of the level
in one pass per column (`numpy.bincount` over each row's unit position), and the indicators
come out as arrays with one row per unit and one column per indicator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from inventory.eras import era_at
from inventory.errors import IctrError
from inventory.models import Agency, AgencyKind, ConnectionPoint
from inventory.models.services import SERVICE_COUNTS
from probes.history.point_status import MEASURED, UP
from readiness.indicators import base_counts
from readiness.indicators.catalog import INDICATORS, LEVELS
from readiness.indicators.placement import Placement, check_level
from readiness.indicators.point_counts import point_counts
from readiness.indicators.unit_tree import DEPTH, UnitTree
from readiness.indicators.website_counts import website_counts

CORE_KINDS = {AgencyKind.provincial.value, AgencyKind.district_committee.value}
COMMUNE_KIND = AgencyKind.commune_committee.value


@dataclass(frozen=True)
class Figures:
    """Every indicator of the units compared: one row per unit, one column per indicator
    (in `INDICATORS` order); NaN is no data."""

    level: str
    units: pd.DataFrame  # code, name, parent_code
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    # Per unit, the reporting periods its service figures come from ("2020", or
    # "2026Q2, 2026Q3" when its agencies' latest periods differ); None without figures.
    service_periods: np.ndarray


def _positions(keys: pd.Series, position: Mapping[Any, int]) -> np.ndarray:
    """Each row's unit position (-1: no unit of the level)."""
    return np.fromiter((position.get(k, -1) for k in keys.tolist()), np.int64, len(keys))


def _sums(groups: np.ndarray, n: int, columns: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Per unit position 0..n-1, each column's sum over the unit's rows; NaN where none of
    them has a value (no data, not zero). Counts are whole numbers, so sums are exact."""
    inside = groups >= 0
    out = {}
    for name, column in columns.items():
        values = np.asarray(column, dtype=float)
        keep = inside & ~np.isnan(values)
        total = np.bincount(groups[keep], weights=values[keep], minlength=n)
        found = np.bincount(groups[keep], minlength=n)
        out[name] = np.where(found > 0, total, np.nan)
    return out


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = scale * numerator / denominator
        return np.where(denominator > 0, value, np.nan)


def _scope(tree: UnitTree, level: str, within: str | None) -> set[str] | None:
    """The codes of `within` and every unit below it (None: everywhere)."""
    if within is None:
        return None
    codes = tree.subtree(within)
    above = tree.units[within].level
    if level != "agency" and DEPTH[level] < DEPTH[above]:
        raise IctrError(f"within {within!r} is a {above}: no {level} lies within it")
    return codes


def _point_units(session: Session, level: str, scope: set[str] | None) -> set[str] | None:
    """The units whose points to read: the scope's; at agency level, a point counts for its
    agency wherever it is located, so also the units of the scope's agencies' points."""
    if scope is None or level != "agency":
        return scope
    elsewhere = session.execute(
        select(col(ConnectionPoint.unit_code))
        .join(Agency, col(Agency.id) == col(ConnectionPoint.agency_id))
        .where(col(Agency.unit_code).in_(sorted(scope)))
        .distinct()
    ).scalars()
    return scope | set(elsewhere)


def _by_id(ids: pd.Series, mapping: Mapping[int, Any]) -> pd.Series:
    """Each id's value in `mapping`, as objects (None: no id, or absent from `mapping`)."""
    return pd.Series(
        [mapping.get(int(v)) if pd.notna(v) else None for v in ids.tolist()],
        index=ids.index,
        dtype=object,
    )


def _held(agencies: pd.DataFrame, placement: Placement) -> pd.DataFrame:
    """The agencies existing at the date, each with its own counts plus those of the agencies
    it succeeded (their computers and certificates count for it from the succession on).
    Officials, signers and systems stay each agency's own."""
    ids = agencies["agency_id"].to_numpy(dtype=np.int64)
    holder = np.fromiter((placement.holder.get(int(a), -1) for a in ids), np.int64, len(ids))
    if bool((holder == ids).all()):
        return agencies
    held = holder >= 0
    sums = agencies.loc[held, _HELD_COUNTS].groupby(holder[held]).sum()
    kept = agencies[holder == ids].copy()
    kept[_HELD_COUNTS] = sums.reindex(kept["agency_id"].to_numpy()).to_numpy(dtype=np.int64)
    return kept.reset_index(drop=True)


_HELD_COUNTS = [*base_counts.COUNT_COLUMNS, "certificates_valid", "certificates_expiring"]


def _latest_per_holder(services: pd.DataFrame, holder: pd.Series) -> pd.DataFrame:
    """Service figures are a period's: per holding agency only the agencies whose latest
    period is the latest count, so a successor's 2026 figures are not added to its
    predecessors' 2024 ones (before it reports, theirs stand). An agency's own rows (one per
    unit it reported for) are kept together, as without a succession."""
    unit_key = "unit:" + services["unit_code"].astype(str)
    own = services["agency_id"].astype(object).where(services["agency_id"].notna(), unit_key)
    held = holder.astype(object).where(holder.notna(), unit_key)
    own_best = services["period_rank"].groupby(own).transform("max")
    best = own_best.groupby(held).transform("max")
    return services[(own_best == best).to_numpy()]


def _system_flags(agencies: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per agency, 1.0 when it has the system, 0.0 when it reported not having it, NaN when
    it did not report (an empty website is "reported: none")."""

    def flag(value: Any) -> float:
        return np.nan if value is None or value is pd.NA or value != value else float(bool(value))

    return {
        name: np.fromiter(map(flag, agencies[column].tolist()), float, len(agencies))
        for name, column in (
            ("agencies_e_office", "e_office"),
            ("agencies_one_stop_connected", "one_stop_connected"),
            ("agencies_website", "website"),
        )
    }


def unit_totals(
    session: Session,
    *,
    level: str,
    at: date,
    life_years: Mapping[str, int],
    os_supported: Callable[[str | None, date], bool],
    within: str | None = None,
    onto: date | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The units of `level` (code, name, parent_code; only those within unit `within` when
    given, whose records alone are then read), and every figure an indicator names as its
    numerator or denominator, one value per unit (NaN: nothing to count).

    The units are those of the structure valid on `onto` (default `at`: 2020's districts and
    communes up to 2025-06-30, 2025's communes from 2025-07-01), and each record counts for the
    agency and unit holding it there (`Placement`: successions, the 2020 -> 2025
    correspondence). `onto` later than `at` re-aggregates `at`'s records onto `onto`'s units.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    onto = at if onto is None else onto
    check_level(level, onto)
    placement = Placement.load(session, at=at, onto=onto)
    tree = UnitTree.load(session, era=era_at(onto).year)
    if within is not None:
        within = placement.resolve_within(within, tree.units)
    scope = _scope(tree, level, within)
    reading = placement.reading_units(scope) if scope is not None else None
    agencies = base_counts.agency_counts(
        session, at=at, life_years=life_years, os_supported=os_supported, unit_codes=reading
    ).join(base_counts.certificate_counts(session, at=at, unit_codes=reading), on="agency_id")
    for column in ("certificates_valid", "certificates_expiring"):
        agencies[column] = agencies[column].fillna(0).astype("int64")
    agencies = _held(agencies, placement)
    # Where each agency counts in `onto`'s structure (None: in no unit of it).
    agencies["unit_code"] = _by_id(agencies["agency_id"], placement.agency_place)
    # Certificates are not tied to officials: an agency's signers beyond its valid
    # certificates are the ones without one.
    agencies["signers_without_certificate"] = (
        agencies["signing_officials"] - agencies["certificates_valid"]
    ).clip(lower=0)
    services = base_counts.service_counts(session, at=at, unit_codes=reading)
    # Figures of an agency that no longer exists, with no successor, count nowhere.
    service_holder = _by_id(services["agency_id"], placement.holder)
    has_agency = services["agency_id"].notna()
    kept = (service_holder.notna() | ~has_agency).to_numpy()
    services, service_holder = services[kept], service_holder[kept]
    services = _latest_per_holder(services, service_holder)
    service_holder = service_holder[services.index]
    # Service figures belong where their agency sits (see base_counts.service_counts), else
    # where they were reported for.
    service_units = _by_id(service_holder, placement.agency_place).where(
        services["agency_id"].notna(), services["unit_code"].map(placement.unit_place)
    )
    points = point_counts(session, at=at, unit_codes=_point_units(session, level, reading))
    point_holder = _by_id(points["agency_id"], placement.holder)
    # A point counts where it is located; one whose agency no longer exists counts nowhere.
    point_units = (
        points["unit_code"]
        .map(placement.unit_place)
        .where(point_holder.notna() | points["agency_id"].isna())
    )
    websites = website_counts(session, at=at, unit_codes=reading)
    # A website counts for the agency holding its agency's records, where that one sits.
    website_holder = _by_id(websites["agency_id"], placement.holder)
    website_units = _by_id(website_holder, placement.agency_place)

    if level == "agency":
        inside = (
            agencies["unit_code"].isin(scope).to_numpy()
            if scope is not None
            else np.ones(len(agencies), dtype=bool)
        )
        agencies = agencies[inside].reset_index(drop=True)
        units = pd.DataFrame(
            {
                "code": agencies["code"].fillna(agencies["agency_id"].astype(str)),
                "name": agencies["name"],
                "parent_code": agencies["unit_code"],
            }
        )
        position = {agency: i for i, agency in enumerate(agencies["agency_id"])}
        agency_rows = np.arange(len(agencies), dtype=np.int64)
        service_rows = _positions(service_holder, position)
        point_rows = _positions(point_holder, position)
        website_rows = _positions(website_holder, position)
    else:
        chosen = tree.at_level(level, scope)
        units = pd.DataFrame(
            [(u.code, u.name, u.parent_code) for u in chosen],
            columns=["code", "name", "parent_code"],
        )
        index = {u.code: i for i, u in enumerate(chosen)}
        position = {c: index[a] for c, a in tree.ancestors_at(level).items() if a in index}
        agency_rows = _positions(agencies["unit_code"], position)
        service_rows = _positions(service_units, position)
        point_rows = _positions(point_units, position)
        website_rows = _positions(website_units, position)
    n = len(units)

    in_use = agencies["computers_in_use"].to_numpy(dtype=float)
    officials = agencies["officials"].to_numpy(dtype=float)
    core = agencies["kind"].isin(CORE_KINDS).to_numpy()
    if level == "agency":  # an agency's own ratio, whatever its kind
        core = np.ones(len(agencies), dtype=bool)
    commune = (agencies["kind"] == COMMUNE_KIND).to_numpy()
    systems = _system_flags(agencies)
    a = _sums(
        agency_rows,
        n,
        {
            "computers_in_use": in_use,
            "officials": officials,
            "core_computers_in_use": np.where(core, in_use, np.nan),
            "core_officials": np.where(core, officials, np.nan),
            "commune_computers_in_use": np.where(commune, in_use, np.nan),
            "commune_officials": np.where(commune, officials, np.nan),
            **systems,
            **{
                f"{name}_reported": np.where(np.isnan(v), np.nan, 1.0)
                for name, v in systems.items()
            },
            **{
                c: agencies[c]
                for c in [
                    "computers_internet",
                    "computers_within_life",
                    "computers_supported_os",
                    "computers_known_age",
                    "purchase_year_sum",
                    "certificates_valid",
                    "certificates_expiring",
                    "signers_without_certificate",
                    "signing_officials",
                ]
            },
        },
    )
    s = _sums(service_rows, n, {c: services[c] for c in SERVICE_COUNTS})
    periods = np.full(n, None, dtype=object)
    found = service_rows >= 0
    for row, group in services["period"][found].groupby(service_rows[found]):
        periods[row] = ", ".join(sorted(set(group)))
    units["service_periods"] = periods
    status = points["status_now"]
    measured = status.isin(MEASURED).to_numpy()  # a status that says how the point is now
    p = _sums(
        point_rows,
        n,
        {
            **{
                f"{name}_{window}": points[f"{column}_{window}"]
                for window in ("24h", "7d", "30d")
                for name, column in (("good_rounds", "good"), ("rounds", "rounds"))
            },
            "echoes_sent_7d": points["sent_7d"],
            "echoes_received_7d": points["received_7d"],
            "points_up": np.where(measured, (status == UP).to_numpy(dtype=float), np.nan),
            "points_measured": np.where(measured, 1.0, np.nan),
        },
    )
    commune_site = websites["commune"].to_numpy(dtype=bool)
    w = _sums(
        website_rows,
        n,
        {
            f"{prefix}websites_{flag}": np.where(
                chosen_sites, websites[flag].to_numpy(dtype=float), np.nan
            )
            for prefix, chosen_sites in (("", True), ("commune_", commune_site))
            for flag in ("measured", "reachable", "valid_certificate", "updated_30d")
        },
    )
    located = point_rows >= 0
    known = a["computers_known_age"]
    # Age is counted from the middle of the purchase year, to the date's fraction of its year.
    at_year = at.year + (at.timetuple().tm_yday - 0.5) / 365.25
    return units, {
        **a,
        **s,
        **p,
        **w,
        "computers_unknown_age": a["computers_in_use"] - known,
        "computer_age_years_sum": known * at_year - (a["purchase_year_sum"] + 0.5 * known),
        "echoes_lost_7d": p["echoes_sent_7d"] - p["echoes_received_7d"],
        "connection_points": np.bincount(point_rows[located], minlength=n).astype(float),
        "median_rtt_7d_ms": (
            pd.Series(points["median_rtt_7d_ms"].to_numpy(dtype=float)[located])
            .groupby(point_rows[located])
            .median()
            .reindex(range(n))
            .to_numpy()
        ),
    }


def aggregate_units(
    session: Session,
    *,
    level: str,
    at: date,
    life_years: Mapping[str, int],
    os_supported: Callable[[str | None, date], bool],
    within: str | None = None,
    onto: date | None = None,
) -> Figures:
    """Every indicator of every unit of `level` (only those within unit `within` when given),
    from the figures its catalog entry names; `onto`: see `unit_totals`."""
    units, totals = unit_totals(
        session,
        level=level,
        at=at,
        life_years=life_years,
        os_supported=os_supported,
        within=within,
        onto=onto,
    )
    periods = units.pop("service_periods").to_numpy(dtype=object)
    value = np.empty((len(units), len(INDICATORS)))
    numerator = np.empty_like(value)
    denominator = np.empty_like(value)
    for j, indicator in enumerate(INDICATORS.values()):
        numerator[:, j] = totals[indicator.numerator]
        if indicator.denominator is None:  # a count or a median: its own value, over 1
            value[:, j] = numerator[:, j]
            denominator[:, j] = np.where(np.isnan(numerator[:, j]), np.nan, 1.0)
        else:
            denominator[:, j] = totals[indicator.denominator]
            value[:, j] = _ratio(numerator[:, j], denominator[:, j], indicator.scale)
    return Figures(level, units, value, numerator, denominator, periods)


def long_table(figures: Figures) -> pd.DataFrame:
    """One row per unit and indicator (indicator by indicator): value, numerator, denominator,
    and for service indicators the period(s) the figures come from."""
    n, k = figures.value.shape
    keys = list(INDICATORS)

    def per_indicator(labels: list[str]) -> np.ndarray:
        return np.repeat(np.array(labels, dtype=object), n)

    def per_unit(column: str) -> np.ndarray:
        return np.tile(figures.units[column].to_numpy(dtype=object), k)

    return pd.DataFrame(
        {
            "level": np.full(n * k, figures.level, dtype=object),
            "code": per_unit("code"),
            "name": per_unit("name"),
            "parent_code": per_unit("parent_code"),
            "indicator": per_indicator(keys),
            "pillar": per_indicator([INDICATORS[key].pillar.value for key in keys]),
            # column j of an (n, k) array, one after the other
            "value": figures.value.T.reshape(-1),
            "numerator": figures.numerator.T.reshape(-1),
            "denominator": figures.denominator.T.reshape(-1),
            "unit": per_indicator([INDICATORS[key].unit for key in keys]),
            # Which reporting period a value comes from (service figures only).
            "period": np.concatenate(
                [
                    figures.service_periods
                    if INDICATORS[key].numerator in SERVICE_COUNTS
                    else np.full(n, None, dtype=object)
                    for key in keys
                ]
            )
            if k
            else np.array([], dtype=object),
        }
    )
