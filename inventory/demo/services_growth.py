"""Online public services 2021-2026 in the synthetic demo: each agency's figures grow from
its 2020 ones towards a 2026 level of its own.

Periods follow the structure: years 2021-2024 and the first two quarters of 2025 reported by
Hà Giang's agencies, then quarters from 2025Q3 to 2026Q3 by today's Tuyên Quang agencies
(each agency reports for the periods it exists through). From July 2025 a commune
handles most of what the district did, so a 2025 commune's committee offers about three
times the procedures a 2020 one did.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from inventory.models import AgencyKind
from inventory.periods import period_bounds

PERIODS = ["2021", "2022", "2023", "2024", "2025Q1", "2025Q2",
           "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]  # fmt: skip
START = date(2020, 12, 31)
END = date(2026, 9, 30)


def _share(row: dict[str, Any], part: str, whole: str) -> float:
    return row[part] / row[whole] if row[whole] else 0.0


def grow(
    rng: random.Random,
    agencies: list[dict[str, Any]],
    readiness: dict[str, float],
    figures_2020: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Service figures per agency and period, for every period the agency is open through."""
    base = {f["agency_code"]: f for f in figures_2020}
    rows: list[dict[str, Any]] = []
    for a in agencies:
        r = readiness[a["code"]]
        kind = a["kind"]
        start = base.get(a["code"])
        if start is None:  # an agency of 2025: the province's 2020 shares, as ready as it is
            procedures = (
                rng.randint(300, 380) if kind == AgencyKind.commune_committee
                else rng.randint(60, 180)
            )  # fmt: skip
            received = procedures * rng.randint(8, 20)
            shares = dict(l3=0.19 * r, l4=0.15 * r, online=0.2 * r, on_time=0.89, cut=0.3)
        else:
            procedures, received = start["procedures"], start["dossiers_received"]
            shares = dict(
                l3=_share(start, "procedures_level3", "procedures"),
                l4=_share(start, "procedures_level4", "procedures"),
                online=_share(start, "dossiers_online", "dossiers_received"),
                on_time=_share(start, "dossiers_on_time", "dossiers_received"),
                cut=_share(start, "procedures_cut_30", "procedures"),
            )
        level = 0.75 + 0.25 * r
        goal = dict(
            l3=rng.uniform(0.20, 0.30),
            l4=rng.uniform(0.50, 0.65) * level,
            online=rng.uniform(0.55, 0.85) * level,
            on_time=rng.uniform(0.95, 0.995),
            cut=rng.uniform(0.40, 0.60),
        )
        for period in PERIODS:
            first, last = period_bounds(period)
            if (a.get("valid_from") or first) > first or (a.get("valid_to") or last) < last:
                continue
            t = (last - START).days / (END - START).days
            now = {k: shares[k] + (goal[k] - shares[k]) * t for k in shares}
            months = (last.year - first.year) * 12 + last.month - first.month + 1
            dossiers = round(received * (1 + 0.05 * t) * months / 12 * rng.uniform(0.92, 1.08))
            l4 = round(procedures * now["l4"])
            l3 = min(round(procedures * now["l3"]), procedures - l4)
            rows.append(
                dict(
                    unit_code=a["unit_code"],
                    agency_code=a["code"],
                    period=period,
                    procedures=procedures,
                    procedures_level3=l3,
                    procedures_level4=l4,
                    procedures_cut_30=min(procedures, round(procedures * now["cut"])),
                    dossiers_received=dossiers,
                    dossiers_online=round(dossiers * min(1.0, now["online"])),
                    dossiers_on_time=round(dossiers * min(1.0, now["on_time"])),
                )
            )
    return rows
