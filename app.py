"""The dashboard's entry point: declares the pages and runs the navigation."""

import streamlit as st

from dashboard.i18n import tr
from dashboard.page_setup import current_language

PAGES = [  # file, title key, icon; the first is the home page
    ("map", "page_map", ":material/map:"),
    ("district", "page_district", ":material/location_city:"),
    ("inventory", "page_inventory", ":material/computer:"),
    ("network", "page_network", ":material/lan:"),
    ("data", "page_data", ":material/lock:"),
]

st.set_page_config(page_title="ICT Readiness Tracker", page_icon="🗺️", layout="wide")
lang = current_language()
st.navigation(
    [
        st.Page(f"dashboard/pages/{name}.py", title=tr(title, lang), icon=icon, default=i == 0)
        for i, (name, title, icon) in enumerate(PAGES)
    ]
).run()
