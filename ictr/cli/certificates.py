"""`ictr certificates expiring`: the certificates to renew, soonest first."""

from __future__ import annotations

import json
from datetime import date, datetime

import typer

from inventory.db import get_engine, session_scope
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.settings import get_settings
from readiness.certificates import EXPIRY_WARNING_DAYS, expiring_certificates

certificates_app = typer.Typer(
    help="Digital certificates (chứng thư số): those due for renewal.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _date(text: str | None) -> date:
    if text is None:
        return datetime.now(get_settings().zone).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise IctrError(f"--at {text!r}: write the date as YYYY-MM-DD") from None


def expiring(
    days: int = typer.Option(
        EXPIRY_WARNING_DAYS, "--days", min=0, help="Expiring within this many days."
    ),
    at: str | None = typer.Option(
        None, "--at", help="Valid on this date, YYYY-MM-DD (default: today)."
    ),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Certificates valid today that expire within --days: holder, agency, expiry."""
    if output_format not in ("table", "json"):
        raise IctrError(f"--format {output_format!r}: use table or json")
    day = _date(at)
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        found = expiring_certificates(session, at=day, days=days)
    if output_format == "json":
        records = [
            {
                "holder": r.holder,
                "title": r.title,
                "agency": r.agency,
                "agency_code": r.agency_code,
                "serial": r.serial,
                "expires_on": r.expires_on.isoformat(),
                "days_left": int(r.days_left),
            }
            for r in found.itertuples()
        ]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if found.empty:
        typer.echo(f"no certificate valid on {day:%d/%m/%Y} expires within {days} days")
        return
    shown = found.assign(expires_on=[d.strftime("%d/%m/%Y") for d in found["expires_on"]])
    shown = shown[["holder", "agency", "expires_on", "days_left", "serial"]]
    typer.echo(shown.to_string(index=False))
    typer.echo(f"{len(found)} certificates expire within {days} days of {day:%d/%m/%Y}")


def register(app: typer.Typer) -> None:
    certificates_app.command("expiring")(expiring)
    app.add_typer(certificates_app, name="certificates")
