"""The local spool: rounds the database could not take (locked, unreachable) wait here,
one JSON line each, and are written, oldest first, as soon as it is back.

Nothing is lost (each line is fsynced before the round counts as kept) and nothing is
duplicated (the database's unique round key makes a replay of a stored round a no-op,
so a crash between storing and trimming the spool is harmless).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from inventory.private_files import private_folder, private_opener
from probes.history.store import DatabaseUnavailable, RoundRejected, StoreReport, store_records
from probes.running.local_files import local_file
from probes.running.results import RoundResult

log = logging.getLogger(__name__)

SPOOL_VERSION = 1


def default_spool_path(database_url: str, agent: str = "") -> Path:
    """Next to a SQLite file; otherwise in the per-user data folder, one file per database."""
    return local_file(database_url, "probe-spool", "jsonl", agent)


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _entry(result: RoundResult) -> dict[str, Any]:
    return {
        "v": SPOOL_VERSION,
        "agent": result.agent,
        "started_at": result.started_at.isoformat(),
        "rows": [
            {k: _encode(v) for k, v in r.items() if k not in ("agent", "started_at")}
            for r in result.records()
        ],
    }


@dataclass
class Outcome:
    """What became of a round handed to `record`."""

    stored: bool
    report: StoreReport | None = None
    replayed: int = 0  # spooled rounds written before this one
    message: str = ""


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rejected_path = path.with_name(path.name + ".rejected")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Appends and replays from several processes must not interleave."""
        private_folder(self.path.parent)
        with open(
            self.path.with_name(self.path.name + ".lock"), "a", opener=private_opener
        ) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, result: RoundResult) -> None:
        line = json.dumps(_entry(result), ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._locked():
            with open(self.path, "a", encoding="utf-8", opener=private_opener) as spool:
                spool.write(line)
                spool.flush()
                os.fsync(spool.fileno())

    def reject(self, result: RoundResult) -> None:
        """Keep a round the database refused, for a person to look at."""
        with self._locked():
            with open(self.rejected_path, "a", encoding="utf-8", opener=private_opener) as rejected:
                rejected.write(json.dumps(_entry(result), ensure_ascii=False) + "\n")

    def _read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        entries = []
        with open(self.path, encoding="utf-8") as spool:
            for number, line in enumerate(spool, start=1):
                if not line.strip():
                    continue
                try:
                    entries.append(json.loads(line))
                except json.JSONDecodeError:
                    # Only a crash while appending leaves a broken line, and that round
                    # had not been reported as kept.
                    log.warning("spool %s line %d is incomplete; skipped", self.path, number)
        return entries

    def pending(self) -> int:
        return len(self._read())

    def _rewrite(self, entries: list[dict[str, Any]]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8", opener=private_opener) as spool:
            for entry in entries:
                spool.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
            spool.flush()
            os.fsync(spool.fileno())
        os.replace(temporary, self.path)

    def replay(
        self, engine: Engine, *, down_after: int, write_timeout_s: float | None = None
    ) -> int:
        """Write spooled rounds oldest first; stops at the first one the database won't take.

        Returns how many rounds were written. Raises DatabaseUnavailable when the first
        spooled round could not be written.
        """
        with self._locked():
            entries = self._read()
            written = 0
            try:
                while entries:
                    entry = entries[0]
                    started_at = datetime.fromisoformat(entry["started_at"])
                    records = [
                        {**row, "agent": entry["agent"], "started_at": started_at}
                        for row in entry["rows"]
                    ]
                    try:
                        store_records(
                            engine,
                            agent=entry["agent"],
                            started_at=started_at,
                            records=records,
                            down_after=down_after,
                            write_timeout_s=write_timeout_s,
                        )
                    except RoundRejected as exc:
                        log.error("%s; moved to %s", exc, self.rejected_path)
                        with open(
                            self.rejected_path, "a", encoding="utf-8", opener=private_opener
                        ) as rejected:
                            rejected.write(json.dumps(entry, ensure_ascii=False) + "\n")
                    entries.pop(0)
                    written += 1
            finally:
                self._rewrite(entries)
        if written:
            log.info("wrote %d spooled round(s) from %s", written, self.path)
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
        replayed = spool.replay(engine, down_after=down_after, write_timeout_s=write_timeout_s)
        report = store_records(
            engine,
            agent=result.agent,
            started_at=result.started_at,
            records=result.records(),
            down_after=down_after,
            write_timeout_s=write_timeout_s,
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
