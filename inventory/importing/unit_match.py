"""Find an administrative unit by GSO code or by name, as spreadsheets write them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from inventory.importing.fields import INVALID, Fields, is_blank
from inventory.importing.values import BadValue, text
from inventory.models import AdminUnit, UnitLevel
from inventory.text_keys import fold

_CODE_WIDTH = {UnitLevel.province: 2, UnitLevel.district: 3, UnitLevel.commune: 5}


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    level: UnitLevel
    parent: str | None


class UnitMatcher:
    def __init__(self) -> None:
        self.by_code: dict[str, _Unit] = {}
        self.by_name: dict[str, list[_Unit]] = {}  # by full name and by short name

    @classmethod
    def load(cls, session: Session) -> UnitMatcher:
        matcher = cls()
        for row in session.exec(select(AdminUnit)).all():
            unit = _Unit(row.code, row.name, UnitLevel(row.level), row.parent_code)
            matcher.by_code[row.code] = unit
            for key in {fold(row.name), fold(row.short_name)}:
                matcher.by_name.setdefault(key, []).append(unit)
        return matcher

    def find(
        self, value: object, *, level: UnitLevel | None = None, within: str | None = None
    ) -> str:
        """The unit's code. `within` restricts names to one district's communes."""
        raw = text(value)
        if raw.isdigit():
            widths = [_CODE_WIDTH[level]] if level else sorted(set(_CODE_WIDTH.values()))
            codes = {raw} | {raw.zfill(w) for w in widths if len(raw) <= w}
            found = [c for c in codes if c in self.by_code]
            if level:
                found = [c for c in found if self.by_code[c].level == level]
            if len(found) == 1:
                return found[0]
            raise BadValue("no unit with this GSO code (run `ictr init` for the province?)")
        candidates = self.by_name.get(fold(raw), [])
        if level:
            candidates = [u for u in candidates if u.level == level]
        if within:
            candidates = [u for u in candidates if u.parent == within or u.code == within]
        unique = {u.code: u for u in candidates}
        if len(unique) == 1:
            return next(iter(unique))
        if not unique:
            raise BadValue("no unit with this name or code")
        listed = ", ".join(sorted(unique))
        raise BadValue(f"several units have this name ({listed}): give the code or the district")


def row_units(fields: Fields, units: UnitMatcher) -> list[str | None]:
    """Per data row, the unit given by the unit, district and commune columns (most specific
    wins; a commune name is looked up inside the row's district). INVALID where bad."""
    cells = {name: fields.raw(name) for name in ("unit", "district", "commune")}
    unit, district, commune = cells["unit"], cells["district"], cells["commune"]
    out: list[str | None] = []
    for i in range(len(fields)):
        found: str | None = None
        current = "unit"
        district_code: str | None = None
        try:
            if not is_blank(district[i]):
                current = "district"
                district_code = units.find(district[i], level=UnitLevel.district)
                found = district_code
            if not is_blank(unit[i]):
                current = "unit"
                found = units.find(unit[i], within=None)
            if not is_blank(commune[i]):
                current = "commune"
                found = units.find(commune[i], level=UnitLevel.commune, within=district_code)
        except BadValue as exc:
            fields.fail(i, current, cells[current][i], str(exc))
            found = INVALID
        out.append(found)
    return out
