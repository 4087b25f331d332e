"""Certificates renewed 2021-2026 in the synthetic demo.

A five-year certificate that expires before the demo's last day is renewed a few days before
it expires (never before 2021), most of the time (its holder may have left); a revoked one is
not. Some holders left at the reorganisation of 1 July 2025 and had theirs revoked that
month (a date after 2020: the 2020 picture keeps them). The renewal goes to the agency
holding the old one's records on the day it is issued, so after 1 July 2025 a commune
official's new certificate names the new commune's committee.
"""

from __future__ import annotations

import random
from collections import deque
from datetime import date, timedelta
from typing import Any

from inventory.demo import targets
from inventory.demo.agencies_2025 import TWO_LEVELS, holder_at

RENEWED_SHARE = 0.93
RENEWALS_FROM = date(2021, 1, 1)
# Share of holders who left the service at the reorganisation of 1 July 2025 (streamlining):
# their certificates were revoked that month.
LEFT_IN_2025 = 0.2
# Serials of renewals start here, clear of 2020's (0x5404...).
FIRST_SERIAL = 0x5405_0000_0000


def renew(
    rng: random.Random,
    certificates: list[dict[str, Any]],
    successors: dict[str, tuple[str, date]],
) -> list[dict[str, Any]]:
    renewed: list[dict[str, Any]] = []
    serial = FIRST_SERIAL
    queue = deque(certificates)
    while queue:
        old = queue.popleft()
        if old["revoked_on"] is not None:
            continue
        if old["issued_on"] < TWO_LEVELS <= old["expires_on"] and rng.random() < LEFT_IN_2025:
            old["revoked_on"] = TWO_LEVELS + timedelta(days=rng.randint(0, 30))
            old["status"] = "revoked"
            continue
        if old["expires_on"] > targets.LAST_DAY:
            continue
        if rng.random() > RENEWED_SHARE:
            continue
        # Never before 2021: the 2020 picture holds only what was issued by then.
        issued = max(old["expires_on"] - timedelta(days=rng.randint(0, 20)), RENEWALS_FROM)
        serial += rng.randint(1, 4096)
        new = dict(
            serial=f"{serial:X}",
            holder=old["holder"],
            agency_code=holder_at(old["agency_code"], issued, successors),
            issued_on=issued,
            expires_on=issued + timedelta(days=5 * 365),
            revoked_on=None,
            status="active",
        )
        renewed.append(new)
        queue.append(new)  # renewed again if it too expires before the last day
    return renewed
