"""The composite readiness index: configuration, normalisation, pillars and rank."""

from readiness.index.composite import composite_index
from readiness.index.config import IndexConfig, load_config

__all__ = ["IndexConfig", "composite_index", "load_config"]
