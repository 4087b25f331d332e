"""The editor password: a salted scrypt hash from the environment or the secrets file."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.assets import ensure_leaflet_assets, leaflet_source, tile_setting
from dashboard.auth import HASH_SETTING, configured_hash, hash_password, verify_password
from ictr.cli.main import app
from inventory.errors import IctrError
from inventory.settings import Settings


def test_the_right_password_and_only_it() -> None:
    encoded = hash_password("mật khẩu đúng 2026")
    assert verify_password("mật khẩu đúng 2026", encoded)
    assert not verify_password("mật khẩu đúng 2025", encoded)
    assert not verify_password("", encoded)
    assert "mật khẩu" not in encoded
    # Salted: the same password hashes differently each time.
    assert hash_password("mật khẩu đúng 2026") != encoded


def test_the_hash_is_safe_to_paste_into_a_shell() -> None:
    encoded = hash_password("abcdefgh")
    assert re.fullmatch(r"scrypt:16384:8:1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+", encoded)
    assert shlex.quote(encoded) == encoded


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abcdefgh",
        "pbkdf2:1:2:3:c2FsdHNhbHQ:a2V5",
        "scrypt:16384:8:1:!!!:???",
        "scrypt:3:8:1:c2FsdHNhbHRz:" + "A" * 43,  # n not a power of two
        "scrypt:1073741824:8:1:c2FsdHNhbHRz:" + "A" * 43,  # would take minutes
    ],
)
def test_a_malformed_hash_accepts_nothing(bad: str) -> None:
    assert not verify_password("abcdefgh", bad)


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        hash_password("short")


def test_environment_first_then_secrets() -> None:
    assert configured_hash({HASH_SETTING: " env "}, {HASH_SETTING: "secret"}) == "env"
    assert configured_hash({}, {HASH_SETTING: "secret"}) == "secret"
    assert configured_hash({}, {}) is None
    assert configured_hash({HASH_SETTING: ""}, None) is None


def test_cli_prints_a_hash_that_verifies() -> None:
    result = CliRunner().invoke(app, ["hash-password"], input="mật khẩu dài\nmật khẩu dài\n")
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    name, encoded = line.split("=", 1)
    assert name == HASH_SETTING
    assert verify_password("mật khẩu dài", encoded)


def test_cli_refuses_a_short_password() -> None:
    result = CliRunner().invoke(app, ["hash-password", "--password", "short"])
    assert result.exit_code == 2
    assert "at least 8 characters" in result.output


def test_leaflet_is_copied_from_the_installed_package(tmp_path: Path) -> None:
    target = ensure_leaflet_assets(tmp_path / "leaflet")
    for name in ("leaflet.js", "leaflet.css", "images/layers.png"):
        assert (target / name).read_bytes() == (leaflet_source() / name).read_bytes()
    (target / "leaflet.js").write_text("stale")
    ensure_leaflet_assets(target)
    assert (target / "leaflet.js").read_bytes() == (leaflet_source() / "leaflet.js").read_bytes()


def test_tile_url_setting() -> None:
    assert tile_setting(Settings(tile_url="")) is None
    tiles = tile_setting(Settings(tile_url="http://10.1.1.5/osm/{z}/{x}/{y}.png"))
    assert tiles is not None and tiles.attribution == "Local tiles"
    with pytest.raises(IctrError, match=r"lacks \{y\}"):
        tile_setting(Settings(tile_url="http://10.1.1.5/osm/{z}/{x}.png"))
