"""The computer inventory: search and filters, and the replacement plan with its budget."""

from __future__ import annotations

import streamlit as st

from dashboard.computer_filter import filter_computers
from dashboard.i18n import (
    CHANGE_ACTION,
    COMPUTER_KIND,
    COMPUTER_STATUS,
    column_label,
    enum_label,
)
from dashboard.markdown_text import plain
from dashboard.number_format import format_number, style_numbers
from dashboard.page_setup import page_setup
from dashboard.queries.computers import computer_frame
from dashboard.queries.history import computer_history_frame
from dashboard.queries.units import districts
from dashboard.record_forms import add_computer_form, computer_forms, flash
from dashboard.replacement_plan import replacement_plan
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.spreadsheet_text import frame_to_csv

SHOWN = ["asset_tag", "kind", "manufacturer", "model", "os", "purchase_year", "status",
         "internet", "agency_name", "unit_name", "district_name"]  # fmt: skip

ctx = page_setup(
    keep=(
        "inv_search",
        "inv_district",
        "inv_status",
        "inv_kind",
        "inv_detail",
        "plan_start",
        "plan_years",
        "plan_budget",
        "plan_district",
    )
)
t, lang = ctx.t, ctx.lang
st.title(t("inventory_title"))
flash()  # the last record edit's outcome, after its rerun

with session_scope(ctx.engine) as session:
    computers = computer_frame(session)
    district_list = districts(session, ctx.settings.province_code)
names = dict(zip(district_list["code"], district_list["name"], strict=True))

search = st.text_input(t("search"), key="inv_search")
cols = st.columns(3)
district = cols[0].selectbox(
    t("filter_district"),
    [None, *names],
    format_func=lambda c: t("all") if c is None else names[c],
    key="inv_district",
)
statuses = cols[1].multiselect(
    t("filter_status"),
    list(COMPUTER_STATUS),
    format_func=lambda v: enum_label(COMPUTER_STATUS, v, lang),
    placeholder=t("all"),
    key="inv_status",
)
kinds = cols[2].multiselect(
    t("filter_kind"),
    list(COMPUTER_KIND),
    format_func=lambda v: enum_label(COMPUTER_KIND, v, lang),
    placeholder=t("all"),
    key="inv_kind",
)
found = filter_computers(
    computers, search=search, district=district, statuses=statuses, kinds=kinds
)
st.caption(
    t(
        "shown_of",
        shown=format_number(len(found), lang=lang),
        total=format_number(len(computers), lang=lang),
    )
)
table = found[SHOWN].assign(
    kind=[enum_label(COMPUTER_KIND, v, lang) for v in found["kind"]],
    status=[enum_label(COMPUTER_STATUS, v, lang) for v in found["status"]],
)
st.dataframe(
    table.rename(columns=lambda c: column_label(c, lang)),
    hide_index=True,
    placeholder=t("no_data"),
    width="stretch",
    height=420,
    key="inv_table",
)
st.download_button(
    t("download_csv"),
    frame_to_csv(found[SHOWN]).encode("utf-8-sig"),
    file_name="computers.csv",
    mime="text/csv",
    key="inv_csv",
)

add_computer_form(ctx)  # editors only

# One computer: its record, its edit forms (editors), and its history (every change set
# that touched it).
with st.expander(t("computer_detail"), expanded=st.session_state.get("inv_detail") is not None):
    detail = st.selectbox(
        t("computer_pick"), [None, *found["asset_tag"]], key="inv_detail", placeholder=t("all")
    )
    if detail is not None:
        record = found[found["asset_tag"] == detail].iloc[0]
        st.dataframe(
            record.rename(index=lambda c: column_label(str(c), lang)).astype(str),
            width="stretch",
            key="inv_detail_record",
        )
        computer_forms(ctx, detail)
        with session_scope(ctx.engine) as session:
            history = computer_history_frame(session, detail, zone=ctx.settings.zone)
        history["action"] = [enum_label(CHANGE_ACTION, a, lang) for a in history["action"]]
        st.subheader(t("computer_history"))
        st.dataframe(
            history.rename(columns=lambda c: column_label(c, lang)),
            hide_index=True,
            placeholder=t("history_none"),
            width="stretch",
            key="inv_detail_history",
        )

st.header(t("plan_title"))
# Defaults through the session, not `value=`: the values are kept across pages (page_setup).
for name, default in (("plan_start", ctx.today.year), ("plan_years", 5), ("plan_budget", 0)):
    st.session_state.setdefault(name, default)
plan_cols = st.columns(4)
start = plan_cols[0].number_input(t("plan_start"), min_value=2000, max_value=2100, key="plan_start")
years = plan_cols[1].number_input(t("plan_years"), min_value=1, max_value=30, key="plan_years")
budget = plan_cols[2].number_input(
    t("budget"), min_value=0, step=100_000_000, help=t("budget_help"), key="plan_budget"
)
scope = plan_cols[3].selectbox(
    t("plan_district"),
    [None, *names],
    format_func=lambda c: t("whole_province") if c is None else names[c],
    key="plan_district",
)
try:
    with session_scope(ctx.engine) as session:
        plan = replacement_plan(
            session,
            start=int(start),
            years=int(years),
            budget=int(budget) or None,
            district=scope,
        )
except IctrError as exc:
    st.error(t("plan_error", message=plain(exc)))
    st.stop()
st.caption(plan.budget_note_vi if lang == "vi" else plan.budget_note_en)
money = {column_label(c, lang): 0 for c in ("replace", "new", "count", "cost_vnd")}
st.dataframe(
    style_numbers(plan.years.rename(columns=lambda c: column_label(c, lang)), money, lang=lang),
    hide_index=True,
    placeholder=t("no_data"),
    width="stretch",
    key="plan_years_table",
)
if plan.unfunded_count:
    st.warning(
        t(
            "unfunded",
            count=format_number(plan.unfunded_count, lang=lang),
            cost=format_number(plan.unfunded_cost, lang=lang),
        )
    )
with st.expander(t("plan_by_district")):
    st.dataframe(
        style_numbers(
            plan.districts.drop(columns=["code"]).rename(columns=lambda c: column_label(c, lang)),
            money,
            lang=lang,
        ),
        hide_index=True,
        placeholder=t("no_data"),
        width="stretch",
        key="plan_district_table",
    )
st.download_button(
    t("download_plan"),
    plan.xlsx,
    file_name=f"ke-hoach-thay-the-{int(start)}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="plan_xlsx",
)
