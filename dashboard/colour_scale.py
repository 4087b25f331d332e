"""Choropleth classes: equal intervals over the values shown, darker meaning better.

Five classes are easy to tell apart on a printed page; with fewer distinct values there
are fewer classes. Missing values get their own grey, never the lowest class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# ColorBrewer YlGnBu, 5 classes (colour-blind safe, prints in grey).
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA_COLOUR = "#d9d9d9"
MAX_CLASSES = len(PALETTE)


@dataclass(frozen=True)
class ColourClass:
    low: float
    high: float
    colour: str


@dataclass(frozen=True)
class ColourScale:
    classes: tuple[ColourClass, ...]
    higher_is_better: bool

    def colour(self, value: float | None) -> str:
        if value is None or math.isnan(value) or not self.classes:
            return NO_DATA_COLOUR
        for cls in self.classes:
            if value <= cls.high:
                return cls.colour
        return self.classes[-1].colour


def build_scale(values: Sequence[float | None], *, higher_is_better: bool = True) -> ColourScale:
    present = sorted(v for v in values if v is not None and not math.isnan(v))
    if not present:
        return ColourScale((), higher_is_better)
    low, high = present[0], present[-1]
    count = min(MAX_CLASSES, len(set(present)))
    if count == 1 or high == low:
        colour = PALETTE[-1] if higher_is_better else PALETTE[0]
        return ColourScale((ColourClass(low, high, colour),), higher_is_better)
    step = (high - low) / count
    edges = [low + i * step for i in range(count)] + [high]
    # Spread the palette over the classes used, keeping its two ends.
    picks = [round(i * (MAX_CLASSES - 1) / (count - 1)) for i in range(count)]
    colours = [PALETTE[i] for i in picks]
    if not higher_is_better:
        colours.reverse()
    return ColourScale(
        tuple(ColourClass(edges[i], edges[i + 1], colours[i]) for i in range(count)),
        higher_is_better,
    )


# ColorBrewer RdBu, 5 classes: a fall in red, a rise in blue, no change in the pale middle
# (colour-blind safe). NO_DATA_COLOUR stays apart from its middle class.
CHANGE_PALETTE = ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0")
# Class edges as fractions of the largest change: the middle class is "about unchanged".
CHANGE_EDGES = (-1.0, -0.6, -0.2, 0.2, 0.6, 1.0)


def build_change_scale(
    values: Sequence[float | None], *, higher_is_better: bool = True
) -> ColourScale:
    """Classes symmetric around zero (a change), so the colour of no change is the same
    whatever the largest rise or fall; blue is better, red worse."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    if not present:
        return ColourScale((), higher_is_better)
    largest = max(abs(v) for v in present)
    if largest == 0:
        return ColourScale((ColourClass(0.0, 0.0, CHANGE_PALETTE[2]),), higher_is_better)
    colours = list(CHANGE_PALETTE if higher_is_better else reversed(CHANGE_PALETTE))
    edges = [largest * e for e in CHANGE_EDGES]
    return ColourScale(
        tuple(ColourClass(edges[i], edges[i + 1], colours[i]) for i in range(len(colours))),
        higher_is_better,
    )
