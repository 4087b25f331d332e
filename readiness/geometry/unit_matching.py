"""Which feature of a boundary file is which unit: by GSO code, or else by name.

Names are compared without case, diacritics, spacing or the unit-type prefix, so "Huyện
Đồng Văn", "Dong Van" and "H. Đồng Văn" are one name. When one name fits several units
(communes of different districts may share a name), the unit whose published point lies
inside the feature wins. Codes are compared with the units' published GSO codes
(02264, not the key 02264@2025): the units given are those of one era, where a code names
one unit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from inventory.eras import split_unit_key
from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitLevel
from inventory.text_keys import compact, fold

CODE_WIDTH = {UnitLevel.district: 3, UnitLevel.commune: 5}
# Unit types and their abbreviations, folded, longest first so "thanh pho" wins over "t...".
_TYPE_PREFIX = re.compile(
    r"^(?:thanh pho|thi xa|thi tran|huyen|quan|phuong|xa|tp|tx|tt|h|q|p|x) (?=\S)"
)
_CODE_NAME_TOKENS = {"code", "ma", "gso", "pcode"}
_NAME_FIELD_HINTS = ("name", "ten")


def gso_code(value: object, width: int) -> str | None:
    """The value as a zero-padded GSO code of `width` digits, or None if it is not one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value != int(value) or value < 0:
            return None
        text = str(int(value))
    else:
        text = str(value).strip().removesuffix(".0")
    if not text.isdigit() or len(text) > width:
        return None
    return text.zfill(width)


def published_code(unit: AdminUnit) -> str:
    """The GSO code a file would hold for this unit (its key without the era)."""
    return split_unit_key(unit.code)[1]


def _bare(folded: str) -> str:
    return _TYPE_PREFIX.sub("", folded, count=1)


def name_keys(text: str) -> tuple[str, str]:
    """(full key, key without the unit-type prefix), both without spaces."""
    folded = fold(text)
    return compact(folded), compact(_bare(folded))


def _looks_like_code_field(column: str) -> bool:
    tokens = fold(column).split()
    joined = "".join(tokens)
    return (
        any(t in _CODE_NAME_TOKENS for t in tokens)
        or joined.endswith("code")
        or joined.startswith(("ma", "gso"))
    )


@dataclass
class UnitMatch:
    unit: AdminUnit
    features: list[int]
    how: str  # "code" or "name"


@dataclass
class MatchResult:
    code_field: str | None
    name_field: str | None
    matches: dict[str, UnitMatch] = field(default_factory=dict)
    unmatched: dict[int, str] = field(default_factory=dict)  # feature index -> why
    notes: list[str] = field(default_factory=list)
    # Features matched by code whose name is another unit's: a sign of the wrong era.
    name_conflicts: int = 0

    @property
    def features_matched(self) -> int:
        return sum(len(m.features) for m in self.matches.values())

    def missing(self, units: Sequence[AdminUnit]) -> list[AdminUnit]:
        return [u for u in units if u.code not in self.matches]


class _NameIndex:
    def __init__(self, units: Sequence[AdminUnit]) -> None:
        self.full: dict[str, list[AdminUnit]] = {}
        self.bare: dict[str, list[AdminUnit]] = {}
        for unit in units:
            keys_full = {name_keys(unit.name)[0], name_keys(unit.short_name)[0]}
            keys_bare = {name_keys(unit.name)[1], name_keys(unit.short_name)[1]}
            for key in keys_full | keys_bare:
                self.full.setdefault(key, []).append(unit)
            for key in keys_bare:
                self.bare.setdefault(key, []).append(unit)

    def candidates(self, text: str) -> list[AdminUnit]:
        full, bare = name_keys(text)
        found = self.full.get(full) or self.bare.get(bare) or []
        return list({u.code: u for u in found}.values())


def _disambiguate(candidates: list[AdminUnit], geometry: BaseGeometry | None) -> AdminUnit | None:
    if len(candidates) == 1:
        return candidates[0]
    if geometry is None or geometry.is_empty:
        return None
    inside = [
        u
        for u in candidates
        if u.longitude is not None
        and u.latitude is not None
        and geometry.covers(Point(u.longitude, u.latitude))
    ]
    return inside[0] if len(inside) == 1 else None


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _require_column(frame: pd.DataFrame, column: str, option: str, file_name: str) -> None:
    if column not in frame.columns:
        fields = ", ".join(str(c) for c in frame.columns if c != "geometry")
        raise IctrError(f"{file_name}: no field {column!r} for {option}; fields: {fields}")


def _code_hits(frame: pd.DataFrame, column: str, codes: set[str], width: int) -> int:
    return sum(gso_code(v, width) in codes for v in frame[column])


def _name_hits(frame: pd.DataFrame, column: str, index: _NameIndex) -> int:
    return sum(bool(index.candidates(t)) for v in frame[column] if (t := _text(v)) is not None)


def _pick_fields(
    frame: pd.DataFrame,
    units: Sequence[AdminUnit],
    width: int,
    index: _NameIndex,
    code_field: str | None,
    name_field: str | None,
    file_name: str,
) -> tuple[str | None, str | None]:
    """The given fields, or else the code-like and text fields that match the most units."""
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    codes = {published_code(u) for u in units}
    if code_field is not None:
        _require_column(frame, code_field, "--code-field", file_name)
    else:
        scored = [
            (_code_hits(frame, c, codes, width), -i, c)
            for i, c in enumerate(columns)
            if _looks_like_code_field(c)
        ]
        best = max(scored, default=(0, 0, None))
        code_field = best[2] if best[0] > 0 else None
    if name_field is not None:
        _require_column(frame, name_field, "--name-field", file_name)
    else:
        texts = [
            c
            for c in columns
            if c != code_field
            and (is_string_dtype(frame[c].dtype) or is_object_dtype(frame[c].dtype))
        ]
        scored_names = [
            (_name_hits(frame, c, index), any(h in fold(c) for h in _NAME_FIELD_HINTS), -i, c)
            for i, c in enumerate(texts)
        ]
        best_name = max(scored_names, default=(0, False, 0, None))
        name_field = best_name[3] if best_name[0] > 0 else None
    return code_field, name_field


def match_features(
    frame: pd.DataFrame,
    units: Sequence[AdminUnit],
    level: UnitLevel,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    file_name: str = "file",
) -> MatchResult:
    """Match every feature (row) of `frame` to at most one of `units` (all of `level`).

    A feature whose code is a unit's GSO code is that unit. A feature without a usable code
    is matched by name. A code that names no unit of the province rules the feature out
    (it belongs elsewhere), whatever its name says. Several features of one unit are kept
    together (their shapes are merged later).
    """
    width = CODE_WIDTH[level]
    index = _NameIndex(units)
    by_code = {published_code(u): u for u in units}
    code_field, name_field = _pick_fields(
        frame, units, width, index, code_field, name_field, file_name
    )
    result = MatchResult(code_field=code_field, name_field=name_field)
    if code_field is None and name_field is None:
        return _nothing_usable(frame, result, level)
    geometries = frame.geometry if hasattr(frame, "geometry") else None
    for position, (_, row) in enumerate(frame.iterrows()):
        geometry = geometries.iloc[position] if geometries is not None else None
        raw_code = row[code_field] if code_field else None
        code = gso_code(raw_code, width) if code_field else None
        name = _text(row[name_field]) if name_field else None
        unit: AdminUnit | None = None
        how = ""
        if code is not None:
            unit = by_code.get(code)
            how = "code"
            if unit is None:
                result.unmatched[position] = f"code {code} is no {level.value} of this province"
                continue
            if name is not None and unit not in index.candidates(name):
                result.name_conflicts += 1
                result.notes.append(
                    f"feature {position + 1}: code {code} is {unit.name} but its name is "
                    f"{name!r}; matched by code"
                )
        elif name is not None:
            candidates = index.candidates(name)
            unit = _disambiguate(candidates, geometry)
            how = "name"
            if unit is None:
                result.unmatched[position] = (
                    f"name {name!r} fits several units "
                    f"({', '.join(f'{u.code} {u.name}' for u in candidates)})"
                    if candidates
                    else f"name {name!r} is no {level.value} of this province"
                )
                continue
        else:
            shown = f"code {_text(raw_code)!r}" if _text(raw_code) else "no code"
            result.unmatched[position] = f"{shown} and no name"
            continue
        match = result.matches.get(unit.code)
        if match is None:
            result.matches[unit.code] = UnitMatch(unit, [position], how)
        else:
            match.features.append(position)
    for match in result.matches.values():
        if len(match.features) > 1:
            numbers = ", ".join(str(i + 1) for i in match.features)
            result.notes.append(
                f"{match.unit.code} {match.unit.name}: features {numbers} merged into one shape"
            )
    return result


def _nothing_usable(frame: pd.DataFrame, result: MatchResult, level: UnitLevel) -> MatchResult:
    for position in range(len(frame)):
        result.unmatched[position] = f"no field holds a {level.value} code or name of this province"
    return result
