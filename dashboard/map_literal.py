"""folium elements whose output reaches the page as text, never as template source.

branca's `MacroElement.render` wraps what an element's macros produce in `Element(text)`,
and `Element(text)` compiles that text as a new Jinja template, rendered again with the
page. Whatever the data put into the first rendering (a point's name in the map's JSON, a
boundary file's name in the legend) would be evaluated the second time: `{{ 7*191 }}`
became `1337`, a name with an unbalanced `{{` broke the page for every visitor, and
`{{ cycler.__init__.__globals__.os.popen(...) }}` ran a shell command on the server.

Here the macros' output goes into a `LiteralElement`, whose only template is the fixed
`{{ this.text }}`: the text is a Jinja *variable*, printed as it is. Every element on the
dashboard's map is one of these (`map_component.frame_args` refuses any other).
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import ElementAddToElement
from folium.map import FitBounds
from jinja2 import Template


class LiteralElement(Element):
    """Text placed in the page exactly as given."""

    # Not autoescaped: the text is HTML or script already made safe where it was built.
    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "LiteralElement"
        self.text = text


class LiteralMacroElement(MacroElement):
    """A MacroElement whose header, html and script macros are rendered once, with the
    element as their variable, and added to the figure as `LiteralElement`s."""

    # branca types Element.render as returning text; MacroElement.render (untyped) returns
    # nothing, and neither does this one, which takes its place.
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} can only be rendered inside a Figure")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                target: Element = getattr(figure, part)
                target.add_child(LiteralElement(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


# folium's own elements, with the rendering above in place of branca's: the class order
# puts LiteralMacroElement.render where MacroElement.render was, below folium's own steps
# (adding script links, adding a layer to its map).
class LiteralMap(folium.Map, LiteralMacroElement):
    pass


class LiteralTileLayer(folium.TileLayer, LiteralMacroElement):
    pass


class LiteralFitBounds(FitBounds, LiteralMacroElement):
    pass


# What folium adds by itself while rendering a layer: `<layer>.addTo(<map>)`, two names
# branca generates, no text from anywhere else.
_NAMES_ONLY = (ElementAddToElement,)
# branca's own `<meta charset>` line in every figure's header: constant text.
_FIGURE_META = "meta_http"


def template_elements(root: Element) -> list[str]:
    """The elements under `root` (itself included, and a figure's header, html and script)
    that would compile text as a template: a MacroElement not rendered literally, or a
    plain Element made from text (`Element(text)`)."""
    found: list[str] = []

    def visit(element: Element, name: str) -> None:
        if isinstance(element, MacroElement):
            if not isinstance(element, (LiteralMacroElement, *_NAMES_ONLY)):
                found.append(type(element).__name__)
        elif element._template_str is not None and name != _FIGURE_META:
            found.append(f"{type(element).__name__} {name!r}")
        children = list(element._children.items())
        if isinstance(element, Figure):
            children += [("header", element.header), ("html", element.html)]
            children.append(("script", element.script))
        for child_name, child in children:
            visit(child, child_name)

    visit(root, root.get_name())
    return found
