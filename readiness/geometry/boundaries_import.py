"""Importing official boundaries: read, match to units, repair, simplify, report, store.

The file holds units of one era, given or detected (`era_detection.py`). All or nothing:
unless every unit of the level, in the provinces the file covers, got a shape (or the
caller allows a partial import), nothing is stored. Imported shapes replace approximate
ones and keep the file's name as their source; 2020 communes rebuild their districts
(`district_dissolve.py`); then every approximate shape of both eras is drawn again around
the imported ones (`ensure.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import shapely
from sqlmodel import Session

from inventory.actor import Actor
from inventory.audit import Change, begin
from inventory.models import AdminUnit, UnitLevel
from inventory.models.types import utcnow
from readiness.geometry.boundary_file import read_boundary_file
from readiness.geometry.district_dissolve import districts_from_communes
from readiness.geometry.ensure import ensure_approximate_boundaries, province_units
from readiness.geometry.era_detection import IMPORTABLE_LEVELS, choose_era
from readiness.geometry.polygonal import Areal, polygonal_part, repaired
from readiness.geometry.slivers import find_slivers
from readiness.geometry.store import write_shapes
from readiness.geometry.web_simplify import DEFAULT_TOLERANCE_M, simplify_for_web

# Unmatched features listed one by one up to this many (a national file has hundreds).
MAX_LISTED = 20


@dataclass
class ImportReport:
    file: str
    level: UnitLevel
    era: int = 2020
    era_how: str = ""
    provinces: tuple[str, ...] = ()
    layer: str | None = None
    source_crs: str = ""
    code_field: str | None = None
    name_field: str | None = None
    features: int = 0
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    slivers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    vertices_before: int = 0
    vertices_after: int = 0
    stored: int = 0
    districts_rebuilt: list[str] = field(default_factory=list)
    refusal: str | None = None
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = [
            f"file {self.file}" + (f", layer {self.layer}" if self.layer else ""),
            f"  {self.features} features, CRS {self.source_crs}",
            f"  {self.level.value}s of {self.era} ({self.era_how}); "
            f"province(s) {', '.join(self.provinces)}",
            f"  matched by code field {self.code_field or '-'}, "
            f"then name field {self.name_field or '-'}",
            *[f"  note: {n}" for n in self.notes],
            f"matched {len(self.matched)} {self.level.value}(s):",
            *[f"  {m}" for m in self.matched],
            f"{self.level.value}s without geometry: {len(self.missing)}",
            *[f"  {m}" for m in self.missing],
            f"features that matched nothing: {len(self.unmatched)}",
            *[f"  {u}" for u in self.unmatched[:MAX_LISTED]],
        ]
        if len(self.unmatched) > MAX_LISTED:
            out.append(f"  ... and {len(self.unmatched) - MAX_LISTED} more")
        out.append(f"repaired invalid geometry: {len(self.repaired)}")
        out += [f"  {r}" for r in self.repaired]
        out.append(f"slivers: {len(self.slivers)}")
        out += [f"  {s}" for s in self.slivers]
        out.append(
            f"vertices: {self.vertices_before} in the file, {self.vertices_after} after "
            "simplification"
        )
        if self.refusal:
            out.append(f"nothing stored: {self.refusal}")
        elif self.dry_run:
            out.append(f"dry run: {len(self.matched)} shape(s) would be stored; nothing stored")
        else:
            out.append(f"stored {self.stored} {self.level.value} shape(s) from {self.file}")
            if self.districts_rebuilt:
                out.append(
                    f"rebuilt {len(self.districts_rebuilt)} district shape(s) from their "
                    f"communes: {', '.join(self.districts_rebuilt)}"
                )
        return out


def _feature_label(position: int, code: object, name: object) -> str:
    parts = [f"feature {position + 1}"]
    if code is not None:
        parts.append(f"code={code}")
    if name is not None:
        parts.append(f"name={name}")
    return " ".join(parts)


def import_boundaries(
    session: Session,
    path: Path,
    *,
    province_code: str,
    level: UnitLevel | str | None = UnitLevel.district,
    code_field: str | None = None,
    name_field: str | None = None,
    layer: str | None = None,
    era: int | None = None,
    allow_partial: bool = False,
    simplify_m: float = DEFAULT_TOLERANCE_M,
    dry_run: bool = False,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> ImportReport:
    """Import the shapes of one level from a file, in the caller's transaction.

    `era` (2020 or 2025) and `level` say which units the file holds; None detects them.
    Returns the report; `report.refusal` says why nothing was stored, if so. What it stores
    is one change set of the audit trail by `actor` (None: the command line).
    """
    level = UnitLevel(level) if level is not None else None
    if level is not None and level not in IMPORTABLE_LEVELS:
        raise ValueError(f"cannot import {level.value} boundaries")
    now = now or utcnow()
    province_units(session, province_code)  # the configured province must be loaded
    boundary = read_boundary_file(path, layer=layer)
    frame = boundary.frame
    report = ImportReport(
        file=path.name,
        level=level or UnitLevel.district,
        layer=boundary.layer,
        source_crs=boundary.source_crs,
        features=len(frame),
        notes=list(boundary.notes),
    )
    choice = choose_era(
        session,
        frame,
        province_code=province_code,
        level=level,
        era=era,
        code_field=code_field,
        name_field=name_field,
        file_name=path.name,
    )
    units, match, level = choice.units, choice.match, choice.level
    report.level, report.era, report.era_how = level, choice.era, choice.how
    report.provinces = choice.provinces
    if choice.poor_fit:
        report.notes.append(choice.poor_fit)
    report.code_field, report.name_field = match.code_field, match.name_field
    report.notes += match.notes

    def label(position: int) -> str:
        row = frame.iloc[position]
        return _feature_label(
            position,
            row[match.code_field] if match.code_field else None,
            row[match.name_field] if match.name_field else None,
        )

    report.unmatched = [f"{label(p)}: {why}" for p, why in sorted(match.unmatched.items())]
    shapes: dict[str, Areal] = {}
    for code, unit_match in sorted(match.matches.items()):
        parts = []
        for position in unit_match.features:
            geometry = frame.geometry.iloc[position]
            if geometry is None or geometry.is_empty:
                report.notes.append(f"{label(position)} has no geometry")
                continue
            fixed, was_invalid = repaired(geometry)
            if was_invalid:
                report.repaired.append(f"{code} {unit_match.unit.name} ({label(position)})")
            if not fixed.is_empty:
                parts.append(fixed)
        if parts:
            shapes[code] = polygonal_part(shapely.union_all(parts))
            report.matched.append(
                f"{code} {unit_match.unit.name} (by {unit_match.how}, "
                f"{_feature_list(unit_match.features)})"
            )
        else:
            report.notes.append(f"{code} {unit_match.unit.name}: no area in its feature(s)")
    report.missing = [f"{u.code} {u.name}" for u in units if u.code not in shapes]

    names = {u.code: u.name for u in units}
    report.slivers = find_slivers(shapes, names)
    simplified = simplify_for_web(shapes, simplify_m)
    report.vertices_before, report.vertices_after = (
        simplified.vertices_before,
        simplified.vertices_after,
    )
    if simplified.note:
        report.notes.append(simplified.note)

    report.refusal = _refusal(report, units, shapes, allow_partial)
    report.dry_run = dry_run
    if report.refusal is None and not dry_run:
        change = Change(actor=actor or Actor.cli(), command="ictr boundaries import", file=path)
        begin(session, change)
        report.stored = write_shapes(
            session, simplified.shapes, approximate=False, source=path.name, now=now
        )
        if level == UnitLevel.commune and choice.era == 2020:
            report.districts_rebuilt = districts_from_communes(session, choice.provinces, now=now)
        ensure_approximate_boundaries(session, province_code, now=now)
    return report


def _feature_list(positions: list[int]) -> str:
    if len(positions) == 1:
        return f"feature {positions[0] + 1}"
    return "features " + ", ".join(str(p + 1) for p in positions)


def _refusal(
    report: ImportReport,
    units: list[AdminUnit],
    shapes: dict[str, Areal],
    allow_partial: bool,
) -> str | None:
    level = report.level.value
    if not shapes:
        return f"no feature of {report.file} matched a {level} of this province"
    if report.missing and not allow_partial:
        return (
            f"{len(report.missing)} of {len(units)} {level}s have no geometry in "
            f"{report.file} ({'; '.join(report.missing[:MAX_LISTED])}); "
            f"give --allow-partial to store the {len(shapes)} matched"
        )
    return None
