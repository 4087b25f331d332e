"""Recording a round: the rounds waiting in the spool first, oldest first, then this one,
each stored as one transaction (its rows, the hourly aggregates of hours already summarised,
the incidents they imply: probes.history.store). When the database cannot take it (locked,
unreachable), the round waits in the spool (probes.running.spool); a round the database
refuses outright (a point deleted while it was being probed) goes to the spool's rejected
file, with an error in the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from probes.history.store import DatabaseUnavailable, RoundRejected, StoreReport, store_records
from probes.running.results import RoundResult
from probes.running.spool import Spool, spooled_round, spooled_websites

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What became of a round handed to `record`."""

    stored: bool
    report: StoreReport | None = None
    replayed: int = 0  # spooled rounds written before this one
    message: str = ""


def replay(
    engine: Engine, spool: Spool, *, down_after: int, write_timeout_s: float | None = None
) -> int:
    """Write spooled rounds oldest first; stops at the first one the database won't take.

    Returns how many rounds were written. Raises DatabaseUnavailable when the first
    spooled round could not be written.
    """
    with spool.locked():
        entries = spool.read()
        written = 0
        try:
            while entries:
                entry = entries[0]
                agent, started_at, records = spooled_round(entry)
                try:
                    store_records(
                        engine,
                        agent=agent,
                        started_at=started_at,
                        records=records,
                        down_after=down_after,
                        write_timeout_s=write_timeout_s,
                        website_records=spooled_websites(entry),
                    )
                except RoundRejected as exc:
                    log.error("%s; moved to %s", exc, spool.rejected_path)
                    spool.reject_entry(entry)
                entries.pop(0)
                written += 1
        finally:
            spool.rewrite(entries)
    if written:
        log.info("wrote %d spooled round(s) from %s", written, spool.path)
    return written


def record(
    engine: Engine,
    result: RoundResult,
    spool: Spool,
    *,
    down_after: int,
    write_timeout_s: float | None = None,
) -> Outcome:
    """Store a round (after any spooled ones), or keep it in the spool."""
    try:
        replayed = replay(engine, spool, down_after=down_after, write_timeout_s=write_timeout_s)
        report = store_records(
            engine,
            agent=result.agent,
            started_at=result.started_at,
            records=result.records(),
            down_after=down_after,
            write_timeout_s=write_timeout_s,
            website_records=result.website_records(),
        )
    except DatabaseUnavailable as exc:
        spool.append(result)
        message = f"{exc}; round kept in spool {spool.path} ({spool.pending()} waiting)"
        log.warning("%s", message)
        return Outcome(stored=False, message=message)
    except RoundRejected as exc:  # e.g. a point deleted while it was being probed
        spool.reject(result)
        message = f"{exc}; round kept in {spool.rejected_path}"
        log.error("%s", message)
        return Outcome(stored=False, message=message)
    return Outcome(stored=True, report=report, replayed=replayed)
