"""One place for configuration, read from ICTR_* environment variables (or a .env file)."""

from __future__ import annotations

import ssl
from datetime import timedelta
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from inventory.durations import parse_window
from inventory.eras import ERA_2020, Era, split_unit_key, unit_key
from inventory.errors import IctrError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
# Retention of probe rounds, as `--keep-raw` / `--keep-hourly` show them in `--help`.
KEEP_RAW_DEFAULT = "90d"
KEEP_HOURLY_DEFAULT = "365d"
SESSION_IDLE_DEFAULT = "30m"


def default_database_url() -> str:
    """A SQLite file in the per-user data folder, e.g. ~/.local/share/ictr/ictr.sqlite."""
    folder = Path(platformdirs.user_data_dir("ictr", appauthor=False))
    return f"sqlite:///{folder / 'ictr.sqlite'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ICTR_", env_file=".env", extra="ignore")

    database_url: str = ""
    log_level: str = "INFO"
    display_timezone: str = "Asia/Ho_Chi_Minh"
    # The unit key of the province this deployment serves (inventory.eras): "02" is 2020 Hà
    # Giang, "08@2025" today's Tuyên Quang, "08" the 2020 Tuyên Quang. `ictr init` loads it
    # with its successor or predecessors.
    province_code: str = "02"
    # The hash of the dashboard's shared editor password (`ictr hash-password`); empty: no
    # editing (unless .streamlit/secrets.toml holds one). Ignored, with a warning, once an
    # active admin account exists (`ictr users add NAME --role admin`).
    editor_password_hash: str = ""
    # True: every dashboard page asks for a sign-in; False: the map, district and network
    # pages are open to anyone who reaches the dashboard, as viewers.
    login_required: bool = False
    # A dashboard session left alone this long is signed out (e.g. 30m, 8h).
    session_idle: timedelta = parse_window(SESSION_IDLE_DEFAULT)
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For header
    # names the client of a dashboard sign-in. Empty: the header is ignored, since anyone
    # can send one.
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    # A local tile server for the map's background (URL template with {z}, {x}, {y}, checked
    # where the map is built); unset, the map draws shapes on a plain background.
    tile_url: str = ""
    tile_attribution: str = ""
    # Where probe rounds wait while the database is unavailable; unset, next to the SQLite
    # file (or in the per-user data folder), one file per agent.
    probe_spool: Path | None = None
    # How long probe rounds stay raw, and hourly aggregates stay, before `ictr db prune` (or the
    # scheduler's daily prune) folds them; an explicit --keep-raw / --keep-hourly wins.
    keep_raw: timedelta = parse_window(KEEP_RAW_DEFAULT)
    keep_hourly: timedelta = parse_window(KEEP_HOURLY_DEFAULT)
    # A PEM file of roots trusted for websites' certificates besides the system's (the
    # government's own CA is in no public store); unset, the system's only.
    ca_bundle: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _default_url(cls, value: str) -> str:
        return value.strip() or default_database_url()

    @field_validator("province_code")
    @classmethod
    def _province_key(cls, value: str) -> str:
        key = value.strip()
        try:
            era, gso = split_unit_key(key)
        except IctrError:
            era, gso = ERA_2020, ""
        if len(gso) != 2:
            raise ValueError(
                f"{value!r} is not a province: write its GSO code for the 2020 structure "
                '("02") or the code and @2025 for today\'s ("08@2025")'
            )
        return unit_key(era, gso)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("display_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        networks = []
        for item in value.replace(" ", ",").split(","):
            if item:
                try:
                    networks.append(ip_network(item, strict=False))
                except ValueError:
                    raise ValueError(f"{item!r} is not an IP address or network") from None
        return tuple(networks)

    @field_validator("tile_url", "tile_attribution")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("probe_spool", "ca_bundle", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("ca_bundle")
    @classmethod
    def _pem_roots(cls, value: Path | None) -> Path | None:
        """Loaded once here, so a wrong file is one clear error at start, not a failed
        check of every website."""
        if value is None:
            return None
        try:
            ssl.create_default_context().load_verify_locations(cafile=str(value))
        except FileNotFoundError:
            raise ValueError(f"{value}: no such file") from None
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise ValueError(f"{value}: not a PEM file of certificates ({exc})") from None
        return value

    @field_validator("keep_raw", "keep_hourly", "session_idle", mode="before")
    @classmethod
    def _window(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return parse_window(value)
        except IctrError as exc:
            raise ValueError(str(exc)) from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.display_timezone)

    @property
    def province_era(self) -> Era:
        """The era of the configured province: files and counts default to its structure."""
        return split_unit_key(self.province_code)[0]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"ICTR_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise IctrError(f"bad configuration: {problems}") from None
