"""The sidebar's sign-in box: accounts (username and password), the legacy shared editor
password while it is in force, single sign-on when configured. Decisions are made in
`dashboard/auth.py`; this module only draws them."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from dashboard import auth
from dashboard.i18n import tr
from dashboard.markdown_text import plain
from inventory.actor import Actor
from inventory.errors import IctrError
from inventory.settings import Settings


def _who(actor: Actor, lang: str) -> str:
    scope = tr("scope_of", lang, unit=actor.scope) if actor.scope else ""
    role = tr(f"role_{actor.role}", lang)
    return tr("signed_in_as", lang, name=plain(actor.name), role=role, scope=scope)


def _locked_message(until: datetime, lang: str, settings: Settings) -> str:
    shown = until.astimezone(settings.zone).strftime(
        "%H:%M %d/%m/%Y" if lang == "vi" else "%H:%M %Y-%m-%d"
    )
    return tr("sign_in_locked", lang, until=shown, zone=settings.display_timezone)


def _sso(engine: Engine, provider: str | None, now: datetime) -> tuple[Actor | None, str]:
    """The account of the identity `st.login` signed in, if any; and who it is, for the
    message when it has no account."""
    if provider is None or not st.user.get("is_logged_in"):
        return None, ""
    claims: Mapping[str, Any] = {k: st.user.get(k) for k in ("email", "preferred_username")}
    actor, signed = auth.sso_actor(engine, claims)
    if actor is None or signed is None:
        return None, str(claims.get("email") or claims.get("preferred_username") or "?")
    record = st.session_state.get(auth.SESSION_KEY)
    if auth.Session.of(record) is None:  # just back from the provider: the session starts
        st.session_state[auth.SESSION_KEY] = {**signed.record(), "seen": now.timestamp()}
    return actor, ""


def sign_in_box(
    lang: str,
    *,
    engine: Engine,
    settings: Settings,
    secrets: Mapping[str, Any] | None,
    client: str,
    failed_delay_s: float,
) -> Actor | None:
    """Draw the box; the actor signed in in this browser session, or None (a viewer)."""
    now = datetime.now(UTC)
    legacy = auth.legacy_hash(engine, auth.configured_hash(settings.editor_password_hash, secrets))
    try:
        provider = auth.sso_provider(secrets)
        sso_problem = ""
    except IctrError as exc:
        provider, sso_problem = None, str(exc)
    sso_actor, unknown = _sso(engine, provider, now)
    actor, why = auth.resume(
        engine,
        st.session_state.get(auth.SESSION_KEY),
        now=now,
        idle=settings.session_idle,
        legacy=legacy,
    )
    # Open when a sign-in is what the user must do next.
    box = st.sidebar.expander(
        tr("editor", lang), expanded=actor is None and (bool(why) or settings.login_required)
    )
    if why:
        st.session_state.pop(auth.SESSION_KEY, None)
        box.info(tr(f"session_{why}", lang))
        if sso_actor is not None:
            st.logout()  # the provider's cookie would sign the session straight back in
            return None
    with box:
        if actor is not None:
            signed = auth.Session.of(st.session_state[auth.SESSION_KEY])
            assert signed is not None
            st.session_state[auth.SESSION_KEY] = {**signed.record(), "seen": now.timestamp()}
            is_legacy = signed.kind == "legacy"
            st.success(tr("signed_in", lang) if is_legacy else _who(actor, lang))
            if st.button(tr("sign_out", lang), key="editor_sign_out"):
                st.session_state.pop(auth.SESSION_KEY, None)
                if signed.kind == "sso":
                    st.logout()
                st.rerun()
            return actor
        if sso_problem:
            st.error(tr("sso_misconfigured", lang, reason=plain(sso_problem)))
        if unknown:
            st.error(tr("sso_unknown", lang, who=plain(unknown)))
        users = auth.has_accounts(engine)
        if legacy is None and not users and provider is None:
            st.caption(tr("no_editor_configured", lang))
            return None
        if provider is not None:
            if importlib.util.find_spec("authlib") is None:
                st.caption(tr("sso_needs_authlib", lang))
            elif st.button(tr("sso_sign_in", lang), key="sso_sign_in"):
                st.login(None if provider == "default" else provider)
        if legacy is None and not users:
            return None
        with st.form("editor_sign_in", clear_on_submit=True):
            username = st.text_input(tr("username", lang), key="sign_in_username") if users else ""
            label = tr("account_password" if users else "password", lang)
            password = st.text_input(label, type="password", key="editor_password")
            submitted = st.form_submit_button(tr("sign_in", lang))
        if submitted:
            attempt, signed_in = auth.sign_in(
                engine,
                username=username,
                password=password,
                client=client,
                legacy=legacy,
                now=now,
            )
            if signed_in is not None:
                st.session_state[auth.SESSION_KEY] = signed_in.record()
                st.rerun()
            time.sleep(failed_delay_s)
            if attempt.locked_until is None:
                st.error(tr("wrong_password" if not users else "wrong_sign_in", lang))
            else:
                st.error(_locked_message(attempt.locked_until, lang, settings))
    return None
