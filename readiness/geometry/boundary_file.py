"""Reading a boundary file (GeoJSON, Shapefile, GeoPackage, KML) into longitude/latitude.

Any declared CRS is reprojected to EPSG:4326 with PROJ, which knows the datum shift of the
Vietnamese VN-2000 systems (EPSG:4756 and the projections built on it) to WGS 84.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError
from pyproj.transformer import TransformerGroup

from inventory.errors import IctrError

SUPPORTED_SUFFIXES = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "Shapefile",
    ".zip": "zipped Shapefile",
    ".gpkg": "GeoPackage",
    ".kml": "KML",
    ".kmz": "KML",
}
WGS84 = CRS.from_epsg(4326)


@dataclass
class BoundaryFile:
    path: Path
    layer: str | None
    frame: gpd.GeoDataFrame  # EPSG:4326, 2-D
    source_crs: str
    notes: list[str] = field(default_factory=list)


def _choose_layer(path: Path, layer: str | None) -> tuple[str | None, bool]:
    """The layer to read, and whether the file has several."""
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises several error types for unreadable files
        raise IctrError(f"{path.name}: cannot read as a vector file ({exc})") from None
    names = [str(name) for name, _ in layers]
    if layer is not None:
        if layer not in names:
            raise IctrError(f"{path.name}: no layer {layer!r}; layers: {', '.join(names)}")
        return layer, len(names) > 1
    if len(names) <= 1:
        return (names[0] if names else None), False
    polygonal = [str(n) for n, kind in layers if kind is not None and "Polygon" in str(kind)]
    if len(polygonal) == 1:
        return polygonal[0], True
    raise IctrError(
        f"{path.name} has {len(names)} layers ({', '.join(names)}): choose one with --layer"
    )


def _looks_like_degrees(frame: gpd.GeoDataFrame) -> bool:
    west, south, east, north = frame.total_bounds
    return bool(np.all(np.isfinite([west, south, east, north]))) and (
        -180 <= west <= east <= 180 and -90 <= south <= north <= 90
    )


def _first_outside_degrees(frame: gpd.GeoDataFrame) -> int | None:
    """The position of the first feature with a coordinate that is not a finite longitude/
    latitude (NaN, 1e300, a wrong CRS): later steps (UTM zones, areas) cannot handle them."""
    xy, feature = shapely.get_coordinates(frame.geometry.to_numpy(), return_index=True)
    with np.errstate(invalid="ignore"):
        wrong = ~np.isfinite(xy).all(axis=1) | (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    return int(feature[wrong].min()) if wrong.any() else None


def _transformation_note(crs: CRS) -> str | None:
    """Warn when PROJ knows no datum shift from the file's CRS to WGS 84: positions could be
    off by hundreds of metres (typical of a VN-2000 .prj written without TOWGS84)."""
    try:
        candidates = TransformerGroup(crs, WGS84, always_xy=True).transformers
    except ProjError:
        return None
    if candidates and not all("ballpark" in t.description.lower() for t in candidates):
        return None
    datum = crs.datum.name if crs.datum is not None else "an unnamed datum"
    return (
        f"warning: no datum shift is known from {datum} to WGS 84, so positions may be off "
        "by up to a few hundred metres; if the file is in VN-2000, give it a CRS that says "
        "so (e.g. EPSG:3405, or a .prj with TOWGS84 parameters)"
    )


def read_boundary_file(path: Path, *, layer: str | None = None) -> BoundaryFile:
    """The file's features in EPSG:4326 with 2-D geometry; raises IctrError on bad input."""
    if not path.exists():
        raise IctrError(f"{path}: no such file")
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise IctrError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    chosen, several = _choose_layer(path, layer)
    # GDAL's complaints ("Non closed ring detected") become notes of the report, not lines
    # of Python's warning format on stderr.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = gpd.read_file(path, layer=chosen, engine="pyogrio")
        except Exception as exc:  # pyogrio raises several error types for unreadable files
            raise IctrError(f"{path.name}: cannot read as {kind} ({exc})") from None
    notes: list[str] = list(dict.fromkeys(f"reading the file: {w.message}" for w in caught))
    if frame.empty:
        raise IctrError(
            f"{path.name}: the layer {chosen or ''} holds no features".replace("  ", " ")
        )
    if frame.crs is None:
        if not _looks_like_degrees(frame):
            raise IctrError(
                f"{path.name} declares no coordinate reference system and its coordinates "
                "are not longitude/latitude; save it with its CRS (for a Shapefile, the .prj)"
            )
        notes.append("no CRS declared; the coordinates look like longitude/latitude (EPSG:4326)")
        frame = frame.set_crs(WGS84)
    try:
        source_crs = CRS.from_user_input(frame.crs)
    except CRSError as exc:
        raise IctrError(f"{path.name}: unusable coordinate reference system ({exc})") from None
    described = f"{source_crs.name}" + (
        f" (EPSG:{source_crs.to_epsg()})" if source_crs.to_epsg() else ""
    )
    if not source_crs.equals(WGS84, ignore_axis_order=True):
        note = _transformation_note(source_crs)
        if note:
            notes.append(note)
        frame = frame.to_crs(WGS84)
        notes.append(f"reprojected from {described} to WGS 84 (EPSG:4326)")
    frame = frame.set_geometry(frame.geometry.force_2d())
    outside = _first_outside_degrees(frame)
    if outside is not None:
        raise IctrError(
            f"{path.name}: feature {outside + 1} has coordinates that are not longitude/"
            f"latitude (-180..180, -90..90) when read as {described}"
        )
    return BoundaryFile(
        path=path,
        layer=chosen if several else None,
        frame=frame,
        source_crs=described,
        notes=notes,
    )
