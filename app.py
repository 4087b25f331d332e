"""The dashboard's entry point: declares the pages and runs the navigation."""

import streamlit as st

from dashboard.pages import overview

st.set_page_config(page_title="ICT Readiness Tracker", page_icon="🗺️", layout="wide")
st.navigation(
    [st.Page(overview.render, title="Tổng quan", url_path="overview", default=True)]
).run()
