"""What every page does first: language, sign-in (`dashboard/sign_in_box.py`), Leaflet assets,
the demo warning.

Widget values that must survive a change of page are mirrored into plain session keys
(`_lang`, `_editor`): Streamlit forgets the state of a widget a page does not draw.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import streamlit as st
from sqlalchemy import Engine

from dashboard.assets import ensure_leaflet_assets
from dashboard.client_address import client_address
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, tr
from dashboard.sign_in_box import sign_in_box
from inventory.actor import Actor, Role
from inventory.db import get_engine, session_scope
from inventory.demo import is_demo
from inventory.settings import Settings, get_settings

LANGUAGE_KEY = "lang"
# A failed sign-in waits this long, so guessing the password over the web is slow (one
# session at a time; the lockout in dashboard/sign_in_lockout.py bounds parallel ones).
FAILED_SIGN_IN_DELAY_S = 1.0


@dataclass(frozen=True)
class PageContext:
    lang: str
    engine: Engine
    settings: Settings
    actor: Actor | None  # None: not signed in, a viewer
    now: datetime  # UTC

    @property
    def editor(self) -> bool:
        """Signed in with a role that changes data (an editor within a scope, or an admin)."""
        return self.actor is not None and self.actor.role in (Role.editor, Role.admin)

    @property
    def today(self) -> date:
        """Today where the users are (Asia/Ho_Chi_Minh by default)."""
        return self.now.astimezone(self.settings.zone).date()

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)


def current_language() -> str:
    """The language chosen in this browser session (app.py needs it to title the pages)."""
    lang = st.session_state.get(LANGUAGE_KEY) or st.session_state.get("_lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def _assets_ready() -> bool:
    ensure_leaflet_assets()
    return True


@functools.cache
def _logging_ready() -> bool:
    # Streamlit sets up its own loggers only; ours (failed sign-ins, locks) need a handler
    # to reach the server log with a time and a level. A no-op if one is configured.
    logging.basicConfig(
        level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return True


def _secrets() -> Mapping[str, object] | None:
    return st.secrets if st.secrets.load_if_toml_exists() else None


def _language_picker() -> str:
    # Re-assigning makes the value the user's rather than the last page's widget's, so the
    # same radio on another page starts from it instead of from its default.
    st.session_state[LANGUAGE_KEY] = current_language()
    lang = st.sidebar.radio(
        "Ngôn ngữ / Language",
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANGUAGE_KEY,
        horizontal=True,
    )
    st.session_state["_lang"] = lang
    return lang


def _sign_in(lang: str) -> Actor | None:
    settings = get_settings()
    actor = sign_in_box(
        lang,
        engine=get_engine(),
        settings=settings,
        secrets=_secrets(),
        client=_client(),
        failed_delay_s=FAILED_SIGN_IN_DELAY_S,
    )
    if actor is None and settings.login_required:
        # Every page, the map included, waits for a sign-in (ICTR_LOGIN_REQUIRED).
        st.info(tr("login_required", lang), icon=":material/lock:")
        st.stop()
    return actor


def _client() -> str:
    """The browser's address, through a trusted reverse proxy if there is one."""
    # Only text counts: a session without a browser (AppTest) has placeholders here.
    peer = st.context.ip_address
    forwarded = st.context.headers.get_all("X-Forwarded-For")
    return client_address(
        peer if isinstance(peer, str) else None,
        [h for h in forwarded if isinstance(h, str)] if isinstance(forwarded, list) else [],
        get_settings().trusted_proxies,
    )


KEEP_PREFIX = "_keep_"


def _keep(keys: Sequence[str]) -> None:
    """Let these widgets keep their values when the language changes their labels (a new
    widget to Streamlit) and when the user comes back from another page (Streamlit drops
    the state of widgets a page does not draw). Re-assigning a value makes it the user's,
    which a new widget starts from; the mirror survives the other pages."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
            st.session_state[KEEP_PREFIX + key] = st.session_state[key]
        elif KEEP_PREFIX + key in st.session_state:
            st.session_state[key] = st.session_state[KEEP_PREFIX + key]


def page_setup(*, keep: Sequence[str] = ()) -> PageContext:
    """Call first on every page; `keep` names the page's widgets whose values should last."""
    _assets_ready()
    _logging_ready()
    _keep(keep)
    lang = _language_picker()
    actor = _sign_in(lang)
    engine = get_engine()
    with session_scope(engine) as session:
        demo = is_demo(session)
    if demo:
        st.sidebar.warning(tr("synthetic", lang), icon="⚠️")
    return PageContext(
        lang=lang, engine=engine, settings=get_settings(), actor=actor, now=datetime.now(UTC)
    )
