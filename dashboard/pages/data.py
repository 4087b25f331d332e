"""For the IT department only: import spreadsheets, upload boundaries, reset the demo, and
the history of every change (the audit trail)."""

from __future__ import annotations

import streamlit as st

from dashboard import page_cache
from dashboard.demo_reset import reset_demo
from dashboard.i18n import CHANGE_ACTION, column_label, enum_label
from dashboard.markdown_text import plain
from dashboard.number_format import format_number
from dashboard.page_setup import page_setup
from dashboard.queries.history import change_rows_frame, change_set_frame, changed_tables
from dashboard.record_forms import agency_counts_form, flash, point_form
from dashboard.upload_import import error_table, import_boundary_upload, import_upload
from inventory.access import require_admin
from inventory.actor import Role
from inventory.db import session_scope
from inventory.demo import is_demo
from inventory.errors import IctrError
from inventory.importing import ImportOptions

ENTITIES = [
    "computers",
    "agencies",
    "points",
    "services",
    "certificates",
    "successions",
    "websites",
]
# Certificates also come as their own files, one by one or in a .zip.
CERTIFICATE_FILES = ["cer", "crt", "pem", "der", "p7b", "p7c", "zip"]

ctx = page_setup(
    keep=(
        "data_entity",
        "data_sheet",
        "data_agency",
        "data_unit",
        "data_create",
        "data_period",
        "data_boundary_level",
        "history_table",
        "history_key",
    )
)
t, lang = ctx.t, ctx.lang
st.title(t("data_title"))
if not ctx.editor or ctx.actor is None:
    st.warning(t("editor_required"), icon=":material/lock:")
    st.stop()
actor = ctx.actor
flash()  # the last record edit's outcome, after its rerun

st.header(t("import_title"))
entity = st.selectbox(
    t("entity"), ENTITIES, format_func=lambda e: t(f"entity_{e}"), key="data_entity"
)
upload = st.file_uploader(
    t("file"),
    type=["csv", "txt", "tsv", "xlsx", "xlsm", *CERTIFICATE_FILES],
    key="data_file",
)
cols = st.columns(4)
sheet = cols[0].text_input(t("sheet"), key="data_sheet")
agency = cols[1].text_input(t("default_agency"), key="data_agency")
unit = cols[2].text_input(t("default_unit"), key="data_unit")
create = cols[3].checkbox(t("create_agencies"), key="data_create")
period = ""
if entity == "services":  # the report's period, when the file has no period column
    period = st.text_input(t("default_period"), key="data_period", placeholder="2026Q3")
buttons = st.columns(2)
check = buttons[0].button(t("check"), key="data_check", disabled=upload is None)
write = buttons[1].button(
    t("do_import"), key="data_import", type="primary", disabled=upload is None
)

if upload is not None and (check or write):
    options = ImportOptions(
        sheet=sheet.strip() or None,
        dry_run=not write,
        agency=agency.strip() or None,
        create_agencies=create,
        unit=unit.strip() or None,
        period=period.strip() or None,
    )
    try:
        report = import_upload(
            ctx.engine,
            entity,
            name=upload.name,
            data=upload.getvalue(),
            options=options,
            actor=actor,
        )
    except IctrError as exc:
        st.error(t("import_error", message=plain(exc)))
    else:
        counts = {
            k: format_number(getattr(report.counts, k), lang=lang)
            for k in ("new", "updated", "unchanged")
        }
        if not report.ok:
            st.error(t("report_errors", rows=format_number(report.bad_rows, lang=lang)))
            st.dataframe(
                error_table(report, lang),
                hide_index=True,
                placeholder=t("no_data"),
                width="stretch",
                key="data_errors",
            )
        elif write:
            st.success(t("imported", **counts))
            page_cache.clear()
        else:
            st.success(t("report_ok", **counts))
        with st.expander("log"):
            st.code("\n".join(report.lines()), language=None)

# Boundaries and the demo are the whole province's: an admin's (enforced again where they
# are written: import_boundary_upload, require_admin below).
admin = actor.role is Role.admin

st.header(t("boundaries_title"))
if not admin:
    st.caption(t("admin_only"))
level = st.radio(
    t("boundary_level"),
    ["district", "commune"],
    format_func=lambda v: t(f"level_{v}"),
    key="data_boundary_level",
    horizontal=True,
)
shapes = st.file_uploader(
    t("boundary_file"),
    type=["geojson", "json", "gpkg", "kml", "kmz", "zip"],
    key="data_boundary_file",
)
if st.button(
    t("boundaries_title"), key="data_boundary_import", disabled=shapes is None or not admin
):
    assert shapes is not None
    try:
        with session_scope(ctx.engine) as session:
            boundary_report = import_boundary_upload(
                session,
                name=shapes.name,
                data=shapes.getvalue(),
                province_code=ctx.settings.province_code,
                level=level,
                actor=actor,
            )
            if boundary_report.refusal:
                session.rollback()
    except IctrError as exc:
        st.error(t("import_error", message=plain(exc)))
    else:
        if boundary_report.refusal:
            st.error(t("boundaries_refused", reason=plain(boundary_report.refusal)))
        else:
            st.success(t("boundaries_stored", n=boundary_report.stored))
            page_cache.clear()
        with st.expander("log"):
            st.code("\n".join(boundary_report.lines()), language=None)

st.header(t("demo_title"))
with session_scope(ctx.engine) as session:
    demo = is_demo(session)
if not demo:
    st.caption(t("demo_refused"))
else:
    st.caption(t("demo_explain"))
    confirm = st.checkbox(t("demo_confirm"), key="data_demo_confirm")
    if st.button(t("demo_reset"), key="data_demo_reset", disabled=not confirm or not admin):
        require_admin(actor, "reset the demo")
        with st.spinner():
            reset_demo(ctx.engine, province_code=ctx.settings.province_code, actor=actor)
        page_cache.clear()
        st.success(t("demo_done"))

st.header(t("records_title"))
agency_counts_form(ctx)
point_form(ctx)

st.header(t("history_title"))
st.caption(t("history_explain", zone=ctx.settings.display_timezone))
filters = st.columns(2)
with session_scope(ctx.engine) as session:
    tables = changed_tables(session)
history_table = filters[0].selectbox(
    t("history_table"),
    [None, *tables],
    format_func=lambda v: t("all") if v is None else v,
    key="history_table",
)
history_key = filters[1].text_input(t("history_key"), key="history_key").strip() or None
with session_scope(ctx.engine) as session:
    history = change_set_frame(
        session, zone=ctx.settings.zone, table=history_table, key=history_key
    )
if history.empty:
    st.caption(t("history_none"))
else:
    st.dataframe(
        history.rename(columns=lambda c: column_label(c, lang)),
        hide_index=True,
        width="stretch",
        key="history_sets",
    )
    picked = st.selectbox(t("history_rows"), list(history["change_set"]), key="history_pick")
    with session_scope(ctx.engine) as session:
        rows = change_rows_frame(session, int(picked))
    rows["action"] = [enum_label(CHANGE_ACTION, a, lang) for a in rows["action"]]
    st.dataframe(
        rows.rename(columns=lambda c: column_label(c, lang)),
        hide_index=True,
        placeholder=t("no_data"),
        width="stretch",
        key="history_rows",
    )
