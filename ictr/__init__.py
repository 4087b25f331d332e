"""The application layer of ICT Readiness Tracker: the `ictr` command line."""
