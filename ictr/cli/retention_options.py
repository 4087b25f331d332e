"""--keep-raw and --keep-hourly, shared by `ictr db prune` and `ictr probe schedule`: given,
they win; otherwise ICTR_KEEP_RAW and ICTR_KEEP_HOURLY (or their defaults) apply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from inventory.durations import parse_window
from inventory.settings import KEEP_HOURLY_DEFAULT, KEEP_RAW_DEFAULT, get_settings

if TYPE_CHECKING:
    from probes.history.retention import Retention


def keep_raw_option(help_text: str) -> Any:
    return typer.Option(
        None, "--keep-raw", help=help_text, show_default=f"ICTR_KEEP_RAW, else {KEEP_RAW_DEFAULT}"
    )


def keep_hourly_option(help_text: str) -> Any:
    return typer.Option(
        None,
        "--keep-hourly",
        help=help_text,
        show_default=f"ICTR_KEEP_HOURLY, else {KEEP_HOURLY_DEFAULT}",
    )


def retention(keep_raw: str | None, keep_hourly: str | None) -> Retention:
    from probes.history.retention import Retention  # only the commands that prune load it

    settings = get_settings()
    return Retention(
        keep_raw=settings.keep_raw if keep_raw is None else parse_window(keep_raw),
        keep_hourly=settings.keep_hourly if keep_hourly is None else parse_window(keep_hourly),
    )
