"""Two folium elements of our own: a GeoJSON layer and a legend.

folium's GeoJsonTooltip and GeoJsonPopup put property values into the page as raw HTML, so
a computer named `<script>` would run. Here every tooltip and popup is HTML built in Python
from escaped text (see `map_build`), and the data reaches the page through `script_json`,
which escapes `<`, `>`, `&` and `'` as `tojson` does. Styles come per feature, ready-made,
so no Python function has to be evaluated per feature at render time.

Both render literally (`map_literal`): the JSON holding the data is printed into the
script once, never read again as a template.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Template

from dashboard.map_literal import LiteralMacroElement

# What must not appear raw inside a <script> element (or a JS string), as JSON escapes.
_SCRIPT_UNSAFE = str.maketrans(
    {c: f"\\u{ord(c):04x}" for c in ("<", ">", "&", "'", "\u2028", "\u2029")}
)


def script_json(value: Any) -> str:
    """JSON safe to place in a <script> element, like Jinja's `tojson` but compact and
    keeping Vietnamese letters as they are (half the bytes of `\\u1ea1` escapes)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_UNSAFE)


class FeatureLayer(LiteralMacroElement):
    """A GeoJSON FeatureCollection whose features carry a `style` (or a `status` naming one
    of `styles`), a `tooltip`, and for a popup a `title` and `cells` to go with the
    `popup_labels`: all of them HTML already escaped.

    Points are drawn as circle markers in Leaflet's marker pane, above the shapes, so that
    a highlighted shape never hides them.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var styles = {{ this.styles_json }}, labels = {{ this.labels_json }};
    function styleOf(p) { return p.style || styles[p.status]; }
    // Title and cells arrive HTML-escaped; only constant markup is added here.
    function popup(p) {
        var rows = labels.map(function (label, i) {
            return "<tr><th>" + label + "</th><td>" + p.cells[i] + "</td></tr>";
        });
        return '<div class="ictr-tip"><b>' + p.title + "</b><table>" + rows.join("") +
            "</table></div>";
    }
    return L.geoJSON({{ this.data_json }}, {
    className: {{ this.class_name|tojson }},
    style: function (feature) { return styleOf(feature.properties); },
    pointToLayer: function (feature, latlng) {
        var options = Object.assign({pane: "markerPane"}, styleOf(feature.properties));
        return L.circleMarker(latlng, options);
    },
    onEachFeature: function (feature, layer) {
        var p = feature.properties;
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {sticky: {{ this.sticky|tojson }}}); }
        if (p.cells) { layer.bindPopup(function () { return popup(p); }, {maxWidth: 360}); }
        {% if this.highlight %}
        layer.on("mouseover", function () {
            layer.setStyle({weight: 3, color: "#111111"});
            layer.bringToFront();
        });
        layer.on("mouseout", function () { {{ this.get_name() }}.resetStyle(layer); });
        {% endif %}
        {% if this.selectable %}
        // The dashboard's map frame defines ictrSelect (dashboard/map_frame/map_frame.js).
        layer.on("click", function () { if (window.ictrSelect) { window.ictrSelect(p); } });
        {% endif %}
    }
    });
})().addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        name: str,
        class_name: str,
        highlight: bool = False,
        selectable: bool = False,
        sticky: bool = True,
        styles: dict[str, dict[str, Any]] | None = None,
        popup_labels: list[str] | None = None,
    ) -> None:
        super().__init__()
        self._name = "FeatureLayer"
        self.layer_name = name
        self.data = data
        self.data_json = script_json(data)
        # Shared by every feature naming them (`status`), to keep 2,000 points small.
        self.styles_json = script_json(styles or {})
        self.labels_json = script_json(popup_labels or [])
        self.class_name = class_name
        self.highlight = highlight
        self.selectable = selectable
        self.sticky = sticky


class MapLegend(LiteralMacroElement):
    """A Leaflet control holding ready-made (escaped) legend HTML."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", "ictr-legend");
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, html: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "MapLegend"
        self.html = html
        self.position = position
