"""The editor password: a salted scrypt hash from the environment or the secrets file, made
by `ictr hash-password` from a prompt or standard input; the sign-in lockout in the dashboard."""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select as sql_select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.assets import ensure_leaflet_assets, leaflet_source, tile_setting
from dashboard.auth import HASH_SETTING, configured_hash, hash_password, verify_password
from ictr.cli.main import app
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.models import SignInFailure
from inventory.settings import Settings
from tests.conftest import PROJECT_ROOT
from tests.dashboard_fixtures import EDITOR_PASSWORD, editor_password  # noqa: F401 (fixture)


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
    assert re.fullmatch(r"scrypt:131072:8:1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+", encoded)
    assert shlex.quote(encoded) == encoded


# Made by `ictr hash-password` before the cost was raised to OWASP's N=2^17.
OLD_HASH = "scrypt:16384:8:1:GmgOvEluJjl_k-EJQ9esaw:Ki-XNBSC4iE8ymzGZZdP-x3JBNvMfcPZr9r4Xhj8UEU"


def test_hashes_made_at_the_old_cost_still_verify() -> None:
    assert verify_password("mật khẩu cũ 2025", OLD_HASH)
    assert not verify_password("mật khẩu cũ 2026", OLD_HASH)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abcdefgh",
        "pbkdf2:1:2:3:c2FsdHNhbHQ:a2V5",
        "scrypt:16384:8:1:!!!:???",
        "scrypt:3:8:1:c2FsdHNhbHRz:" + "A" * 43,  # n not a power of two
        "scrypt:1073741824:8:1:c2FsdHNhbHRz:" + "A" * 43,  # would take minutes
        "scrypt:524288:8:1:c2FsdHNhbHRz:" + "A" * 43,  # 512 MiB per check
        "scrypt:131072:8:16:c2FsdHNhbHRz:" + "A" * 43,  # 16 times the time of a check
    ],
)
def test_a_malformed_hash_accepts_nothing(bad: str) -> None:
    assert not verify_password("abcdefgh", bad)


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        hash_password("short")


def test_settings_first_then_secrets() -> None:
    assert configured_hash(" env ", {HASH_SETTING: "secret"}) == "env"
    assert configured_hash("", {HASH_SETTING: "secret"}) == "secret"
    assert configured_hash("", {}) is None
    assert configured_hash("", None) is None


def test_cli_reads_the_password_from_standard_input() -> None:
    result = CliRunner().invoke(app, ["hash-password"], input="mật khẩu dài \n")
    assert result.exit_code == 0, result.output
    name, encoded = result.stdout.strip().split("=", 1)
    assert name == HASH_SETTING
    assert verify_password("mật khẩu dài ", encoded)  # the line as typed, spaces and all


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["--password", "mật khẩu dài"], "", "No such option: --password"),
        (["mật khẩu dài"], "", "Got unexpected extra argument"),
        ([], "short\n", "at least 8 characters"),
        ([], "", "no password on standard input"),
    ],
)
def test_cli_takes_no_password_argument(args: list[str], stdin: str, message: str) -> None:
    result = CliRunner().invoke(app, ["hash-password", *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def _read_until(fd: int, wanted: str, timeout_s: float = 60) -> str:
    seen = b""
    deadline = time.monotonic() + timeout_s
    while wanted.encode() not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child has exited and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


def test_cli_on_a_terminal_asks_twice_without_echo() -> None:
    ictr = str(Path(sys.executable).with_name("ictr"))
    pid, terminal = pty.fork()
    if pid == 0:  # the child: `ictr hash-password` on its own terminal
        os.execv(ictr, [ictr, "hash-password"])
    try:
        # The prompt's last space comes from getpass once echo is off; anything typed before
        # that is flushed, as on a real terminal.
        typed = _read_until(terminal, "Editor password: ")
        os.write(terminal, "mật khẩu dài\n".encode())
        typed += _read_until(terminal, "Repeat for confirmation: ")
        os.write(terminal, "mật khẩu dài\n".encode())
        typed += _read_until(terminal, "\x00")  # everything, to the end
    finally:
        os.close(terminal)  # a child still waiting for input gets SIGHUP
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, typed
    assert "mật khẩu" not in typed  # hidden input: never echoed
    encoded = re.search(HASH_SETTING + r"=(\S+)", typed)
    assert encoded is not None, typed
    assert verify_password("mật khẩu dài", encoded.group(1))


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


def _data_page(lang: str = "vi") -> AppTest:
    """A browser session of its own on the Data page."""
    page = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    page.session_state["_lang"] = lang
    page.switch_page("dashboard/pages/data.py")
    page.run()
    assert not page.exception, [e.message for e in page.exception]
    return page


def _sign_in(page: AppTest, password: str) -> list[str]:
    page.text_input(key="editor_password").set_value(password)
    page.get("form_submit_button")[0].click().run()
    assert not page.exception, [e.message for e in page.exception]
    return [e.value for e in page.error]


def _shown(moment: datetime, pattern: str) -> str:
    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime(pattern)


@pytest.mark.usefixtures("editor_password")
def test_five_wrong_passwords_lock_every_session_out(engine: Engine) -> None:
    """Three guesses in one session and two in another lock both, and any new one, out for
    15 minutes, the right password included; the message says until when, in Vietnam's time."""
    first, second = _data_page(), _data_page()
    for _ in range(3):
        assert _sign_in(first, "mật khẩu sai") == ["Mật khẩu không đúng."]
    assert _sign_in(second, "mật khẩu sai") == ["Mật khẩu không đúng."]
    before = datetime.now(UTC) + timedelta(minutes=15)
    locked = _sign_in(second, "mật khẩu sai")
    after = datetime.now(UTC) + timedelta(minutes=15)
    expected = {
        "Đăng nhập sai quá nhiều lần: tạm khoá đăng nhập biên tập đến "
        f"{_shown(t, '%H:%M %d/%m/%Y')} (Asia/Ho_Chi_Minh)."
        for t in (before, after)
    }
    assert len(locked) == 1 and locked[0] in expected

    assert _sign_in(first, EDITOR_PASSWORD)[0] in expected
    assert "_editor" not in first.session_state
    assert not first.get("file_uploader")
    english = _sign_in(_data_page("en"), EDITOR_PASSWORD)
    assert english[0] in {
        f"Too many failed sign-ins: editor sign-in is locked until {_shown(t, '%H:%M %Y-%m-%d')}"
        " (Asia/Ho_Chi_Minh)."
        for t in (before, after)
    }

    with session_scope(engine) as session:  # a quarter of an hour passes
        for failure in session.exec(sql_select(SignInFailure)).all():
            failure.at -= timedelta(minutes=15)
    assert _sign_in(first, EDITOR_PASSWORD) == []
    assert len(first.get("file_uploader")) == 2
