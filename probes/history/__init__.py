"""History: the stored rounds, written and read back. Nothing here probes or schedules:
it takes rows (from probes.running, or a replayed spool) and answers questions about them,
for the CLI, the dashboard and the readiness indicators.

- store.py: writing one round: its rows, late hours merged, incidents, one transaction;
  the one writer of the history (a round just run and a replayed one alike);
- incidents.py: a point down after K failed rounds, up again after one good round;
- point_status.py: the one rule for a point's status, in Python and in SQL: it judges
  stored rounds (a round in memory is judged by it too, in probes.running.results);
- availability.py: the share of a point's rounds up over a window;
- website_status.py: the one rule for a website's status (up, failing, down), for a check
  just made and a stored one;
- website_retention.py: website checks older than the raw retention deleted (no aggregates);
- website_history.py: websites' checks written (with their incidents) and read back: the
  latest check, availability over 7 and 30 days;
- trends.py: a point's history by hour or day, from raw rows and aggregates;
- hourly_summary.py: hourly aggregates kept up to date behind a watermark;
- retention.py: old raw rounds folded into daily aggregates, old hourly ones dropped;
- rollup_build.py: folding raw rows into hourly or daily aggregates;
- rollup_read.py: reading a window from the aggregates and the raw rows, nothing twice;
- oldest_row.py: the oldest instant stored in the raw or hourly table;
- pg_lock.py: a PostgreSQL session advisory lock (one prune at a time; also the
  scheduler's lock in probes.running.lock).
"""
