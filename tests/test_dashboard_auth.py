"""The dashboard's sign-in: accounts (roles, scope, sessions that end when idle or when the
account changes), the legacy shared editor password (a salted scrypt hash from the environment
or the secrets file, made by `ictr hash-password`) until an admin exists, the lockout per
account and per client, login required, single sign-on's configuration."""

from __future__ import annotations

import importlib.util
import logging
import os
import pty
import re
import select
import shlex
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select as sql_select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard import auth
from dashboard.assets import ensure_leaflet_assets, leaflet_source, tile_setting
from dashboard.auth import HASH_SETTING, configured_hash, hash_password, verify_password
from dashboard.markdown_text import plain
from ictr.cli.main import app
from inventory import accounts
from inventory.actor import Actor, Role
from inventory.admin_units import load_units
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.models import Agency, AgencyKind, Computer, SignInFailure
from inventory.settings import Settings, get_settings
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


# --- Accounts ------------------------------------------------------------------------------

LAN_PASSWORD = "mật khẩu của Lan 2026"


@pytest.fixture
def units(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_units(session, province_code="02")
    return engine


def _add(engine: Engine, name: str, role: Role, scope: str | None = None, **kw: Any) -> None:
    with session_scope(engine) as session:
        accounts.add_user(
            session, username=name, role=role, scope=scope, password=LAN_PASSWORD, **kw
        )


def _page(page: str, *, secrets: dict[str, Any] | None = None) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    for key, value in (secrets or {}).items():
        app.secrets[key] = value
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _account_sign_in(page: AppTest, username: str, password: str) -> list[str]:
    page.text_input(key="sign_in_username").set_value(username)
    return _sign_in(page, password)


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.page_setup.FAILED_SIGN_IN_DELAY_S", 0.0)


@pytest.mark.usefixtures("quick")
def test_an_editor_signs_in_with_an_account(units: Engine) -> None:
    _add(units, "lan", Role.editor, "026", display_name="Nguyễn Thị Lan")
    page = _data_page()
    assert not page.get("file_uploader")
    assert _account_sign_in(page, "lan", "mật khẩu sai") == [
        "Tên đăng nhập hoặc mật khẩu không đúng."
    ]
    assert "_editor" not in page.session_state
    assert _account_sign_in(page, "nobody", LAN_PASSWORD) == [
        "Tên đăng nhập hoặc mật khẩu không đúng."
    ]
    assert _account_sign_in(page, "lan", LAN_PASSWORD) == []
    assert [s.value for s in page.sidebar.success] == ["Đã đăng nhập: lan — biên tập, đơn vị 026."]
    assert len(page.get("file_uploader")) == 2
    # Boundaries and the demo are an admin's: shown, but the button does nothing for her.
    assert page.button(key="data_boundary_import").disabled
    assert any("Chỉ tài khoản quản trị" in c.value for c in page.main.caption)
    page.button(key="editor_sign_out").click().run()
    assert not page.get("file_uploader")


@pytest.mark.usefixtures("quick")
def test_a_viewer_account_edits_nothing(units: Engine) -> None:
    _add(units, "ha", Role.viewer)
    page = _data_page()
    assert _account_sign_in(page, "ha", LAN_PASSWORD) == []
    assert [s.value for s in page.sidebar.success] == ["Đã đăng nhập: ha — chỉ xem."]
    assert not page.get("file_uploader")
    assert not page.main.button
    assert any("đăng nhập biên tập" in w.value for w in page.warning)


@pytest.mark.usefixtures("quick")
def test_changing_the_password_or_disabling_ends_the_session(units: Engine) -> None:
    _add(units, "hoa", Role.admin)
    _add(units, "lan", Role.editor)
    page = _data_page()
    assert _account_sign_in(page, "lan", LAN_PASSWORD) == []
    with session_scope(units) as session:
        accounts.set_password(session, "lan", "mật khẩu mới 2027")
    page.run()
    assert not page.get("file_uploader")
    assert [i.value for i in page.sidebar.info] == [
        "Tài khoản đã thay đổi (mật khẩu, quyền hoặc bị khoá); hãy đăng nhập lại."
    ]
    assert _account_sign_in(page, "lan", "mật khẩu mới 2027") == []
    with session_scope(units) as session:
        accounts.set_active(session, "lan", False)
    page.run()
    assert not page.get("file_uploader")
    assert _account_sign_in(page, "lan", "mật khẩu mới 2027") == [
        "Tên đăng nhập hoặc mật khẩu không đúng."
    ]


@pytest.mark.usefixtures("quick")
def test_an_idle_session_ends(units: Engine) -> None:
    _add(units, "lan", Role.editor)
    page = _data_page()
    assert _account_sign_in(page, "lan", LAN_PASSWORD) == []
    page.session_state["_editor"]["seen"] -= 29 * 60  # the default: 30 minutes
    page.run()
    assert len(page.get("file_uploader")) == 2  # still signed in, and the clock restarts
    page.session_state["_editor"]["seen"] -= 31 * 60
    page.run()
    assert not page.get("file_uploader")
    assert "_editor" not in page.session_state
    assert [i.value for i in page.sidebar.info] == [
        "Phiên làm việc đã kết thúc vì không hoạt động; hãy đăng nhập lại."
    ]


def test_the_idle_limit_is_a_setting(units: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(units, "lan", Role.editor)
    now = datetime.now(UTC)
    attempt, signed = auth.sign_in(
        units, username="lan", password=LAN_PASSWORD, client="10.0.0.1", legacy=None, now=now
    )
    assert attempt.ok and signed is not None
    monkeypatch.setenv("ICTR_SESSION_IDLE", "5m")
    get_settings.cache_clear()
    idle = get_settings().session_idle
    assert idle == timedelta(minutes=5)
    later = now + timedelta(minutes=4)
    assert auth.resume(units, signed.record(), now=later, idle=idle, legacy=None) == (
        Actor("lan", Role.editor),
        "",
    )
    later = now + timedelta(minutes=6)
    assert auth.resume(units, signed.record(), now=later, idle=idle, legacy=None) == (None, "idle")


def test_wrong_passwords_lock_per_account_and_per_client(
    units: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Five wrong passwords for lan from one address lock lan everywhere and that address
    for every account; hoa, from elsewhere, still signs in; a quarter of an hour later lan
    does too. Every failure and lock is logged."""
    _add(units, "lan", Role.editor)
    _add(units, "hoa", Role.admin)
    now = datetime.now(UTC)

    def attempt(name: str, password: str, client: str, at: datetime = now) -> Any:
        return auth.sign_in(
            units, username=name, password=password, client=client, legacy=None, now=at
        )[0]

    with caplog.at_level(logging.WARNING, logger="dashboard.sign_in_lockout"):
        for _ in range(4):
            assert attempt("lan", "sai 12345678", "10.0.0.1").locked_until is None
        fifth = attempt("lan", "sai 12345678", "10.0.0.1")
    assert not fifth.ok and fifth.locked_until == now + timedelta(minutes=15)
    assert sum("failed sign-in for account 'lan' from 10.0.0.1" in m for m in caplog.messages) == 5
    assert any("sign-in locked after 5 failures" in m for m in caplog.messages)

    assert not attempt("lan", LAN_PASSWORD, "10.0.0.2").ok  # the account is locked
    assert not attempt("hoa", LAN_PASSWORD, "10.0.0.1").ok  # so is the address
    assert attempt("hoa", LAN_PASSWORD, "10.0.0.2").ok
    assert attempt("lan", LAN_PASSWORD, "10.0.0.2", now + timedelta(minutes=16)).ok


@pytest.mark.usefixtures("editor_password")
def test_the_shared_password_is_ignored_once_an_admin_exists(
    units: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    _add(units, "lan", Role.editor)  # an editor is not enough: the shared password still works
    page = _data_page()
    assert _account_sign_in(page, "", EDITOR_PASSWORD) == []
    assert len(page.get("file_uploader")) == 2

    _add(units, "hoa", Role.admin)
    with caplog.at_level(logging.WARNING, logger="dashboard.auth"):
        page.run()  # the session signed in with it ends
        assert not page.get("file_uploader")
        assert _account_sign_in(_data_page(), "", EDITOR_PASSWORD) == [
            "Tên đăng nhập hoặc mật khẩu không đúng."
        ]
    assert any(
        "ICTR_EDITOR_PASSWORD_HASH is ignored: an admin account exists" in m
        for m in caplog.messages
    )
    assert _account_sign_in(_data_page(), "hoa", LAN_PASSWORD) == []


@pytest.mark.usefixtures("quick")
def test_login_required_closes_every_page(units: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(units, "ha", Role.viewer)
    open_map = _page("dashboard/pages/map.py")
    assert open_map.title  # open to anyone by default
    monkeypatch.setenv("ICTR_LOGIN_REQUIRED", "true")
    get_settings.cache_clear()
    for name in ("map", "district", "network", "inventory"):
        closed = _page(f"dashboard/pages/{name}.py")
        assert not closed.title, name
        assert [i.value for i in closed.main.info] == [
            "Hãy đăng nhập ở thanh bên trái để xem bảng điều khiển."
        ]
    closed = _page("dashboard/pages/map.py")
    assert _account_sign_in(closed, "ha", LAN_PASSWORD) == []
    assert closed.title and not closed.main.info


# --- Single sign-on (OIDC through st.login): its configuration only ------------------------

AUTH = {
    "redirect_uri": "https://ictr.hagiang.gov.vn/oauth2callback",
    "cookie_secret": "a long random string",
    "client_id": "ictr",
    "client_secret": "secret",
    "server_metadata_url": "https://sso.hagiang.gov.vn/.well-known/openid-configuration",
}


def test_sso_configuration() -> None:
    assert auth.sso_provider(None) is None
    assert auth.sso_provider({HASH_SETTING: "x"}) is None
    assert auth.sso_provider({"auth": AUTH}) == "default"
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: v for k, v in AUTH.items() if k not in shared}
    assert auth.sso_provider({"auth": {**shared, "keycloak": provider}}) == "keycloak"
    with pytest.raises(IctrError) as partial:
        auth.sso_provider({"auth": {"client_id": "ictr", "redirect_uri": "https://x/cb"}})
    assert str(partial.value) == (
        "single sign-on is configured in part: [auth] in .streamlit/secrets.toml lacks "
        "cookie_secret, client_secret, server_metadata_url"
    )
    with pytest.raises(IctrError, match=r"lacks keycloak.server_metadata_url"):
        auth.sso_provider({"auth": {**shared, "keycloak": {**provider, "server_metadata_url": ""}}})
    with pytest.raises(IctrError, match="may not contain '_'"):
        auth.sso_provider({"auth": {**shared, "key_cloak": provider}})


def test_an_sso_identity_maps_onto_an_account(units: Engine) -> None:
    _add(units, "lan", Role.editor, "026", email="lan@hagiang.gov.vn")
    _add(units, "hoa", Role.admin)
    by_email, signed = auth.sso_actor(units, {"email": "Lan@HaGiang.gov.vn"})
    assert by_email == Actor("lan", Role.editor, "026")
    assert signed is not None and signed.kind == "sso"
    by_name, _ = auth.sso_actor(units, {"email": None, "preferred_username": "hoa"})
    assert by_name == Actor("hoa", Role.admin)
    assert auth.sso_actor(units, {"email": "stranger@example.org"}) == (None, None)
    with session_scope(units) as session:
        accounts.set_active(session, "lan", False)
    assert auth.sso_actor(units, {"email": "lan@hagiang.gov.vn"}) == (None, None)


@pytest.mark.usefixtures("quick")
def test_the_sign_in_box_offers_sso_when_configured(units: Engine) -> None:
    _add(units, "lan", Role.editor)
    plain_box = _page("dashboard/pages/data.py")
    assert not plain_box.get("button") or all(b.key != "sso_sign_in" for b in plain_box.button)
    page = _page("dashboard/pages/data.py", secrets={"auth": AUTH})
    if importlib.util.find_spec("authlib") is None:
        assert any("pip install -e '.[sso]'" in c.value for c in page.sidebar.caption)
    else:
        assert page.button(key="sso_sign_in")
    assert page.text_input(key="sign_in_username")  # accounts still sign in by password
    broken = _page("dashboard/pages/data.py", secrets={"auth": {"client_id": "ictr"}})
    assert any("Đăng nhập một lần chưa cấu hình đủ" in e.value for e in broken.sidebar.error)


@pytest.mark.usefixtures("quick")
def test_a_scoped_editors_upload_outside_the_scope_is_refused_on_the_page(units: Engine) -> None:
    _add(units, "lan", Role.editor, "026")
    with session_scope(units) as session:
        for code, unit in (("H026", "026"), ("H027", "027")):
            session.add(
                Agency(code=code, name=f"UBND {code}", kind=AgencyKind.district_committee,
                       unit_code=unit, officials=10, signing_officials=2)
            )  # fmt: skip
    page = _data_page()
    assert _account_sign_in(page, "lan", LAN_PASSWORD) == []
    rows = ["Mã tài sản,Loại,Năm mua,Tình trạng,Cơ quan", "DV-1,desktop,2024,in_use,H026"]
    data = "\r\n".join([*rows, "MV-1,desktop,2024,in_use,H027"]).encode()
    page.get("file_uploader")[0].set_value(("may-tinh.csv", data, "text/csv"))
    page.run()
    page.button(key="data_import").click().run()
    assert not page.exception
    refusal = (
        "may-tinh.csv: row 3, column 'Mã tài sản', value 'MV-1', computer 'MV-1' is in unit 027 "
        "(Huyện Mèo Vạc), outside 'lan''s scope 026 (Huyện Đồng Văn); nothing was imported"
    )
    assert [e.value for e in page.main.error] == [f"Không đọc được tệp: {plain(refusal)}"]
    with session_scope(units) as session:
        assert not session.exec(sql_select(Computer)).all()

    page.get("file_uploader")[0].set_value(("dong-van.csv", "\r\n".join(rows).encode(), "text/csv"))
    page.run()
    page.button(key="data_import").click().run()
    assert any("Đã nhập: 1 mới" in s.value for s in page.main.success)
