"""The two administrative eras: 2020's three levels and the two-level structure of 1 July 2025.

A GSO code alone does not name a unit across eras (most 2025 commune codes are also 2020
commune codes of other communes; province 08 is the old Tuyên Quang in 2020 and the merged
province in 2025), so a unit is stored under a key that carries its era: a 2020 unit's key
is its GSO code unchanged (existing databases and files keep their meaning), a 2025 unit's
key is its GSO code followed by ``@2025``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from inventory.errors import IctrError

ERA_SEPARATOR = "@"
# The widest key: a 5-digit commune code, "@" and a 4-digit year.
UNIT_KEY_LENGTH = 10


@dataclass(frozen=True)
class Era:
    year: int
    valid_from: date | None
    valid_to: date | None
    levels: tuple[str, ...]

    def covers(self, d: date) -> bool:
        return (self.valid_from is None or self.valid_from <= d) and (
            self.valid_to is None or d <= self.valid_to
        )


ERA_2020 = Era(2020, None, date(2025, 6, 30), ("province", "district", "commune"))
ERA_2025 = Era(2025, date(2025, 7, 1), None, ("province", "commune"))
ERAS: tuple[Era, ...] = (ERA_2020, ERA_2025)


def era_at(d: date) -> Era:
    """The era whose structure is in force on day `d`."""
    return next(era for era in ERAS if era.covers(d))


def era_of_year(y: int) -> Era:
    """The era named by its year (2020 or 2025); anything else is a user mistake."""
    for era in ERAS:
        if era.year == y:
            return era
    raise IctrError(f"unknown administrative era {y!r}: use 2020 or 2025")


def unit_key(era: Era, gso_code: str) -> str:
    """The stored key of the unit with GSO code `gso_code` in `era`."""
    if not gso_code.isdigit() or len(gso_code) not in (2, 3, 5):
        raise IctrError(f"GSO code must be 2, 3 or 5 digits, got {gso_code!r}")
    if era.year == 2025 and len(gso_code) == 3:
        raise IctrError(f"the 2025 structure has no districts: {gso_code!r}")
    return gso_code if era is ERA_2020 else f"{gso_code}{ERA_SEPARATOR}{era.year}"


def split_unit_key(key: str) -> tuple[Era, str]:
    """The era and GSO code a stored key names ("02" -> 2020, "08@2025" -> 2025)."""
    code, sep, year = key.partition(ERA_SEPARATOR)
    era = era_of_year(int(year)) if sep and year.isdigit() else ERA_2020
    if sep and not year.isdigit():
        raise IctrError(f"unit key {key!r}: expected CODE or CODE@2025")
    if unit_key(era, code) != key:
        raise IctrError(f"unit key {key!r}: expected CODE or CODE@2025")
    return era, code
