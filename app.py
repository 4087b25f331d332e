"""The dashboard's entry point: declares the pages and runs the navigation."""

import streamlit as st

from dashboard.i18n import tr
from dashboard.page_setup import current_language

st.set_page_config(page_title="ICT Readiness Tracker", page_icon="🗺️", layout="wide")
lang = current_language()
st.navigation(
    [
        st.Page("dashboard/pages/map.py", title=tr("page_map", lang), icon=":material/map:", default=True),
        st.Page("dashboard/pages/district.py", title=tr("page_district", lang), icon=":material/location_city:"),
        st.Page("dashboard/pages/inventory.py", title=tr("page_inventory", lang), icon=":material/computer:"),
        st.Page("dashboard/pages/network.py", title=tr("page_network", lang), icon=":material/lan:"),
        st.Page("dashboard/pages/data.py", title=tr("page_data", lang), icon=":material/lock:"),
    ]
).run()
