"""The lifecycle policy: service life and replacement cost by kind, OS end of support.

Read from `data/lifecycle_policy.toml`; every key has a default (the values below, which the
shipped file repeats), and a bad value is refused with the key and the value named.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from inventory.errors import IctrError
from inventory.models import ComputerKind
from inventory.settings import DATA_DIR
from inventory.text_keys import fold

POLICY_FILE = DATA_DIR / "lifecycle_policy.toml"

DEFAULT_SERVICE_LIFE = {
    ComputerKind.desktop: 5,
    ComputerKind.laptop: 4,
    ComputerKind.server: 6,
    ComputerKind.other: 5,
}
DEFAULT_COST_VND = {
    ComputerKind.desktop: 15_000_000,
    ComputerKind.laptop: 20_000_000,
    ComputerKind.server: 120_000_000,
    ComputerKind.other: 15_000_000,
}
DEFAULT_OS_SUPPORT_END = {
    "Windows XP": date(2014, 4, 8),
    "Windows Vista": date(2017, 4, 11),
    "Windows 7": date(2020, 1, 14),
    "Windows 8": date(2016, 1, 12),
    "Windows 8.1": date(2023, 1, 10),
    "Windows 10": date(2025, 10, 14),
    "Windows Server 2003": date(2015, 7, 14),
    "Windows Server 2008": date(2020, 1, 14),
    "Windows Server 2008 R2": date(2020, 1, 14),
    "Windows Server 2012": date(2023, 10, 10),
    "Windows Server 2012 R2": date(2023, 10, 10),
    "Ubuntu 14.04": date(2019, 4, 30),
    "Ubuntu Server 14.04": date(2019, 4, 30),
    "Ubuntu 16.04": date(2021, 4, 30),
    "Ubuntu Server 16.04": date(2021, 4, 30),
    "Ubuntu 18.04": date(2023, 5, 31),
    "Ubuntu Server 18.04": date(2023, 5, 31),
}

_SECTIONS = {
    "service_life_years",
    "replacement_cost_vnd",
    "new_computers",
    "age_unknown",
    "os_support_end",
}
_WIN_SHORT = re.compile(r"\bwin ?(xp|vista|7|8|10|11)\b")


@dataclass(frozen=True)
class Policy:
    service_life: dict[ComputerKind, int] = field(
        default_factory=lambda: dict(DEFAULT_SERVICE_LIFE)
    )
    cost_vnd: dict[ComputerKind, int] = field(default_factory=lambda: dict(DEFAULT_COST_VND))
    os_support_end: dict[str, date] = field(default_factory=lambda: dict(DEFAULT_OS_SUPPORT_END))
    new_kind: ComputerKind = ComputerKind.desktop
    per_official: float = 1.0
    age_unknown_due: bool = True

    def __post_init__(self) -> None:
        # Longest names first: "windows 8 1" must win over "windows 8".
        keyed = sorted(
            ((fold(name), end, name) for name, end in self.os_support_end.items()),
            key=lambda item: -len(item[0]),
        )
        object.__setattr__(self, "_os_keys", keyed)
        # Inventories repeat a handful of OS names across thousands of computers.
        object.__setattr__(self, "_os_cache", {})

    def os_end(self, os_name: str | None) -> tuple[str, date] | None:
        """The policy's name for this OS and its end of support, if the policy knows it."""
        if not os_name:
            return None
        cache: dict[str, tuple[str, date] | None] = self._os_cache  # type: ignore[attr-defined]
        if os_name not in cache:
            text = _WIN_SHORT.sub(r"windows \1", fold(os_name))
            padded = f" {text} "
            cache[os_name] = next(
                ((name, end) for key, end, name in self._os_keys if f" {key} " in padded),  # type: ignore[attr-defined]
                None,
            )
        return cache[os_name]


def load_policy(path: Path | None = None) -> Policy:
    """The policy in `path` (default: data/lifecycle_policy.toml, or the defaults if absent)."""
    explicit = path is not None
    path = path or POLICY_FILE
    if not path.exists():
        if explicit:
            raise IctrError(f"lifecycle policy {path} not found")
        return Policy()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise IctrError(f"lifecycle policy {path}: not valid TOML: {exc}") from None
    return parse_policy(data, str(path))


def parse_policy(data: dict[str, Any], where: str = "lifecycle policy") -> Policy:
    def fail(message: str) -> IctrError:
        return IctrError(f"lifecycle policy {where}: {message}")

    for section in data:
        if section not in _SECTIONS:
            raise fail(f"unknown section [{section}]; known: {', '.join(sorted(_SECTIONS))}")
        if not isinstance(data[section], dict):
            raise fail(f"{section} must be a table ([{section}])")
    kinds = {k.value: k for k in ComputerKind}

    def by_kind(
        section: str, defaults: dict[ComputerKind, int], low: int, high: int, unit: str
    ) -> dict[ComputerKind, int]:
        out = dict(defaults)
        for key, value in data.get(section, {}).items():
            if key not in kinds:
                raise fail(f"unknown kind {key!r} in [{section}]; kinds: {', '.join(kinds)}")
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise fail(f"{section}.{key} must be a whole number of {unit}, got {value!r}")
            out[kinds[key]] = value
        return out

    life = by_kind("service_life_years", DEFAULT_SERVICE_LIFE, 1, 30, "years from 1 to 30")
    cost = by_kind("replacement_cost_vnd", DEFAULT_COST_VND, 0, 10**12, "VND (0 or more)")

    new = dict(data.get("new_computers", {}))
    unknown = set(new) - {"kind", "per_official"}
    if unknown:
        raise fail(f"unknown key {sorted(unknown)[0]!r} in [new_computers]")
    new_kind = new.get("kind", ComputerKind.desktop.value)
    if new_kind not in kinds:
        raise fail(f"new_computers.kind must be one of {', '.join(kinds)}, got {new_kind!r}")
    per_official = new.get("per_official", 1.0)
    if isinstance(per_official, bool) or not isinstance(per_official, int | float):
        raise fail(f"new_computers.per_official must be a number, got {per_official!r}")
    if not 0 <= per_official <= 5:
        raise fail(f"new_computers.per_official must be from 0 to 5, got {per_official!r}")

    age = dict(data.get("age_unknown", {}))
    if set(age) - {"due"}:
        raise fail(f"unknown key {sorted(set(age) - {'due'})[0]!r} in [age_unknown]")
    due = age.get("due", True)
    if not isinstance(due, bool):
        raise fail(f"age_unknown.due must be true or false, got {due!r}")

    os_end = dict(DEFAULT_OS_SUPPORT_END)
    for name, value in data.get("os_support_end", {}).items():
        if not isinstance(value, date) or isinstance(value, datetime):
            raise fail(f"os_support_end.{name!r} must be a date such as 2025-10-14, got {value!r}")
        os_end[name] = value
    return Policy(
        service_life=life,
        cost_vnd=cost,
        os_support_end=os_end,
        new_kind=kinds[new_kind],
        per_official=float(per_official),
        age_unknown_due=due,
    )
