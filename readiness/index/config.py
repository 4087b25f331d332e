"""Index weights, targets and methods, read from one TOML file and validated when loaded."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from inventory.errors import IctrError
from inventory.settings import DATA_DIR
from readiness.indicators.catalog import INDICATORS, Pillar

DEFAULT_CONFIG = DATA_DIR / "readiness_index.toml"
METHODS = ("goalpost", "minmax", "zscore")


@dataclass(frozen=True)
class IndicatorWeight:
    key: str
    weight: float
    method: str
    target: float | None


@dataclass(frozen=True)
class IndexConfig:
    pillars: dict[str, float]
    indicators: dict[str, IndicatorWeight]
    source: str


def load_config(path: Path | None = None) -> IndexConfig:
    path = path or DEFAULT_CONFIG
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IctrError(f"{path}: index configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise IctrError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, str(path))


def parse_config(raw: dict, source: str) -> IndexConfig:
    pillars = raw.get("pillars", {})
    for name, weight in pillars.items():
        if name not in Pillar.__members__:
            raise IctrError(
                f"{source}: [pillars] {name}: unknown pillar "
                f"(known: {', '.join(Pillar.__members__)})"
            )
        if not isinstance(weight, int | float) or weight < 0:
            raise IctrError(f"{source}: [pillars] {name} = {weight!r}: weight must be >= 0")
    if not pillars or sum(pillars.values()) <= 0:
        raise IctrError(f"{source}: [pillars] must give at least one positive weight")
    indicators: dict[str, IndicatorWeight] = {}
    for key, spec in raw.get("indicators", {}).items():
        where = f"{source}: [indicators.{key}]"
        if key not in INDICATORS:
            raise IctrError(f"{where}: unknown indicator (known: {', '.join(INDICATORS)})")
        weight = spec.get("weight", 1)
        method = spec.get("method", "goalpost")
        target = spec.get("target")
        if not isinstance(weight, int | float) or weight < 0:
            raise IctrError(f"{where} weight = {weight!r}: must be a number >= 0")
        if method not in METHODS:
            raise IctrError(f"{where} method = {method!r}: use one of {', '.join(METHODS)}")
        if method == "goalpost" and (not isinstance(target, int | float) or target <= 0):
            raise IctrError(f"{where} target = {target!r}: goalpost needs a target > 0")
        indicators[key] = IndicatorWeight(
            key, float(weight), method, float(target) if target is not None else None
        )
    return IndexConfig({k: float(v) for k, v in pillars.items()}, indicators, source)
