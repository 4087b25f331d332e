"""The composite readiness index: configuration, normalisation, pillars and rank.

The top level stays light (no pandas): the computation is `readiness.index.composite`.
"""

from readiness.index.config import IndexConfig, load_config

__all__ = ["IndexConfig", "load_config"]
