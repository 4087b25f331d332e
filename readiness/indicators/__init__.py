"""Readiness indicators for any level (province, district, commune, agency) at any date.

This package's top level stays light (no pandas): the computation is in
`readiness.indicators.by_unit.aggregate_units`.
"""

from readiness.indicators.catalog import INDICATORS, LEVELS, Indicator, Pillar

__all__ = ["INDICATORS", "LEVELS", "Indicator", "Pillar"]
