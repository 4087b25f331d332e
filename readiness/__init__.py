"""Readiness: indicators, the composite index and the geometry the map draws."""
