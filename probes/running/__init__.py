"""Running: one round (which points, how, paced and timed), recording it, and the agent that
runs rounds on a schedule. Uses the probers (probes.probers) and the stored history
(probes.history); neither uses this package.

- options.py: how a round is run (counts, spacing, timeouts, rate, limits), validated;
- assignments.py: which agent owns which point, and each agent's overview;
- targets.py: which points a round probes, and the address checks before any packet;
- website_targets.py: which websites a round checks, and the address rule before any request;
- website_round.py: a round's website checks, beside the packets, under its rate and deadline;
- ratelimit.py: the token bucket that paces a whole round;
- runner.py: one round: plan the attempts, send them through the probers, summarise;
- results.py: what a round found, a row per point and method, in memory: the runner makes
  it; the CLI prints it, metrics show it, recording stores or spools it;
- recording.py: recording a round: the spool's rounds first, then this one, or the spool;
- spool.py: the spool file where rounds wait while the database is unavailable;
- schedule.py: rounds on a fixed cadence until stopped (signals, overruns, the lock);
- upkeep.py: the scheduler's work besides probing: metrics, hourly summary, retention;
- metrics.py: the last round as Prometheus gauges (blackbox_exporter's names): the live
  state of this agent, nothing read from the history;
- lock.py: one scheduler per database and agent (a lock file, or PostgreSQL's lock);
- local_files.py: where an agent keeps its local files (lock, spool) for a database.
"""
