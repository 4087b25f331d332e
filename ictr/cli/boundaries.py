"""`ictr boundaries`: district and commune shapes of both eras for the map (status, import,
export)."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from inventory.db import get_engine, session_scope
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.models import UnitLevel
from inventory.settings import get_settings

# readiness.geometry pulls in geopandas (about a second): it is imported inside the commands,
# so that every other `ictr` command starts fast.
DEFAULT_TOLERANCE_M = 10.0

boundaries_app = typer.Typer(
    help="Ranh giới huyện, xã / district and commune boundaries: status, import, export.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class ImportLevel(enum.StrEnum):
    district = "district"
    commune = "commune"


class MapLevel(enum.StrEnum):
    province = "province"
    district = "district"
    commune = "commune"


class EraChoice(enum.StrEnum):
    e2020 = "2020"
    e2025 = "2025"


ERA_OPTION_HELP = (
    "Which era's units: 2020 (provinces, districts, communes until 2025-06-30) or 2025 "
    "(provinces and communes from 2025-07-01)."
)


def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="GeoJSON, Shapefile (.shp or zipped), GeoPackage or KML file.",
            show_default=False,
        ),
    ],
    level: Annotated[
        ImportLevel | None,
        typer.Option("--level", help="Which units the file holds (default: detected, as the era)."),
    ] = None,
    code_field: str | None = typer.Option(
        None, "--code-field", help="Field holding the GSO code (default: detected)."
    ),
    name_field: str | None = typer.Option(
        None, "--name-field", help="Field holding the unit name (default: detected)."
    ),
    layer: str | None = typer.Option(
        None, "--layer", help="Layer to read, for files with several (GeoPackage, KML, zip)."
    ),
    era: EraChoice | None = typer.Option(
        None, "--era", help=ERA_OPTION_HELP + " Default: detected from the codes and names."
    ),
    allow_partial: bool = typer.Option(
        False, "--allow-partial", help="Store the matched units even if some have no shape."
    ),
    simplify: float = typer.Option(
        DEFAULT_TOLERANCE_M,
        "--simplify",
        min=0.0,
        help="Simplify for the web map by about this many metres (0 keeps every vertex).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report only; store nothing."),
) -> None:
    """Import official boundaries; they replace the approximate shapes of matched units."""
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        from readiness.geometry import import_boundaries

        report = import_boundaries(
            session,
            file,
            province_code=get_settings().province_code,
            level=UnitLevel(level.value) if level else None,
            code_field=code_field,
            name_field=name_field,
            layer=layer,
            era=int(era.value) if era else None,
            allow_partial=allow_partial,
            simplify_m=simplify,
            dry_run=dry_run,
        )
    for line in report.lines():
        typer.echo(line)
    if report.refusal:
        raise IctrError(f"{file.name}: nothing stored: {report.refusal}")


def status() -> None:
    """Per era and level, how many units have a shape, approximate or imported (from which
    file, when): the configured province's era first, then the other era's provinces on its
    territory."""
    engine = get_engine()
    require_current_schema(engine)
    settings = get_settings()
    from inventory.eras import split_unit_key
    from readiness.geometry import level_frame

    own = split_unit_key(settings.province_code)[0].year
    years = sorted((int(e.value) for e in EraChoice), key=lambda y: (y != own, y))
    with session_scope(engine) as session:
        frames = {
            (year, lvl): level_frame(session, lvl, province_code=settings.province_code, era=year)
            for year in years
            for lvl in MapLevel
            if not (year == 2025 and lvl == MapLevel.district)
        }
    for (year, lvl), frame in frames.items():
        approximate = int(frame["approximate"].sum())
        imported = frame[~frame["approximate"].astype(bool)]
        sources = []
        for source, rows in imported.groupby("source", sort=True):
            latest = max(datetime.fromisoformat(t) for t in rows["updated_at"])
            sources.append(f"{source} ({len(rows)}, {latest.astimezone(settings.zone):%Y-%m-%d})")
        typer.echo(
            f"{year} {lvl.value:9} {len(frame):4} shapes: {approximate:4} approximate, "
            f"{len(imported):4} imported from {', '.join(sources) or '-'}"
        )


def export(
    out: Annotated[Path, typer.Argument(help="GeoJSON file to write.", show_default=False)],
    level: Annotated[
        MapLevel, typer.Option("--level", help="Which units to write.")
    ] = MapLevel.district,
    era: EraChoice | None = typer.Option(
        None, "--era", help=ERA_OPTION_HELP + " Default: the configured province's."
    ),
) -> None:
    """Write the stored shapes of a level as GeoJSON (to check them in QGIS, for example)."""
    from inventory.eras import split_unit_key

    province_code = get_settings().province_code
    year = int(era.value) if era else split_unit_key(province_code)[0].year
    if year == 2025 and level == MapLevel.district:
        raise IctrError(
            "the 2025 structure has no districts (two-level local government since "
            "2025-07-01): use --level commune or --era 2020"
        )
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        from readiness.geometry import level_feature_collection

        collection = level_feature_collection(
            session,
            level.value,
            province_code=province_code,
            era=year,
        )
    if not collection["features"]:
        raise IctrError(f"no {level.value} shapes stored: run `ictr init` first")
    out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    typer.echo(f"wrote {len(collection['features'])} {level.value} shapes to {out}")


def register(app: typer.Typer) -> None:
    boundaries_app.command("import")(import_command)
    boundaries_app.command()(status)
    boundaries_app.command()(export)
    app.add_typer(boundaries_app, name="boundaries")
