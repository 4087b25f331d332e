"""Two folium elements of our own: a GeoJSON layer and a legend.

folium's GeoJsonTooltip and GeoJsonPopup put property values into the page as raw HTML, so
a computer named `<script>` would run. Here every tooltip and popup is HTML built in Python
from escaped text (see `map_build`), and the data reaches the page through `tojson`, which
escapes `<`, `>` and `&`. Styles come per feature, ready-made, so no Python function has to
be evaluated per feature at render time.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from jinja2 import Template


class FeatureLayer(MacroElement):
    """A GeoJSON FeatureCollection whose features carry `style`, `tooltip` and `popup`.

    Points are drawn as circle markers in Leaflet's marker pane, above the shapes, so that
    a highlighted shape never hides them.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data|tojson }}, {
    className: {{ this.class_name|tojson }},
    style: function (feature) { return feature.properties.style; },
    pointToLayer: function (feature, latlng) {
        var options = Object.assign({pane: "markerPane"}, feature.properties.style);
        return L.circleMarker(latlng, options);
    },
    onEachFeature: function (feature, layer) {
        var p = feature.properties;
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {sticky: {{ this.sticky|tojson }}}); }
        if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 360}); }
        {% if this.highlight %}
        layer.on("mouseover", function () {
            layer.setStyle({weight: 3, color: "#111111"});
            layer.bringToFront();
        });
        layer.on("mouseout", function () { {{ this.get_name() }}.resetStyle(layer); });
        {% endif %}
    }
}).addTo({{ this._parent.get_name() }});
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
        sticky: bool = True,
    ) -> None:
        super().__init__()
        self._name = "FeatureLayer"
        self.layer_name = name
        self.data = data
        self.class_name = class_name
        self.highlight = highlight
        self.sticky = sticky


class MapLegend(MacroElement):
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
