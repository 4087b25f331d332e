"""Spans of time as people type them: a whole number of minutes, hours or days (30m, 24h, 90d)."""

from __future__ import annotations

from datetime import timedelta

from inventory.errors import IctrError

_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


def parse_window(text: str) -> timedelta:
    """'24h', '7d', '30d' (or any number of m, h, d)."""
    text = text.strip().lower()
    number, unit = text[:-1], text[-1:]
    # isascii: int() refuses other scripts' digits that isdigit() accepts ('²').
    if unit in _UNIT_SECONDS and number.isascii() and number.isdigit() and int(number) > 0:
        return timedelta(seconds=int(number) * _UNIT_SECONDS[unit])
    raise IctrError(f"bad window {text!r}: expected e.g. 24h, 7d or 30d")
