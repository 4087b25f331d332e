"""The forms that write one record (inventory/record_edits.py does the writing, and the
checking): a computer's edit and retirement on its detail view, a new computer, an agency's
head-counts and a connection point on the Data page.

Only an editor sees them, and only for records in their scope; the write functions check
again, whatever the page showed. A form keeps the values it was opened with (the record's
"started from") until it is saved: if someone saved the record in between, the save is
refused and the form opens again on the new values. Messages quote data as plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from sqlmodel import Session, col, select

from dashboard import page_cache
from dashboard.i18n import COMPUTER_KIND, COMPUTER_STATUS, column_label, enum_label
from dashboard.markdown_text import plain
from dashboard.page_setup import PageContext
from inventory import record_edits
from inventory.access import units_under, unrestricted
from inventory.actor import Actor
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.models import AdminUnit, Agency, Computer, ConnectionPoint

_FLASH = "_record_saved"  # the message of the last save, shown after the page reruns
_OPENED = "_record_opened"  # record -> the values its form started from


# --- what an editor may write ----------------------------------------------------------------


def writable_units(session: Session, actor: Actor, province_code: str) -> frozenset[str]:
    """The units whose records `actor` may write (the page's choices; enforced again)."""
    if not unrestricted(actor) and actor.scope is not None:
        return units_under(session, actor.scope)
    return units_under(session, province_code)


def writable_agencies(session: Session, units: frozenset[str]) -> dict[int, str]:
    rows = session.exec(
        select(Agency.id, Agency.name, Agency.unit_code)
        .where(col(Agency.unit_code).in_(list(units)))
        .order_by(col(Agency.name), col(Agency.unit_code))
    ).all()
    return {int(i): f"{name} ({unit})" for i, name, unit in rows if i is not None}


# --- the flow every form shares ------------------------------------------------------------


def flash() -> None:
    """The last save's outcome, once (call where the page wants it)."""
    kind, message = st.session_state.pop(_FLASH, (None, None))
    if kind == "saved":
        st.success(message, icon=":material/check:")
    elif kind == "conflict":
        st.error(message, icon=":material/sync_problem:")


def _opened(record: str, read: Callable[[Session], dict[str, Any]], ctx: PageContext) -> dict:
    """The values the form of `record` started from: read when first drawn, kept until saved."""
    opened: dict[str, dict[str, Any]] = st.session_state.setdefault(_OPENED, {})
    if record not in opened:
        with session_scope(ctx.engine) as session:
            opened[record] = read(session)
    return opened[record]


def _reset(record: str, keys: Sequence[str]) -> None:
    """Open the form again on the stored values: forget its start and its widgets' values."""
    st.session_state.get(_OPENED, {}).pop(record, None)
    for key in keys:
        st.session_state.pop(key, None)


def _save(
    ctx: PageContext, record: str, keys: Sequence[str], write: Callable[[], int | None]
) -> None:
    """Run `write`; on success show its change set after a rerun, else the reason."""
    t = ctx.t
    try:
        change_set = write()
    except record_edits.EditConflict as exc:
        # Opened again on the stored values, with the reason above them.
        _reset(record, keys)
        st.session_state[_FLASH] = ("conflict", t("record_conflict", message=plain(exc)))
        st.rerun()
    except IctrError as exc:
        st.error(t("record_refused", message=plain(exc)))
        return
    _reset(record, keys)
    page_cache.clear()
    if change_set is None:
        st.session_state[_FLASH] = ("saved", t("record_unchanged"))
    else:
        st.session_state[_FLASH] = ("saved", t("record_saved", change_set=change_set))
    st.rerun()


def _choice(options: Sequence[Any], current: Any) -> int | None:
    return list(options).index(current) if current in options else None


# --- computers -------------------------------------------------------------------------------

_COMPUTER_KEYS = (
    "rec_computer_kind",
    "rec_computer_status",
    "rec_computer_agency",
    "rec_computer_os",
    "rec_computer_internet",
    "rec_computer_notes",
    "rec_retire_day",
    "rec_retire_confirm",
)


def computer_forms(ctx: PageContext, tag: str) -> None:
    """Edit or retire the computer `tag` (its detail view), if the signed-in editor may."""
    actor = ctx.actor
    if actor is None or not ctx.editor:
        return
    t, lang = ctx.t, ctx.lang
    record = f"computer:{tag}"
    if st.session_state.get("_rec_computer_tag") != tag:  # another computer: fresh widgets
        _reset(record, _COMPUTER_KEYS)
        st.session_state["_rec_computer_tag"] = tag
    with session_scope(ctx.engine) as session:
        agency_id = session.exec(
            select(Computer.agency_id).where(Computer.asset_tag == tag)
        ).first()
        units = writable_units(session, actor, ctx.settings.province_code)
        agencies = writable_agencies(session, units)
    if agency_id is None:
        return
    if agency_id not in agencies:
        st.caption(t("record_outside_scope"))
        return
    opened = _opened(record, lambda s: record_edits.current_computer(s, tag), ctx)
    st.subheader(t("computer_edit"))
    with st.form("rec_computer_form"):
        cols = st.columns(3)
        kind = cols[0].selectbox(
            column_label("kind", lang),
            list(COMPUTER_KIND),
            index=_choice(list(COMPUTER_KIND), opened["kind"]),
            format_func=lambda v: enum_label(COMPUTER_KIND, v, lang),
            key="rec_computer_kind",
        )
        statuses = [s for s in COMPUTER_STATUS if s != "retired" or opened["status"] == "retired"]
        status = cols[1].selectbox(
            column_label("status", lang),
            statuses,
            index=_choice(statuses, opened["status"]),
            format_func=lambda v: enum_label(COMPUTER_STATUS, v, lang),
            key="rec_computer_status",
        )
        agency = cols[2].selectbox(
            column_label("agency", lang),
            list(agencies),
            index=_choice(list(agencies), opened["agency_id"]),
            format_func=agencies.__getitem__,
            key="rec_computer_agency",
        )
        os_name = st.text_input(
            column_label("os", lang), value=opened["os"] or "", key="rec_computer_os"
        )
        internet = st.checkbox(
            column_label("internet", lang),
            value=bool(opened["internet"]),
            key="rec_computer_internet",
        )
        notes = st.text_area(
            column_label("notes", lang), value=opened["notes"] or "", key="rec_computer_notes"
        )
        saved = st.form_submit_button(t("save"), type="primary", key="rec_computer_save")
    if saved:
        values = {
            "kind": kind,
            "status": status,
            "agency_id": agency,
            "os": os_name,
            "internet": internet,
            "notes": notes,
        }
        _save(
            ctx,
            record,
            _COMPUTER_KEYS,
            lambda: record_edits.edit_computer(
                ctx.engine, actor=actor, tag=tag, started_from=opened, values=values
            ),
        )
    if opened["status"] == "retired":
        st.caption(t("computer_retired_on", day=opened["retired_on"] or "—"))
        return
    with st.form("rec_retire_form"):
        st.markdown(f"**{t('computer_retire')}**")
        day = st.date_input(
            column_label("retired_on", lang),
            value=ctx.today,
            max_value=ctx.today,
            key="rec_retire_day",
        )
        confirm = st.checkbox(t("retire_confirm"), key="rec_retire_confirm")
        retire = st.form_submit_button(t("retire"), key="rec_retire_save")
    if retire:
        if not confirm:
            st.warning(t("retire_confirm_needed"))
            return
        _save(
            ctx,
            record,
            _COMPUTER_KEYS,
            lambda: record_edits.retire_computer(
                ctx.engine, actor=actor, tag=tag, started_from=opened, retired_on=day
            ),
        )


_NEW_COMPUTER_KEYS = ("rec_new_tag", "rec_new_kind", "rec_new_agency", "rec_new_os")


def add_computer_form(ctx: PageContext) -> None:
    """A new computer in one of the editor's agencies."""
    actor = ctx.actor
    if actor is None or not ctx.editor:
        return
    t, lang = ctx.t, ctx.lang
    with session_scope(ctx.engine) as session:
        units = writable_units(session, actor, ctx.settings.province_code)
        agencies = writable_agencies(session, units)
    with st.expander(t("computer_add")), st.form("rec_new_computer_form"):
        tag = st.text_input(column_label("asset_tag", lang), key="rec_new_tag")
        cols = st.columns(2)
        kind = cols[0].selectbox(
            column_label("kind", lang),
            list(COMPUTER_KIND),
            format_func=lambda v: enum_label(COMPUTER_KIND, v, lang),
            key="rec_new_kind",
        )
        agency = cols[1].selectbox(
            column_label("agency", lang),
            list(agencies),
            index=None,
            format_func=agencies.__getitem__,
            key="rec_new_agency",
        )
        os_name = st.text_input(column_label("os", lang), key="rec_new_os")
        added = st.form_submit_button(t("add"), type="primary", key="rec_new_computer_save")
    if added:
        values = {"asset_tag": tag, "kind": kind, "agency_id": agency, "os": os_name}
        _save(
            ctx,
            "computer:new",
            _NEW_COMPUTER_KEYS,
            lambda: record_edits.add_computer(ctx.engine, actor=actor, values=values),
        )


# --- agencies' head-counts -------------------------------------------------------------------

_AGENCY_KEYS = ("rec_agency_officials", "rec_agency_signing")


def agency_counts_form(ctx: PageContext) -> None:
    """An agency's officials and signing officials (Data page)."""
    actor = ctx.actor
    if actor is None or not ctx.editor:
        return
    t, lang = ctx.t, ctx.lang
    with session_scope(ctx.engine) as session:
        agencies = writable_agencies(
            session, writable_units(session, actor, ctx.settings.province_code)
        )
    st.subheader(t("agency_counts_title"))
    picked = st.selectbox(
        column_label("agency", lang),
        list(agencies),
        index=None,
        format_func=agencies.__getitem__,
        placeholder=t("agency_pick"),
        key="rec_agency_pick",
    )
    if picked is None:
        return
    record = f"agency:{picked}"
    if st.session_state.get("_rec_agency_id") != picked:
        _reset(record, _AGENCY_KEYS)
        st.session_state["_rec_agency_id"] = picked
    opened = _opened(record, lambda s: record_edits.current_agency(s, picked), ctx)
    with st.form("rec_agency_form"):
        cols = st.columns(2)
        officials = cols[0].number_input(
            column_label("officials", lang),
            min_value=0,
            step=1,
            value=opened["officials"],
            key="rec_agency_officials",
        )
        signing = cols[1].number_input(
            column_label("signing_officials", lang),
            min_value=0,
            step=1,
            value=opened["signing_officials"],
            key="rec_agency_signing",
        )
        saved = st.form_submit_button(t("save"), type="primary", key="rec_agency_save")
    if saved:
        _save(
            ctx,
            record,
            _AGENCY_KEYS,
            lambda: record_edits.edit_agency_counts(
                ctx.engine,
                actor=actor,
                agency_id=picked,
                started_from=opened,
                officials=int(officials),
                signing_officials=int(signing),
            ),
        )


# --- connection points -----------------------------------------------------------------------

_POINT_TEXT = ("name", "address", "tcp_ports", "latitude", "longitude", "provider",
               "bandwidth_mbps")  # fmt: skip
_POINT_KEYS = ("rec_point_code", *(f"rec_point_{n}" for n in _POINT_TEXT),
               "rec_point_agency", "rec_point_unit")  # fmt: skip
NEW_POINT = "__new__"


def point_form(ctx: PageContext) -> None:
    """Add a connection point, or edit one of the editor's (Data page)."""
    actor = ctx.actor
    if actor is None or not ctx.editor:
        return
    t, lang = ctx.t, ctx.lang
    with session_scope(ctx.engine) as session:
        units = writable_units(session, actor, ctx.settings.province_code)
        agencies = writable_agencies(session, units)
        codes = list(
            session.exec(
                select(ConnectionPoint.code)
                .where(col(ConnectionPoint.unit_code).in_(list(units)))
                .order_by(col(ConnectionPoint.code))
            ).all()
        )
        unit_names = dict(
            session.exec(
                select(AdminUnit.code, AdminUnit.name)
                .where(col(AdminUnit.code).in_(list(units)))
                .order_by(col(AdminUnit.code))
            ).all()
        )
    st.subheader(t("point_edit_title"))
    picked = st.selectbox(
        t("choose_point"),
        [NEW_POINT, *codes],
        format_func=lambda c: t("point_new") if c == NEW_POINT else c,
        key="rec_point_pick",
    )
    record = f"point:{picked}"
    if st.session_state.get("_rec_point_code") != picked:
        _reset(record, _POINT_KEYS)
        st.session_state["_rec_point_code"] = picked
    if picked == NEW_POINT:
        opened: dict[str, Any] = {}
    else:
        opened = _opened(record, lambda s: record_edits.current_point(s, picked), ctx)
    with st.form("rec_point_form"):
        code = picked
        if picked == NEW_POINT:
            code = st.text_input(column_label("code", lang), key="rec_point_code")
        typed = {}
        cols = st.columns(2)
        for i, name in enumerate(_POINT_TEXT):
            shown = opened.get(name)
            typed[name] = cols[i % 2].text_input(
                column_label(name, lang), value="" if shown is None else str(shown),
                key=f"rec_point_{name}",
            )  # fmt: skip
        agency = cols[0].selectbox(
            column_label("agency", lang),
            list(agencies),
            index=_choice(list(agencies), opened.get("agency_id")),
            format_func=agencies.__getitem__,
            placeholder=t("point_no_agency"),
            key="rec_point_agency",
        )
        unit = cols[1].selectbox(
            t("point_unit"),
            list(unit_names),
            index=_choice(list(unit_names), opened.get("unit_code")),
            format_func=lambda c: f"{unit_names[c]} ({c})",
            placeholder=t("point_unit_from_agency"),
            key="rec_point_unit",
        )
        saved = st.form_submit_button(t("save"), type="primary", key="rec_point_save")
    if saved:
        values: dict[str, Any] = {**typed, "agency_id": agency, "unit_code": unit}
        if picked == NEW_POINT:
            write: Callable[[], int | None] = lambda: record_edits.add_point(  # noqa: E731
                ctx.engine, actor=actor, values={**values, "code": code}
            )
        else:
            write = lambda: record_edits.edit_point(  # noqa: E731
                ctx.engine, actor=actor, code=picked, started_from=opened, values=values
            )
        _save(ctx, record, _POINT_KEYS, write)
