"""Probes: connectivity checks of the connection points (ICMP, TCP), on schedule.

Three jobs, one sub-package each; imports go one way, probers <- running -> history
(tests/test_layers.py checks it):

- probers/: sending probe packets and matching the answers, one module per probe type;
  nothing of the database or of the schedule;
- running/: a round (which points, how, paced and timed), recording it, and the agent that
  runs rounds on a schedule;
- history/: the stored rounds: writing them, and what is read back from them (status,
  incidents, availability, trends, hourly and daily aggregates, retention).
"""
