"""Accounts: add users, change their password, disable them, find who signs in.

There is no default account and no default password: the first admin is made with
`ictr users add NAME --role admin`. Until an active admin exists the shared editor password
(ICTR_EDITOR_PASSWORD_HASH) keeps working, so a deployment can move over at its own pace.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import Session, col, func, select

from inventory.actor import Actor, Role
from inventory.errors import IctrError
from inventory.models import AdminUnit, User
from inventory.models.users import USERNAME_PATTERN
from inventory.passwords import hash_password, verify_password


def _hash(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as exc:
        raise IctrError(str(exc)) from None


def check_username(username: str) -> str:
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise IctrError(
            f"bad username {username!r}: lower-case letters, digits, '.', '-' and '_', "
            "at most 64, starting with a letter or digit"
        )
    return username


def find_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def get_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise IctrError(f"no user named {username!r} (ictr users list)")
    return user


def _check_scope(session: Session, role: Role, scope: str | None) -> None:
    if scope is None:
        return
    if role is Role.admin:
        raise IctrError("an admin changes the whole province: give no --scope")
    if session.get(AdminUnit, scope) is None:
        raise IctrError(f"no unit with code {scope!r} (a district such as 026, or a commune)")


def add_user(
    session: Session,
    *,
    username: str,
    role: Role,
    scope: str | None = None,
    password: str | None = None,
    display_name: str = "",
    email: str | None = None,
) -> User:
    """A new active account; without a password it signs in only by single sign-on."""
    check_username(username)
    if find_user(session, username) is not None:
        raise IctrError(f"a user named {username!r} exists already")
    email = email.strip().lower() if email else None
    if email and session.exec(select(User).where(User.email == email)).first() is not None:
        raise IctrError(f"another user has the e-mail address {email!r}")
    _check_scope(session, role, scope)
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email,
        role=role,
        scope_code=scope,
        password_hash=_hash(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def _touch(user: User) -> None:
    # Sessions signed in before this change end (dashboard/auth.py compares it).
    user.changed_at = datetime.now(UTC)


def set_password(session: Session, username: str, password: str) -> User:
    user = get_user(session, username)
    user.password_hash = _hash(password)
    _touch(user)
    session.add(user)
    return user


def active_admins(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.admin, col(User.active))
    ).one()


def set_active(session: Session, username: str, active: bool) -> User:
    user = get_user(session, username)
    if not active and user.active and user.role is Role.admin and active_admins(session) == 1:
        # With no admin left the shared editor password would come back into force.
        raise IctrError(f"{username!r} is the last active admin: add another admin first")
    user.active = active
    _touch(user)
    session.add(user)
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.username))).all()


def actor_of(user: User) -> Actor:
    return Actor(name=user.username, role=user.role, scope=user.scope_code)


@functools.cache
def _stand_in_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def password_matches(user: User | None, password: str) -> bool:
    """True only for an active account with a password, and that password. An unknown or
    disabled account costs the same time as a wrong password, so timing tells nothing."""
    if user is None or not user.active or user.password_hash is None:
        verify_password(password, _stand_in_hash())
        return False
    return verify_password(password, user.password_hash)


def user_for_identity(session: Session, *, email: str | None, username: str | None) -> User | None:
    """The active account a single sign-on identity maps to: by e-mail address first, then
    by username; None when there is none (an unknown identity gets no role at all)."""
    if email:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is not None:
            return user if user.active else None
    if username:
        user = find_user(session, username.strip().lower())
        if user is not None:
            return user if user.active else None
    return None
