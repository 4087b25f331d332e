"""`ictr users`: accounts added, listed (table and JSON), given a new password, disabled;
every mistake one line and exit code 2; no password ever an argument or shown."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory import accounts
from inventory.actor import Actor, Role
from inventory.admin_units import load_units
from inventory.db import session_scope

PASSWORD = "mật khẩu của Lan 2026"


@pytest.fixture
def units(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_units(session, province_code="02")
    return engine


def ictr(*args: str, stdin: str = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def listed(engine: Engine) -> list[dict[str, object]]:
    code, out, err = ictr("users", "list", "--format", "json")
    assert code == 0, err
    records: list[dict[str, object]] = json.loads(out)
    return records


def test_add_list_and_sign_in_data(units: Engine) -> None:
    assert listed(units) == []
    code, out, err = ictr("users", "list")
    assert (code, out.strip()) == (0, "no users yet: ictr users add NAME --role admin")

    code, out, err = ictr(
        "users", "add", "hoa.admin", "--role", "admin", "--password-stdin",
        "--display-name", "Trần Thị Hoa", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "added admin 'hoa.admin'"), err
    code, out, err = ictr(
        "users", "add", "lan", "--role", "editor", "--scope", "026", "--password-stdin",
        "--email", "Lan@HaGiang.gov.vn", stdin="mật khẩu khác 2026\n",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "added editor 'lan' of unit 026"), err
    code, out, err = ictr("users", "add", "sso.user", "--role", "viewer", "--sso-only")
    assert code == 0, err

    records = listed(units)
    assert [(r["username"], r["role"], r["scope"], r["active"]) for r in records] == [
        ("hoa.admin", "admin", None, True),
        ("lan", "editor", "026", True),
        ("sso.user", "viewer", None, True),
    ]
    assert records[0]["display_name"] == "Trần Thị Hoa"
    assert records[1]["email"] == "lan@hagiang.gov.vn"  # compared as the provider sends it
    assert [r["password"] for r in records] == [True, True, False]
    assert set(records[0]) == {
        "username", "display_name", "email", "role", "scope", "active", "password", "created_at",
    }  # fmt: skip
    code, table, _ = ictr("users", "list")
    assert table.splitlines()[0].split() == [
        "username", "role", "scope", "active", "display_name", "email",
    ]  # fmt: skip
    assert "scrypt" not in table and "scrypt" not in json.dumps(records)

    with Session(units) as session:
        lan = accounts.find_user(session, "lan")
        assert accounts.actor_of(lan) == Actor("lan", Role.editor, "026")  # type: ignore[arg-type]
        assert accounts.password_matches(lan, "mật khẩu khác 2026")
        assert not accounts.password_matches(lan, PASSWORD)
        # The stored hash is scrypt's, never the password.
        assert lan is not None and lan.password_hash is not None
        assert lan.password_hash.startswith("scrypt:") and "2026" not in lan.password_hash
        assert not accounts.password_matches(accounts.find_user(session, "sso.user"), "")


def test_set_password_and_disable(units: Engine) -> None:
    ictr("users", "add", "hoa", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    ictr("users", "add", "lan", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    code, out, err = ictr(
        "users", "set-password", "lan", "--password-stdin", stdin="mới 12345678\n"
    )
    assert (code, out.strip()) == (0, "password of 'lan' changed"), err
    with Session(units) as session:
        lan = accounts.find_user(session, "lan")
        assert accounts.password_matches(lan, "mới 12345678")
        assert not accounts.password_matches(lan, PASSWORD)

    assert ictr("users", "disable", "lan")[:2] == (0, "'lan' disabled\n")
    assert [r["active"] for r in listed(units)] == [True, False]
    with Session(units) as session:  # a disabled account signs in with nothing
        assert not accounts.password_matches(accounts.find_user(session, "lan"), "mới 12345678")
    assert ictr("users", "enable", "lan")[0] == 0
    assert [r["active"] for r in listed(units)] == [True, True]

    # With no admin the shared editor password would come back: the last one stays.
    code, _, err = ictr("users", "disable", "hoa")
    assert code == 2
    assert err.strip() == "error: 'hoa' is the last active admin: add another admin first"


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["add", "lan", "--role", "chief", "--password-stdin"], "x" * 8 + "\n",
         "--role 'chief': use viewer, editor, admin"),
        (["add", "Lan Anh", "--role", "editor", "--password-stdin"], "x" * 8 + "\n",
         "bad username 'Lan Anh'"),
        (["add", "cli:root", "--role", "admin", "--password-stdin"], "x" * 8 + "\n",
         "bad username 'cli:root'"),
        (["add", "lan", "--role", "editor", "--scope", "999", "--password-stdin"], "x" * 8 + "\n",
         "no unit with code '999'"),
        (["add", "lan", "--role", "admin", "--scope", "026", "--password-stdin"], "x" * 8 + "\n",
         "an admin changes the whole province: give no --scope"),
        (["add", "lan", "--role", "editor", "--password-stdin"], "short\n",
         "at least 8 characters"),
        (["add", "lan", "--role", "editor", "--password-stdin"], "", "no password on standard"),
        (["add", "lan", "--role", "editor"], "", "pipe it and add --password-stdin"),
        (["add", "lan", "--role", "editor", "--password", "abcdefgh"], "",
         "No such option: --password"),
        (["set-password", "nobody", "--password-stdin"], "x" * 8 + "\n",
         "no user named 'nobody'"),
        (["disable", "nobody"], "", "no user named 'nobody'"),
        (["list", "--format", "xml"], "", "--format 'xml': use table or json"),
    ],
)  # fmt: skip
def test_mistakes_end_in_one_line(units: Engine, args: list[str], stdin: str, message: str) -> None:
    code, out, err = ictr("users", *args, stdin=stdin)
    assert code == 2
    assert message in err
    assert listed(units) == []  # nothing half-written


def test_a_username_is_taken_once(units: Engine) -> None:
    ictr("users", "add", "lan", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    code, _, err = ictr(
        "users", "add", "lan", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert (code, err.strip()) == (2, "error: a user named 'lan' exists already")
    assert [r["role"] for r in listed(units)] == ["editor"]
