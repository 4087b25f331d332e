"""The map's own Streamlit component: a frame holding Leaflet and a few lines of script.

streamlit-folium's frame first fetches and runs a 225 kB React bundle, and only then, one
after the other, Leaflet's script and style sheet. This frame is one page, built at start
from `map_frame/index.html` with Leaflet (from the installed xstatic-leaflet, as
`dashboard.assets`) and `map_frame/map_frame.js` inside it: one request, then the map is
drawn as soon as Streamlit hands it over. The map is still built by folium (`map_build`):
the frame runs the script folium writes for it, so the plain page the benchmark compares
with and the dashboard draw the very same map.

A click on a unit comes back as the component's value, `{"kind", "code", "at"}`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import folium
import streamlit.components.v1 as components

from dashboard.assets import STATIC_DIR, STATIC_URL_FROM_COMPONENT, leaflet_source
from dashboard.map_build import MAP_CSS
from dashboard.map_literal import template_elements

SOURCE_DIR = Path(__file__).parent / "map_frame"
FRAME_DIR = STATIC_DIR / "map_frame"  # the page built from SOURCE_DIR, never committed
# The frame's address is .../component/dashboard.map_component.ictr_map/index.html.
COMPONENT_NAME = "ictr_map"


def _inline(text: str) -> str:
    # Nothing inside may end the <script> or <style> element it is placed in.
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def build_frame_page(target: Path = FRAME_DIR) -> Path:
    """Write the frame's page (`target`/index.html) unless it is already up to date."""
    leaflet = leaflet_source()
    # Leaflet's style sheet names its images relative to itself: point them at the copy
    # the dashboard serves (dashboard/assets.py).
    css = (leaflet / "leaflet.css").read_text(encoding="utf-8")
    css = css.replace("url(images/", f"url({STATIC_URL_FROM_COMPONENT}/vendor/leaflet/images/")
    page = (SOURCE_DIR / "index.html").read_text(encoding="utf-8")
    for marker, text in (
        ("/* leaflet.css */", css),
        ("/* leaflet.js */", (leaflet / "leaflet.js").read_text(encoding="utf-8")),
        ("/* map_frame.js */", (SOURCE_DIR / "map_frame.js").read_text(encoding="utf-8")),
    ):
        page = page.replace(marker, _inline(text))
    path = target / "index.html"
    if not path.exists() or path.read_text(encoding="utf-8") != page:
        target.mkdir(parents=True, exist_ok=True)
        partial = path.with_name("index.html.partial")
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, path)  # a browser never gets half a page
    return path


build_frame_page()
_component = components.declare_component(COMPONENT_NAME, path=str(FRAME_DIR))


def frame_args(fmap: folium.Map) -> dict[str, str]:
    """What the frame needs to draw `fmap`: its script, its CSS, the id of the element it
    draws into, and a version that changes whenever any of them does.

    Refuses a map holding an element that would read its own output as a template
    (`map_literal`): with data in that output, it would run on the server."""
    unsafe = template_elements(fmap.get_root())
    if unsafe:
        raise TypeError(f"map elements that render data as a template: {', '.join(unsafe)}")
    # Leaflet comes with the frame's page; the map adds no script or style sheet of its own.
    fmap.default_js = []
    fmap.default_css = []
    root = fmap.get_root()
    root.render()
    script = root.script.render()  # type: ignore[attr-defined]
    version = hashlib.sha256(f"{MAP_CSS}\0{script}".encode()).hexdigest()[:20]
    return {"script": script, "css": MAP_CSS, "map_id": fmap.get_name(), "version": version}


def show_map(
    args: dict[str, str],
    *,
    key: str,
    height: int,
    on_change: Callable[[], None] | None = None,
) -> Any:
    """Draw the map (`frame_args`) `height` pixels high; returns the last click's value."""
    return _component(
        script=args["script"],
        css=args["css"],
        map_id=args["map_id"],
        version=args["version"],
        height=height,
        key=key,
        default=None,
        on_change=on_change,
    )


def clicked_unit(value: object) -> str | None:
    """The code of the unit a click chose, or None (no click yet, or anything else)."""
    if not isinstance(value, dict) or value.get("kind") != "unit":
        return None
    code = value.get("code")
    return code if isinstance(code, str) else None
