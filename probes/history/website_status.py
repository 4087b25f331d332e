"""A website's status: the one rule that `ictr probe run`, `ictr websites`, its exit code
and the dashboard apply, to a check just made or a stored one.

- `up`: an HTTP answer below 400 after the redirects, and, over HTTPS, a certificate a
  browser accepts (trusted root, the host's name, not expired);
- `failing`: it answers, but the certificate is refused: citizens see a warning page;
- `down`: no answer (refused, timed out, unresolvable), an error status (400 and above),
  or more redirects than followed;
- `skipped`: nothing was sent (a refused address): it says nothing about the website.

A website's current status is its latest check's by its own agent, unless that check is
older than `STALE_AFTER` (`stale`) or there is none (`no_data`), as for connection points.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from inventory.models import certificate_valid
from probes.history.point_status import DOWN, NO_DATA, SKIPPED, STALE, STALE_AFTER, UP

FAILING = "failing"
WEBSITE_STATUSES = (UP, FAILING, DOWN, SKIPPED, STALE, NO_DATA)


class CheckRow(Protocol):
    """What the rule reads of one check (a WebsiteCheck row, a WebsiteResult)."""

    @property
    def up(self) -> bool: ...
    @property
    def checked_at(self) -> datetime: ...
    @property
    def cert_trusted(self) -> bool | None: ...
    @property
    def cert_valid_name(self) -> bool | None: ...
    @property
    def cert_not_after(self) -> datetime | None: ...


def website_status(check: CheckRow, *, sent: bool = True) -> str:
    """The status of one check."""
    if not getattr(check, "sent", sent):
        return SKIPPED
    if not check.up:
        return DOWN
    valid = certificate_valid(
        trusted=check.cert_trusted,
        valid_name=check.cert_valid_name,
        not_after=check.cert_not_after,
        at=check.checked_at,
    )
    return FAILING if valid is False else UP


def current_website_status(check: CheckRow | None, *, now: datetime) -> str:
    """A website's status now, from its latest check (None: never checked)."""
    if check is None:
        return NO_DATA
    if now - check.checked_at > STALE_AFTER:
        return STALE
    return website_status(check)
