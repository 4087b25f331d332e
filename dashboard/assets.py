"""Leaflet served by the dashboard itself: the government network has no CDN.

Leaflet comes from the `xstatic-leaflet` package and is copied into `static/vendor/leaflet`
beside app.py, which Streamlit serves at `app/static/...` when `server.enableStaticServing`
is on (`ictr up` and .streamlit/config.toml turn it on). The copy is not committed; it is
refreshed whenever the installed package differs.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from inventory.errors import IctrError
from inventory.settings import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.js.map", "leaflet.css")
# The map runs in its own component frame (dashboard/map_component.py), served at
# <base>/component/<name>/; a relative URL keeps working when Streamlit sits under a base
# path behind a proxy.
STATIC_URL_FROM_COMPONENT = "../../app/static"
TILE_URL_SETTING = "ICTR_TILE_URL"
TILE_ATTRIBUTION_SETTING = "ICTR_TILE_ATTRIBUTION"


@dataclass(frozen=True)
class AssetUrls:
    leaflet_js: str
    leaflet_css: str


def leaflet_source() -> Path:
    import xstatic.pkg.leaflet

    return Path(xstatic.pkg.leaflet.BASE_DIR)


def ensure_leaflet_assets(target: Path = LEAFLET_DIR) -> Path:
    """Copy Leaflet's script, style sheet and images under `target` unless already there."""
    source = leaflet_source()
    names = [*LEAFLET_FILES, *(f"images/{p.name}" for p in sorted((source / "images").iterdir()))]
    for name in names:
        src, dst = source / name, target / name
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a browser never fetches a half-copied file.
        partial = dst.with_name(dst.name + ".partial")
        shutil.copyfile(src, partial)
        os.replace(partial, dst)
    return target


def asset_urls(base: str = STATIC_URL_FROM_COMPONENT) -> AssetUrls:
    return AssetUrls(
        leaflet_js=f"{base}/vendor/leaflet/leaflet.js",
        leaflet_css=f"{base}/vendor/leaflet/leaflet.css",
    )


@dataclass(frozen=True)
class TileSetting:
    url: str
    attribution: str


def tile_setting(environ: dict[str, str] | None = None) -> TileSetting | None:
    """The local tile server, if one is configured; None draws shapes on a plain background."""
    environ = dict(os.environ) if environ is None else environ
    url = environ.get(TILE_URL_SETTING, "").strip()
    if not url:
        return None
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise IctrError(
            f"{TILE_URL_SETTING}={url!r} lacks {', '.join(missing)}: write a tile URL template "
            "such as http://tiles.local/{z}/{x}/{y}.png"
        )
    attribution = environ.get(TILE_ATTRIBUTION_SETTING, "").strip() or "Local tiles"
    return TileSetting(url, attribution)
