"""`ictr probe assign` and `ictr probe agents`: which agent owns which point, and what each
agent has been doing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from inventory.db import get_engine, session_scope
from inventory.migrate import require_current_schema
from inventory.settings import get_settings


def assign(
    agent: str = typer.Option(..., "--agent", help="The agent that becomes the points' own."),
    districts: str = typer.Option(
        "", "--districts", help="Unit codes (district, province or commune), comma-separated."
    ),
    points: str = typer.Option("", "--points", help="Point codes, comma-separated."),
) -> None:
    """Make AGENT the own agent of the points in these districts and of these points."""
    from probes.running.assignments import assign as assign_points

    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        report = assign_points(
            session,
            agent=agent,
            districts=[c for c in districts.split(",") if c.strip()],
            points=[c for c in points.split(",") if c.strip()],
        )
    shown = ", ".join(report.changed[:20]) + (" …" if len(report.changed) > 20 else "")
    typer.echo(
        f"agent {agent!r} now owns {len(report.changed)} more point(s)"
        + (f": {shown}" if report.changed else "")
        + f"; {report.unchanged} already were its own"
    )


def agents(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Agents: points each one owns, rows it stored in the last 24 h, its last round."""
    from probes.running.assignments import agents_overview

    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        views = agents_overview(session, now=datetime.now(UTC))
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "agent": v.agent,
                        "own_points": v.own_points,
                        "rows_24h": v.rows_24h,
                        "watched_points_24h": v.watched_points_24h,
                        "last_round": v.last_round.isoformat() if v.last_round else None,
                    }
                    for v in views
                ],
                ensure_ascii=False,
            )
        )
        return
    zone = get_settings().zone
    typer.echo(f"{'agent':<16} {'own points':>10} {'rows 24h':>9} {'watched':>8}  last round")
    for v in views:
        last = v.last_round.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if v.last_round else "-"
        name = v.agent or "(default)"
        typer.echo(
            f"{name:<16} {v.own_points:>10} {v.rows_24h:>9} {v.watched_points_24h:>8}  {last}"
        )
    typer.echo(f"times in {get_settings().display_timezone}")


def register(probe_app: typer.Typer) -> None:
    probe_app.command("assign")(assign)
    probe_app.command("agents")(agents)
