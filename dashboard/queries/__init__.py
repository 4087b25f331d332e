"""Read-only queries behind the dashboard pages: plain functions taking a session."""
