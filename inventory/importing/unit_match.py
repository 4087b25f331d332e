"""Find an administrative unit by GSO code or by name, as spreadsheets write them, in the
structure of one era (the 2020 provinces, districts and communes, or the two-level structure
in force since 1 July 2025).

A GSO code alone does not name a unit across eras (commune 00745 is Phố Cáo in 2020 and Phố
Bảng in 2025), so a file's units are read in one era: the one `--era` gives, else the one
every row's units fit (`row_units`); when both fit, the configured province's. A file naming
units of both eras is refused at the first row that breaks with the rows above it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from inventory.eras import ERAS, Era, era_of_year, split_unit_key
from inventory.errors import IctrError
from inventory.importing.fields import INVALID, Fields, is_blank
from inventory.importing.options import ImportOptions
from inventory.importing.values import BadValue, text
from inventory.models import AdminUnit, UnitLevel
from inventory.settings import get_settings
from inventory.text_keys import fold

_CODE_WIDTH = {UnitLevel.province: 2, UnitLevel.district: 3, UnitLevel.commune: 5}
# The columns a row's unit is read from, least specific first (the last filled one wins).
_UNIT_COLUMNS = ("district", "unit", "commune")


@dataclass(frozen=True)
class _Unit:
    key: str  # AdminUnit.code: what foreign keys hold
    name: str
    level: UnitLevel
    parent: str | None


class _EraUnits:
    """The units of one era by published code and by name."""

    def __init__(self, era: Era) -> None:
        self.era = era
        self.levels = {UnitLevel(level) for level in era.levels}
        self.by_code: dict[str, _Unit] = {}
        self.by_name: dict[str, list[_Unit]] = {}  # by full name and by short name

    def add(self, row: AdminUnit) -> None:
        unit = _Unit(row.code, row.name, UnitLevel(row.level), row.parent_code)
        self.by_code[row.gso_code] = unit
        for key in {fold(row.name), fold(row.short_name)}:
            self.by_name.setdefault(key, []).append(unit)

    def find(self, raw: str, level: UnitLevel | None, within: str | None) -> str:
        if level is not None and level not in self.levels:
            raise BadValue(
                f"there are no {level.value}s in the {self.era.year} structure (two-level "
                "local government since 1 July 2025): leave this column empty"
            )
        if raw.isdigit():
            levels = [level] if level else sorted(self.levels)
            widths = {_CODE_WIDTH[lv] for lv in levels}
            codes = {raw} | {raw.zfill(w) for w in widths if len(raw) <= w}
            found = [self.by_code[c] for c in codes if c in self.by_code]
            if level:
                found = [u for u in found if u.level == level]
            if len(found) == 1:
                return found[0].key
            raise BadValue("no unit with this GSO code (run `ictr init` for the province?)")
        candidates = self.by_name.get(fold(raw), [])
        if level:
            candidates = [u for u in candidates if u.level == level]
        if within:
            candidates = [u for u in candidates if u.parent == within or u.key == within]
        unique = {u.key: u for u in candidates}
        if len(unique) == 1:
            return next(iter(unique))
        if not unique:
            raise BadValue("no unit with this name or code")
        listed = ", ".join(sorted(unique))
        where = "the district" if UnitLevel.district in self.levels else "the code"
        raise BadValue(f"several units have this name ({listed}): give the code or {where}")

    def named(self, raw: str) -> set[str]:
        """Every unit a cell may name, whatever its level (for narrowing a choice)."""
        if raw.isdigit():
            codes = {raw} | {raw.zfill(w) for w in set(_CODE_WIDTH.values()) if len(raw) <= w}
            return {self.by_code[c].key for c in codes if c in self.by_code}
        return {u.key for u in self.by_name.get(fold(raw), [])}


def chosen_era(year: int | None) -> Era | None:
    """The era `--era` names, checked; None when not given."""
    if year is None:
        return None
    try:
        return era_of_year(year)
    except IctrError as exc:
        raise IctrError(f"--era {year}: {exc}") from None


class UnitMatcher:
    """Units of every era; `find` reads in `era`, which `row_units` may settle from a file."""

    def __init__(
        self, rows: Iterable[AdminUnit], *, era: Era | None = None, extra: str | None = None
    ) -> None:
        self.eras: dict[int, _EraUnits] = {e.year: _EraUnits(e) for e in ERAS}
        self.keys: set[str] = set()
        for row in rows:
            self.eras[row.era].add(row)
            self.keys.add(row.code)
        self.given = era  # by --era: files are read in it, never detected
        self.extra = extra  # --unit: a unit named outside the file, which must fit its era
        self.era: Era = era or get_settings().province_era
        self.how = f"--era {era.year}" if era else "the configured province's era"
        self.resolved: dict[tuple[int, _Cells], _Resolved] = {}

    @classmethod
    def load(cls, session: Session, options: ImportOptions | None = None) -> UnitMatcher:
        rows = session.exec(select(AdminUnit)).all()
        if options is None:
            return cls(rows)
        return cls(rows, era=chosen_era(options.era), extra=options.unit)

    def find(
        self,
        value: object,
        *,
        level: UnitLevel | None = None,
        within: str | None = None,
        era: Era | None = None,
    ) -> str:
        """The unit's key in `era` (default: the matcher's). `within` restricts names to one
        district's communes. A unit of another era is refused, naming that era."""
        era = era or self.era
        raw = text(value)
        if "@" in raw:  # a unit key as stored ("02264@2025")
            try:
                key_era, raw = split_unit_key(raw)
            except IctrError:
                raise BadValue("not a unit code (a GSO code, or one followed by @2025)") from None
            if key_era != era:
                if self.given is not None:  # --era said which structure the file is in
                    raise BadValue(self._other_era(era, key_era))
                # A stored key names its unit exactly, in its own era, whatever era the
                # file's plain codes and names are read in: an export of a database holding
                # both eras writes both kinds of key and must import back unchanged.
                era = key_era
        units = self.eras[era.year]
        try:
            return units.find(raw, level, within)
        except BadValue:
            if level is not None and level not in units.levels:
                raise  # "no districts in 2025" says more than "a 2020 district"
            other = next((e for e in ERAS if e != era and self._fits(e, raw, level)), None)
            if other is not None:
                raise BadValue(self._other_era(era, other)) from None
            raise

    def _fits(self, era: Era, raw: str, level: UnitLevel | None) -> bool:
        try:
            self.eras[era.year].find(raw, level, None)
        except BadValue as exc:
            return str(exc).startswith("several")
        return True

    def _other_era(self, era: Era, other: Era) -> str:
        return (
            f"a unit of the {other.year} structure, but the file is read in the {era.year} "
            f"structure ({self.how}): one file, one era (split it, or give --era)"
        )

    def named(self, value: object) -> set[str]:
        """The keys of every unit, of any era and level, a cell may name."""
        raw = text(value)
        if "@" in raw:
            return {raw} & self.keys
        return set().union(*(e.named(raw) for e in self.eras.values()))

    def describe(self) -> str:
        """The report's words for the era the file was read in."""
        era = self.era
        if era.valid_to is not None:
            span = f"until {era.valid_to:%d/%m/%Y}"
        else:
            span = f"from {era.valid_from:%d/%m/%Y}" if era.valid_from else "always"
        levels = ", ".join(UnitLevel(level).value for level in era.levels)
        return f"{era.year} structure ({levels}; {span}), by {self.how}"


_Cells = tuple[Any, Any, Any]  # a row's district, unit and commune cells (_UNIT_COLUMNS)
_Resolved = tuple[str | None, str, BadValue | None]


def _resolve(units: UnitMatcher, era: Era, cells: _Cells) -> _Resolved:
    """A row's unit in `era`: (key, the column read last, the error if any). Rows repeat
    the same units: each distinct row is resolved once per era."""
    memo = (era.year, cells)
    if memo not in units.resolved:
        units.resolved[memo] = _resolve_once(units, era, cells)
    return units.resolved[memo]


def _resolve_once(units: UnitMatcher, era: Era, cells: _Cells) -> _Resolved:
    found: str | None = None
    district_key: str | None = None
    current = "unit"
    try:
        for current, value in zip(_UNIT_COLUMNS, cells, strict=True):
            if is_blank(value):
                continue
            if current == "district":
                district_key = units.find(value, level=UnitLevel.district, era=era)
                found = district_key
            elif current == "unit":
                found = units.find(value, era=era)
            else:
                found = units.find(value, level=UnitLevel.commune, within=district_key, era=era)
    except BadValue as exc:
        return None, current, exc
    return found, current, None


def row_units(fields: Fields, units: UnitMatcher) -> list[str | None]:
    """Per data row, the unit given by the unit, district and commune columns (most specific
    wins; a commune name is looked up inside the row's district). INVALID where bad.

    Unless --era fixed it, the matcher's era is settled first (`settle_era`); the report
    names the era whenever a unit was read.
    """
    rows: list[_Cells] = list(zip(*(fields.raw(name) for name in _UNIT_COLUMNS), strict=True))
    filled = [i for i, row in enumerate(rows) if not all(is_blank(v) for v in row)]
    named: dict[_Cells, str] = {}  # each distinct row, where it first appears
    if units.extra:
        named[(None, units.extra, None)] = "--unit"
    for i in filled:
        named.setdefault(rows[i], f"row {fields.numbers[i]}")
    if units.given is None and named:
        settle_era(units, [(where, cells) for cells, where in named.items()])
    if named or units.given is not None:
        fields.report.era = units.era.year
        fields.report.era_reason = units.describe()
    out: list[str | None] = [None] * len(fields)
    for i in filled:
        found, column, error = _resolve(units, units.era, rows[i])
        if error is not None:
            fields.fail(i, column, rows[i][_UNIT_COLUMNS.index(column)], str(error))
            out[i] = INVALID
        else:
            out[i] = found
    return out


def settle_era(units: UnitMatcher, named: list[tuple[str, _Cells]]) -> None:
    """Read the file in the era all its units fit: the configured province's when both do.

    A row that fits no era is an error in any era and decides nothing. At a mix, the rows
    above the first that breaks with them decide; that row and those like it are refused,
    each naming the era and the row that decided.
    """
    possible = set(ERAS)
    decided_by = ""
    fitting = 0
    for where, cells in named:
        fits = {era for era in ERAS if _resolve(units, era, cells)[2] is None}
        if not fits:
            continue
        fitting += 1
        if not possible & fits:
            break
        if len(possible) > 1 and len(possible & fits) == 1:
            decided_by = where
        possible &= fits
    if decided_by:
        units.era = next(iter(possible))
        units.how = f"detection: {decided_by} names a unit of this era only"
    elif fitting:
        units.era = get_settings().province_era
        units.how = "the configured province's era (the file's units fit both)"
    else:  # no unit of the file fits any era: each row says why
        units.era = get_settings().province_era
    units.resolved.clear()  # their reasons name how the era was chosen, now known
