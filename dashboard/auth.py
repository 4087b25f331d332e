"""Who is signed in to the dashboard, decided without Streamlit so that it can be tested:

- an account of `app_user` (`ictr users add`), by username and password, its role and
  scope bounding what it may change (`inventory/access.py`);
- the legacy shared editor password (ICTR_EDITOR_PASSWORD_HASH in the settings, else in
  .streamlit/secrets.toml), acting as an admin, until an active admin account exists; then
  it is ignored, with a warning in the log;
- an identity from single sign-on (Streamlit's `st.login`, OIDC, configured in the `[auth]`
  section of .streamlit/secrets.toml), mapped to an account by e-mail address or username;
  an identity without an active account gets no role.

A signed-in session keeps a small record (account, a fingerprint of what it signed in
against, when it was last used). It ends when it has been idle for ICTR_SESSION_IDLE, and as
soon as the account's password, role, scope or active flag changes (the fingerprint).
Hashing itself is `inventory/passwords.py`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from dashboard.sign_in_lockout import EDITOR_ACCOUNT, Attempt, attempt_sign_in
from inventory import accounts
from inventory.actor import Actor, Role
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.models import User
from inventory.passwords import HASH_SETTING, hash_password, verify_password

__all__ = [
    "HASH_SETTING",
    "configured_hash",
    "hash_password",
    "verify_password",
]

log = logging.getLogger(__name__)

SESSION_KEY = "_editor"  # the session-state key of the signed-in record
# The legacy shared password acts with every right, as it did before there were accounts.
LEGACY_ACTOR = Actor(name=EDITOR_ACCOUNT, role=Role.admin)
_warned_legacy: set[str] = set()


def configured_hash(setting: str, secrets: Mapping[str, object] | None = None) -> str | None:
    """The editor hash from the settings (`Settings.editor_password_hash`: the environment or
    .env), else from the secrets; None if neither has one."""
    value = setting.strip()
    if not value and secrets is not None:
        secret = secrets.get(HASH_SETTING)
        value = secret.strip() if isinstance(secret, str) else ""
    return value or None


def legacy_hash(engine: Engine, configured: str | None) -> str | None:
    """The shared editor password's hash while it is in force: configured, and no active
    admin account yet. Once there is one it is ignored, and the log says so (once)."""
    if configured is None:
        return None
    with session_scope(engine) as session:
        admins = accounts.active_admins(session)
    if admins == 0:
        return configured
    if configured not in _warned_legacy:
        _warned_legacy.add(configured)
        log.warning(
            "%s is ignored: an admin account exists, so only accounts sign in "
            "(remove the setting; see docs/dashboard.md)",
            HASH_SETTING,
        )
    return None


def has_accounts(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return any(u.active for u in accounts.list_users(session))


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def user_fingerprint(user: User) -> str:
    """Changes with the password, the role, the scope and the active flag (`changed_at`)."""
    return _digest(user.id, user.password_hash, user.changed_at.isoformat(), user.role)


@dataclass(frozen=True)
class Session:
    """What a browser session keeps about its sign-in (plain values, in session state)."""

    account: str  # a username, or EDITOR_ACCOUNT for the shared password
    kind: str  # "password", "legacy" or "sso"
    fingerprint: str
    seen: float  # POSIX time of the last page run

    def record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, record: object) -> Session | None:
        if not isinstance(record, Mapping):
            return None
        try:
            return cls(**record)
        except TypeError:
            return None


def resume(
    engine: Engine, record: object, *, now: datetime, idle: timedelta, legacy: str | None
) -> tuple[Actor | None, str]:
    """The actor of a session record still valid now, with its record refreshed, or None
    and why not ("", "idle" or "changed")."""
    signed = Session.of(record)
    if signed is None:
        return None, ""
    if now.timestamp() - signed.seen > idle.total_seconds():
        log.info("session of %r ended after %s idle", signed.account, idle)
        return None, "idle"
    if signed.kind == "legacy":
        if legacy is not None and signed.fingerprint == _digest(legacy):
            return LEGACY_ACTOR, ""
        return None, "changed"
    with session_scope(engine) as session:
        user = accounts.find_user(session, signed.account)
        if user is None or not user.active or signed.fingerprint != user_fingerprint(user):
            return None, "changed"
        return accounts.actor_of(user), ""


def _password_fingerprint(
    engine: Engine, account: str | None, password: str, legacy: str | None
) -> str | None:
    """The fingerprint a session signed in with this password keeps; None for a wrong one.
    `account` None is the shared editor password."""
    if account is None:
        ok = legacy is not None and verify_password(password, legacy)
        return _digest(legacy) if ok else None
    with session_scope(engine) as session:
        user = accounts.find_user(session, account)
        if user is None or not accounts.password_matches(user, password):
            return None
        return user_fingerprint(user)


def sign_in(
    engine: Engine,
    *,
    username: str,
    password: str,
    client: str,
    legacy: str | None,
    now: datetime,
) -> tuple[Attempt, Session | None]:
    """Check a password, through the lockout (per account and per client, logged). A blank
    username is the shared editor account while its password is in force."""
    name = username.strip().lower()[:64] or None
    fingerprint: list[str] = []

    def check() -> bool:
        found = _password_fingerprint(engine, name, password, legacy)
        fingerprint.extend([found] if found else [])
        return found is not None

    account = name or EDITOR_ACCOUNT
    attempt = attempt_sign_in(engine, account=account, client=client, check=check, now=now)
    if not attempt.ok:
        return attempt, None
    log.info("%r signed in from %s", account, client)
    kind = "password" if name else "legacy"
    return attempt, Session(account, kind, fingerprint[0], now.timestamp())


def sso_provider(secrets: Mapping[str, Any] | None) -> str | None:
    """The provider `st.login` should use, from the `[auth]` section of the secrets: None
    when single sign-on is not configured; IctrError naming what is missing when it is
    configured only in part. "default" is the provider written in `[auth]` itself."""
    if secrets is None or "auth" not in secrets:
        return None
    auth = secrets["auth"]
    if not isinstance(auth, Mapping):
        raise IctrError("[auth] in .streamlit/secrets.toml must be a table")
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    providers = {name: v for name, v in auth.items() if isinstance(v, Mapping)}
    if auth.get("client_id") or not providers:
        name, section = "default", auth
    else:
        name, section = sorted(providers.items())[0]
        if "_" in name:  # st.login refuses these
            raise IctrError(f"[auth.{name}]: a provider's name may not contain '_'")
    required = ("client_id", "client_secret", "server_metadata_url")
    missing += [k if name == "default" else f"{name}.{k}" for k in required if not section.get(k)]
    if missing:
        raise IctrError(
            "single sign-on is configured in part: [auth] in .streamlit/secrets.toml lacks "
            + ", ".join(missing)
        )
    return name


def sso_actor(engine: Engine, claims: Mapping[str, Any]) -> tuple[Actor | None, Session | None]:
    """The account an identity from the provider (`st.user`) maps to, by its e-mail address,
    then its preferred username; none for an identity without an active account."""
    email = claims.get("email")
    username = claims.get("preferred_username")
    with session_scope(engine) as session:
        user = accounts.user_for_identity(
            session,
            email=email if isinstance(email, str) else None,
            username=username if isinstance(username, str) else None,
        )
        if user is None:
            return None, None
        return accounts.actor_of(user), Session(user.username, "sso", user_fingerprint(user), 0)
