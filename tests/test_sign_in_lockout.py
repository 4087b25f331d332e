"""The sign-in lockout: five failures within 15 minutes, for an account or from an address,
refuse further attempts for 15 minutes; counted in the database, so parallel sessions and
several dashboard servers share the count. And the client address behind a trusted proxy."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import pytest
from sqlalchemy import Engine, create_engine, func
from sqlmodel import Session, select
from typer.testing import CliRunner

from dashboard.client_address import client_address
from dashboard.sign_in_lockout import LOCK_FOR, MAX_FAILURES, Attempt, attempt_sign_in
from ictr.cli.main import app
from inventory.models import SignInFailure

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
EDITOR = "editor"
HOME = "10.1.2.3"


class Password:
    """A password check that counts how often it ran."""

    def __init__(self, right: bool) -> None:
        self.right = right
        self.checked = 0

    def __call__(self) -> bool:
        self.checked += 1
        return self.right


def attempt(
    engine: Engine,
    right: bool,
    at: datetime,
    *,
    account: str = EDITOR,
    client: str = HOME,
    check: Password | None = None,
) -> Attempt:
    return attempt_sign_in(
        engine, account=account, client=client, check=check or Password(right), now=at
    )


def stored(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(SignInFailure)).one()


def test_five_failures_lock_for_fifteen_minutes(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="dashboard.sign_in_lockout")
    for i in range(MAX_FAILURES - 1):
        assert attempt(engine, False, T0 + timedelta(minutes=i)) == Attempt(ok=False)
    fifth = T0 + timedelta(minutes=4)
    assert attempt(engine, False, fifth) == Attempt(ok=False, locked_until=fifth + LOCK_FOR)

    right = Password(True)
    refused = attempt(engine, True, fifth + LOCK_FOR - timedelta(seconds=1), check=right)
    assert refused == Attempt(ok=False, locked_until=fifth + LOCK_FOR)
    assert right.checked == 0  # while locked, no password is even looked at
    assert attempt(engine, True, fifth + LOCK_FOR, check=right) == Attempt(ok=True)

    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum(m.startswith("failed sign-in for account 'editor' from 10.1.2.3") for m in messages)
    assert sum(m.startswith("failed sign-in") for m in messages) == MAX_FAILURES
    assert (
        "sign-in locked after 5 failures within 15 min: account 'editor' until "
        "2026-12-01T08:19:00+00:00, address 10.1.2.3 until 2026-12-01T08:19:00+00:00"
    ) in messages
    assert any(m.startswith("sign-in refused for account 'editor'") for m in messages)


def test_a_success_clears_the_count(engine: Engine) -> None:
    for i in range(MAX_FAILURES - 1):
        attempt(engine, False, T0 + timedelta(minutes=i))
    assert attempt(engine, True, T0 + timedelta(minutes=5)).ok
    assert stored(engine) == 0
    for i in range(MAX_FAILURES - 1):  # four more: still not five since the success
        assert attempt(engine, False, T0 + timedelta(minutes=6 + i)).locked_until is None
    assert attempt(engine, True, T0 + timedelta(minutes=11)).ok


def test_failures_spread_over_more_than_the_window_do_not_lock(engine: Engine) -> None:
    for i in range(3 * MAX_FAILURES):
        result = attempt(engine, False, T0 + timedelta(minutes=4 * i))  # 5 take 16 minutes
        assert result == Attempt(ok=False)
    assert stored(engine) <= 8  # rows older than the window and the lock are deleted


def test_a_locked_address_leaves_the_account_to_others(engine: Engine) -> None:
    """One address trying five accounts is locked; the editor elsewhere still signs in."""
    for i in range(MAX_FAILURES):
        attempt(engine, False, T0 + timedelta(minutes=i), account=f"user{i}", client="10.9.9.9")
    later = T0 + timedelta(minutes=5)
    assert attempt(engine, True, later, client="10.9.9.9").locked_until is not None
    assert attempt(engine, True, later, client=HOME).ok


def test_a_locked_account_is_locked_from_every_address(engine: Engine) -> None:
    """Five guesses at the editor account from five addresses lock it for everyone."""
    for i in range(MAX_FAILURES):
        attempt(engine, False, T0 + timedelta(minutes=i), client=f"10.9.9.{i}")
    fifth = T0 + timedelta(minutes=4)
    right = Password(True)
    result = attempt(engine, True, fifth + timedelta(minutes=1), client=HOME, check=right)
    assert result == Attempt(ok=False, locked_until=fifth + LOCK_FOR)
    assert right.checked == 0
    assert attempt(engine, True, T0 + timedelta(minutes=7), account="other", client=HOME).ok


def test_parallel_guesses_check_at_most_five_passwords(engine: Engine, db_url: str) -> None:
    """Eight sessions guessing at the same moment, each with its own connection pool (as
    on several dashboard servers): no more than five guesses are checked."""
    sessions = 8
    start = threading.Barrier(sessions)
    checked = []
    results: list[Attempt] = []
    lock = threading.Lock()

    def guess() -> None:
        own_engine = create_engine(engine.url)
        password = Password(False)

        def slow_wrong() -> bool:  # scrypt takes a while; let the others catch up
            time.sleep(0.3)
            return password()

        start.wait()
        result = attempt_sign_in(own_engine, account=EDITOR, client=HOME, check=slow_wrong)
        own_engine.dispose()
        with lock:
            checked.append(password.checked)
            results.append(result)

    threads = [threading.Thread(target=guess) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == sessions and not any(r.ok for r in results)
    assert sum(checked) == MAX_FAILURES
    assert stored(engine) == sum(checked)  # refused attempts leave no row
    right = Password(True)
    assert attempt_sign_in(engine, account=EDITOR, client=HOME, check=right).locked_until
    assert right.checked == 0


PROXY = [ip_network("10.0.0.5"), ip_network("127.0.0.1")]


@pytest.mark.parametrize(
    "peer, forwarded, proxies, client",
    [
        ("203.0.113.7", [], [], "203.0.113.7"),
        (None, [], [], "127.0.0.1"),  # Streamlit reports loopback as no address
        # Without a trusted proxy the header is whatever the client wrote: ignored.
        ("203.0.113.7", ["198.51.100.1"], [], "203.0.113.7"),
        ("203.0.113.7", ["198.51.100.1"], PROXY, "203.0.113.7"),
        # From the trusted proxy: the last address it appended.
        ("10.0.0.5", ["198.51.100.1, 203.0.113.9"], PROXY, "203.0.113.9"),
        (None, ["203.0.113.9"], PROXY, "203.0.113.9"),  # nginx on the same machine
        ("10.0.0.5", ["203.0.113.9, 127.0.0.1"], PROXY, "203.0.113.9"),  # two proxies
        ("10.0.0.5", ["1.1.1.1", "203.0.113.9"], PROXY, "203.0.113.9"),  # two headers
        ("10.0.0.5", ["junk"], PROXY, "10.0.0.5"),
        ("10.0.0.5", [], PROXY, "10.0.0.5"),
        ("::ffff:10.0.0.5", ["203.0.113.9"], PROXY, "203.0.113.9"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], proxies: list, client: str) -> None:
    assert client_address(peer, forwarded, proxies) == client


def test_a_bad_trusted_proxy_setting_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICTR_TRUSTED_PROXIES", "10.0.0.5,nginx")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: bad configuration: ICTR_TRUSTED_PROXIES: "
        "Value error, 'nginx' is not an IP address or network"
    )
