"""Readiness indicators for any level (province, district, commune, agency) at any date."""

from readiness.indicators.catalog import INDICATORS, Indicator, Pillar
from readiness.indicators.rollup import LEVELS, compute_long

__all__ = ["INDICATORS", "LEVELS", "Indicator", "Pillar", "compute_long"]
