"""Which units a boundary file holds: 2020's districts, 2020's communes or 2025's communes.

A code alone cannot tell the era: most 2025 commune codes are also 2020 commune codes, of
other communes, and many 2025 communes kept a predecessor's name. What differs is the fit:
a file of one era and level matches that era's units of that level one to one. So the file
is matched against the units of each era and level asked for (those of the provinces
standing for the configured one in that era, `store.provinces_of_era`), and the best fit
wins: the harmonic mean of the share of features that match (by code with an agreeing
name, or by name) and the share of units, in the provinces the file touches, that a
feature matches. A tie goes to the configured province's own era, then to the coarser
level. `--era` and `--level` narrow the choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from inventory.eras import ERA_2020, ERAS, era_of_year
from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitLevel
from readiness.geometry.province_family import units_under
from readiness.geometry.store import provinces_of_era
from readiness.geometry.unit_matching import MatchResult, match_features

# The levels a boundary file may hold, coarser first.
IMPORTABLE_LEVELS = (UnitLevel.district, UnitLevel.commune)
# Below this fit the file is probably of other units (another province, the wrong options).
POOR_FIT = 0.5


@dataclass(frozen=True)
class EraChoice:
    era: int
    level: UnitLevel
    how: str  # for the report: what was given, or what the detection saw
    provinces: tuple[str, ...]  # those the file covers: every unit of theirs needs a shape
    units: list[AdminUnit]  # the units of `level` of those provinces
    match: MatchResult
    fit: float  # the harmonic mean of the shares of features and units matched

    @property
    def poor_fit(self) -> str | None:
        """A warning for the report when even the best choice fits badly."""
        if self.fit >= POOR_FIT:
            return None
        return (
            f"the file fits this database's units poorly (best fit {self.fit:.0%}, "
            f"{self.level.value}s of {self.era}): a partial file, or units of another "
            "province or era? check ICTR_PROVINCE_CODE, --level and --era"
        )


@dataclass(frozen=True)
class _Candidate:
    era: int
    level: UnitLevel
    units_by_province: dict[str, list[AdminUnit]]
    match: MatchResult
    features: int

    @property
    def touched(self) -> list[str]:
        """The provinces the file touches (all of them if it touches none)."""
        found = [
            p
            for p, units in self.units_by_province.items()
            if any(u.code in self.match.matches for u in units)
        ]
        return found or list(self.units_by_province)

    @property
    def precision(self) -> float:
        good = self.match.features_matched - self.match.name_conflicts
        return good / self.features if self.features else 0.0

    @property
    def recall(self) -> float:
        units = sum(len(self.units_by_province[p]) for p in self.touched)
        return len(self.match.matches) / units if units else 0.0

    @property
    def score(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def describe(self) -> str:
        return (
            f"{self.level.value}s of {self.era}: {self.precision:.0%} of features match, "
            f"{self.recall:.0%} of {self.level.value}s matched"
        )


def _own_era(session: Session, province_code: str) -> int:
    unit = session.get(AdminUnit, province_code)
    return unit.era if unit is not None else ERA_2020.year


def _no_such_level(file_name: str, era: int, level: UnitLevel) -> IctrError:
    return IctrError(
        f"{file_name}: the {era} structure has no {level.value}s (two-level local "
        "government since 2025-07-01: provinces and communes); "
        "use --level commune or --era 2020"
    )


def choose_era(
    session: Session,
    frame: pd.DataFrame,
    *,
    province_code: str,
    level: UnitLevel | None,
    era: int | None,
    code_field: str | None,
    name_field: str | None,
    file_name: str,
) -> EraChoice:
    """The era and level whose units the file fits best (or those given), with its match."""
    if era is not None and level is not None and level.value not in era_of_year(era).levels:
        raise _no_such_level(file_name, era, level)
    own = _own_era(session, province_code)
    years = [era] if era is not None else sorted((e.year for e in ERAS), key=lambda y: y != own)
    pairs = [
        (year, lvl)
        for year in years
        for lvl in ([level] if level is not None else IMPORTABLE_LEVELS)
        if lvl.value in era_of_year(year).levels
    ]
    candidates: list[_Candidate] = []
    for year, lvl in pairs:
        provinces = provinces_of_era(session, province_code, year)
        by_province = {p: units_under(session, [p], lvl) for p in provinces}
        units = [u for us in by_province.values() for u in us]
        if not units:
            continue
        match = match_features(
            frame, units, lvl, code_field=code_field, name_field=name_field, file_name=file_name
        )
        candidates.append(_Candidate(year, lvl, by_province, match, len(frame)))
    if not candidates:
        what = f"{level.value}s" if level is not None else "units"
        raise IctrError(
            f"no {what} of era {' or '.join(str(y) for y in years)} for province "
            f"{province_code} in the database: run `ictr init` first"
        )
    best = max(candidates, key=lambda c: c.score)  # max keeps the first of equals
    if len(candidates) > 1:
        how = "detected; " + "; ".join(c.describe() for c in candidates)
    elif era is not None:
        how = "given by --era"
    else:
        how = f"the only era with {best.level.value}s in the database"
    # Only the provinces the file touches must be complete (a Hà Giang file in a database of
    # today's Tuyên Quang, which also holds the 2020 Tuyên Quang).
    covered = best.touched
    return EraChoice(
        era=best.era,
        level=best.level,
        how=how,
        provinces=tuple(covered),
        units=[u for p in covered for u in best.units_by_province[p]],
        match=best.match,
        fit=best.score,
    )
