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
from inventory.settings import PROJECT_ROOT, Settings, get_settings

STATIC_DIR = PROJECT_ROOT / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.js.map", "leaflet.css")
# The map runs in its own component frame (dashboard/map_component.py), served at
# <base>/component/<name>/; a relative URL keeps working when Streamlit sits under a base
# path behind a proxy.
STATIC_URL_FROM_COMPONENT = "../../app/static"


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


def tile_setting(settings: Settings | None = None) -> TileSetting | None:
    """The local tile server (ICTR_TILE_URL, ICTR_TILE_ATTRIBUTION), if one is configured;
    None draws shapes on a plain background."""
    settings = get_settings() if settings is None else settings
    url = settings.tile_url
    if not url:
        return None
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise IctrError(
            f"ICTR_TILE_URL={url!r} lacks {', '.join(missing)}: write a tile URL template "
            "such as http://tiles.local/{z}/{x}/{y}.png"
        )
    return TileSetting(url, settings.tile_attribution or "Local tiles")
