"""Streamlit dashboard: thin pages over readiness, inventory and probe modules."""
