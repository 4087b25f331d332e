"""The map's own Streamlit component: a frame holding Leaflet and a few lines of script.

streamlit-folium's frame first fetches and runs a 225 kB React bundle, and only then, one
after the other, Leaflet's script and style sheet; this frame's page (`map_frame/`) names
Leaflet itself, so the browser fetches it while Streamlit is still preparing the map, and
draws as soon as the map arrives. The map is still built by folium (`map_build`): the
frame receives the script folium writes for it, so the plain page the benchmark compares
with and the dashboard draw the very same map.

A click on a unit comes back as the component's value, `{"kind", "code", "at"}`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import folium
import streamlit.components.v1 as components

from dashboard.map_build import MAP_CSS

FRAME_DIR = Path(__file__).parent / "map_frame"
# The frame's address is .../component/dashboard.map_component.ictr_map/index.html.
COMPONENT_NAME = "ictr_map"

_component = components.declare_component(COMPONENT_NAME, path=str(FRAME_DIR))


def frame_args(fmap: folium.Map) -> dict[str, str]:
    """What the frame needs to draw `fmap`: its script, its CSS, the id of the element it
    draws into, and a version that changes whenever any of them does."""
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
