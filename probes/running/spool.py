"""The local spool: rounds the database could not take (locked, unreachable) wait here,
one JSON line each, until probes.running.recording writes them, oldest first, as soon as
it is back. This module is the file: its format, its lock, appending, reading, trimming.

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
from datetime import date, datetime
from pathlib import Path
from typing import Any

from inventory.private_files import private_folder, private_opener
from probes.running.local_files import local_file
from probes.running.results import RoundResult

log = logging.getLogger(__name__)

SPOOL_VERSION = 1


def default_spool_path(database_url: str, agent: str = "") -> Path:
    """Next to a SQLite file; otherwise in the per-user data folder, one file per database."""
    return local_file(database_url, "probe-spool", "jsonl", agent)


# A website check's columns that are instants or days, decoded when a spool line is read.
_WEBSITE_TIMES = ("checked_at", "cert_not_after", "last_modified")
_WEBSITE_DAYS = ("page_date",)


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _entry(result: RoundResult) -> dict[str, Any]:
    return {
        "v": SPOOL_VERSION,
        "agent": result.agent,
        "started_at": result.started_at.isoformat(),
        "rows": [
            {k: _encode(v) for k, v in r.items() if k not in ("agent", "started_at")}
            for r in result.records()
        ],
        # Absent from lines written before websites were checked: read as none.
        "websites": [
            {k: _encode(v) for k, v in r.items() if k != "agent"} for r in result.website_records()
        ],
    }


def spooled_websites(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A spool line's website checks read back, as WebsiteCheck column values."""
    checks = []
    for row in entry.get("websites", []):
        check = {**row, "agent": entry["agent"]}
        for name in _WEBSITE_TIMES:
            if check.get(name) is not None:
                check[name] = datetime.fromisoformat(check[name])
        for name in _WEBSITE_DAYS:
            if check.get(name) is not None:
                check[name] = date.fromisoformat(check[name])
        checks.append(check)
    return checks


def spooled_round(entry: dict[str, Any]) -> tuple[str, datetime, list[dict[str, Any]]]:
    """A spool line read back: the round's agent, start and ProbeResult column values."""
    started_at = datetime.fromisoformat(entry["started_at"])
    records = [{**row, "agent": entry["agent"], "started_at": started_at} for row in entry["rows"]]
    return entry["agent"], started_at, records


class Spool:
    """One agent's spool file, with its lock file and its file of rejected rounds beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rejected_path = path.with_name(path.name + ".rejected")

    @contextmanager
    def locked(self) -> Iterator[None]:
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
        with self.locked():
            with open(self.path, "a", encoding="utf-8", opener=private_opener) as spool:
                spool.write(line)
                spool.flush()
                os.fsync(spool.fileno())

    def reject(self, result: RoundResult) -> None:
        """Keep a round the database refused, for a person to look at."""
        with self.locked():
            self.reject_entry(_entry(result))

    def reject_entry(self, entry: dict[str, Any]) -> None:
        """Keep a spooled round the database refused (the caller holds the lock)."""
        with open(self.rejected_path, "a", encoding="utf-8", opener=private_opener) as rejected:
            rejected.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def read(self) -> list[dict[str, Any]]:
        """The spooled rounds, oldest first (hold the lock to act on them)."""
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
        return len(self.read())

    def rewrite(self, entries: list[dict[str, Any]]) -> None:
        """Keep only `entries` (the caller holds the lock)."""
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
