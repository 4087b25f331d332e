"""`ictr websites`: each website's status, certificate days left, last update and
availability over 7 and 30 days, from the stored checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import typer
from sqlmodel import col, select

from inventory.db import get_engine, session_scope
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.models import Agency, Website, WebsiteCheck, cert_days_left
from inventory.settings import get_settings
from probes.history.website_history import latest_checks, website_availability
from probes.history.website_status import current_website_status
from readiness.indicators.website_counts import last_updated

WINDOWS = {"7d": timedelta(days=7), "30d": timedelta(days=30)}


def _last_updated(check: WebsiteCheck | None) -> str | None:
    """The page's Last-Modified day (in the display time zone), else the newest date in it."""
    if check is None:
        return None
    day = last_updated(check, get_settings().zone)
    return day.isoformat() if day else None


def website_rows(*, now: datetime) -> list[dict[str, Any]]:
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        sites = session.exec(
            select(Website, Agency.name)
            .join(Agency, col(Agency.id) == col(Website.agency_id))
            .where(Website.active == True)  # noqa: E712 (SQL expression)
            .order_by(col(Agency.name), col(Website.url))
        ).all()
        ids = [w.id for w, _ in sites if w.id is not None]
        latest = latest_checks(session, ids)
        shares = {
            name: website_availability(session, website_ids=ids, window=span, now=now)
            for name, span in WINDOWS.items()
        }
        rows = []
        for website, agency in sites:
            assert website.id is not None
            check = latest.get(website.id)
            rows.append(
                {
                    "agency": agency,
                    "url": website.url,
                    "kind": website.kind.value,
                    "synthetic": website.synthetic,
                    "status": current_website_status(check, now=now),
                    "status_code": check.status_code if check else None,
                    "checked_at": check.checked_at.isoformat() if check else None,
                    "cert_days_left": (
                        cert_days_left(check.cert_not_after, now)
                        if check is not None and check.cert_not_after is not None
                        else None
                    ),
                    "last_updated": _last_updated(check),
                    "error": check.error if check else None,
                    **{
                        f"availability_{name}": figures[website.id].ratio
                        for name, figures in shares.items()
                    },
                }
            )
    return rows


def _share(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.1%}"


def websites(
    output_format: str = typer.Option(
        "table", "--format", help="table or json.", metavar="table|json"
    ),
) -> None:
    """Websites and e-service portals: status, certificate days left, last update,
    availability over 7 and 30 days (from `ictr probe run` and the scheduler's checks)."""
    if output_format not in ("table", "json"):
        raise IctrError(f"--format must be table or json, got {output_format!r}")
    rows = website_rows(now=datetime.now(UTC))
    if output_format == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    typer.echo(
        f"{'website':<40} {'status':<8} {'HTTP':>4} {'cert days':>9} {'updated':<10} "
        f"{'7 days':>7} {'30 days':>7}  agency"
    )
    for row in rows:
        url = row["url"] if len(row["url"]) <= 40 else row["url"][:39] + "…"
        days = "-" if row["cert_days_left"] is None else str(row["cert_days_left"])
        typer.echo(
            f"{url:<40} {row['status']:<8} {row['status_code'] or '-':>4} {days:>9} "
            f"{row['last_updated'] or '-':<10} {_share(row['availability_7d']):>7} "
            f"{_share(row['availability_30d']):>7}  {row['agency']}"
        )
    typer.echo(f"{len(rows)} websites")


def register(app: typer.Typer) -> None:
    app.command("websites")(websites)
