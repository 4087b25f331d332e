"""Sign-in lockout: after MAX_FAILURES failed sign-ins within WINDOW, for one account or from
one client address, further attempts are refused for LOCK_FOR, without checking the password.

The failures are rows in the database (`sign_in_failure`), so the lock holds across browser
sessions and across dashboard servers sharing the database; a per-session pause alone lets
parallel sessions multiply the guesses.

- **Account**: failures from any address count, so guessing from many addresses is stopped
  too. The price: someone who knows the account name can keep it locked (15 minutes at a
  time, each lock logged); that is the safer side.
- **Client**: failures on any account count, so one address cannot try many accounts. A
  locked client does not lock the account for other clients: the rightful editor, from
  another address, still signs in (unless the account itself is locked).
- A successful sign-in clears the account's failures (from every address); a client's
  failures on other accounts remain, so a valid account cannot be used to reset them.
- Parallel attempts: each attempt is recorded as a failure *before* its password is checked
  (and the account's failures removed if it succeeds), one attempt at a time per account and
  per address; so attempts running at the same moment count each other, and no more than
  MAX_FAILURES passwords are checked per lock period. A refused attempt is not recorded: a
  lock ends LOCK_FOR after the failure that started it, however often someone knocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import col, select

from inventory.db import session_scope
from inventory.models import SignInFailure
from inventory.write_lock import locked_session

log = logging.getLogger(__name__)

# The shared editor password's account (ICTR_EDITOR_PASSWORD_HASH); other accounts are
# counted by their username.
EDITOR_ACCOUNT = "editor"
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    # UTC. Set when the attempt was refused, or when its failure started a lock.
    locked_until: datetime | None = None


def lock_end(failures: Sequence[datetime]) -> datetime | None:
    """When the lock earned by these failures ends: LOCK_FOR after the latest failure that
    made MAX_FAILURES within WINDOW; None if no failure did."""
    times = sorted(failures)
    end = None
    for i in range(MAX_FAILURES - 1, len(times)):
        if times[i] - times[i - MAX_FAILURES + 1] <= WINDOW:
            end = times[i] + LOCK_FOR
    return end


def _locks(
    rows: Sequence[tuple[str, str, datetime]], account: str, client: str, now: datetime
) -> dict[str, datetime]:
    """What is locked now, and until when: "account 'editor'" and/or "address 10.1.2.3"."""
    ends = {
        f"account {account!r}": lock_end([at for a, _, at in rows if a == account]),
        f"address {client}": lock_end([at for _, c, at in rows if c == client]),
    }
    return {what: end for what, end in ends.items() if end is not None and end > now}


def _describe(locks: dict[str, datetime]) -> str:
    return ", ".join(
        f"{what} until {end.isoformat(timespec='seconds')}" for what, end in locks.items()
    )


def attempt_sign_in(
    engine: Engine,
    *,
    account: str,
    client: str,
    check: Callable[[], bool],
    now: datetime | None = None,
) -> Attempt:
    """Run `check` (the password comparison) unless the account or the client is locked;
    record the outcome. Each failure and each lock is logged at WARNING."""
    now = now or datetime.now(UTC)
    client = client[:64]  # the column's width; an address is at most 45 characters
    horizon = now - WINDOW - LOCK_FOR
    mine = (SignInFailure.account == account) | (SignInFailure.client == client)
    # Deciding and recording the attempt is one step per account and per address, so that
    # attempts at the same moment (parallel sessions, several servers) are counted one
    # after another; the password check itself runs outside it.
    lock_names = (f"ictr sign-in account {account}", f"ictr sign-in client {client}")
    with locked_session(engine, *lock_names) as session:
        earlier = session.exec(
            select(SignInFailure.account, SignInFailure.client, SignInFailure.at).where(
                mine, SignInFailure.at > horizon
            )
        ).all()
        locks = _locks(earlier, account, client, now)
        if not locks:
            session.add(SignInFailure(account=account, client=client, at=now))
            session.commit()
    if locks:
        log.warning(
            "sign-in refused for account %r from %s: locked (%s)",
            account,
            client,
            _describe(locks),
        )
        return Attempt(ok=False, locked_until=max(locks.values()))
    if check():
        with session_scope(engine) as session:
            session.execute(delete(SignInFailure).where(col(SignInFailure.account) == account))
        return Attempt(ok=True)
    with session_scope(engine) as session:
        session.execute(delete(SignInFailure).where(col(SignInFailure.at) <= horizon))
    rows = [*earlier, (account, client, now)]
    recent = [(a, c) for a, c, at in rows if at > now - WINDOW]
    log.warning(
        "failed sign-in for account %r from %s (in the last %d min: %d for the account, "
        "%d from the address)",
        account,
        client,
        WINDOW // timedelta(minutes=1),
        sum(1 for a, _ in recent if a == account),
        sum(1 for _, c in recent if c == client),
    )
    locks = _locks(rows, account, client, now)
    if not locks:
        return Attempt(ok=False)
    log.warning(
        "sign-in locked after %d failures within %d min: %s",
        MAX_FAILURES,
        WINDOW // timedelta(minutes=1),
        _describe(locks),
    )
    return Attempt(ok=False, locked_until=max(locks.values()))
