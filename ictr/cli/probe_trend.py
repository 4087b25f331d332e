"""`ictr probe trend`: one point's history by hour or day, from raw rounds and aggregates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from inventory.db import get_engine, session_scope
from inventory.migrate import require_current_schema
from inventory.settings import get_settings


def trend(
    point: str = typer.Option(..., "--point", help="The point's code."),
    window: str = typer.Option("7d", "--window", help="How far back: 24h, 7d, 90d, 365d."),
    by: str = typer.Option("hour", "--by", help="hour or day."),
    agent: str | None = typer.Option(
        None, "--agent", help="This agent's rounds (default: the point's own agent)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rounds, availability, loss and RTT per hour or day (Smokeping-style)."""
    from inventory.durations import parse_window
    from probes.history.trends import point_trend
    from probes.running.assignments import points_by_code

    span = parse_window(window)
    now = datetime.now(UTC)
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        [found] = points_by_code(session, [point])
        assert found.id is not None
        series = point_trend(
            session, point_id=found.id, since=now - span, until=now, by=by, agent=agent
        )
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "start": p.start.isoformat(),
                        "resolution": p.resolution,
                        "rounds": p.rounds,
                        "availability": p.availability,
                        "loss": p.loss,
                        "rtt_min_ms": p.rtt_min_ms,
                        "rtt_median_ms": p.rtt_median_ms,
                        "rtt_p90_ms": p.rtt_p90_ms,
                        "rtt_max_ms": p.rtt_max_ms,
                    }
                    for p in series
                ]
            )
        )
        return
    zone = get_settings().zone

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    typer.echo(f"{'start':<16} {'rounds':>6} {'avail.':>7} {'loss':>6} {'median':>7} {'p90':>7}")
    for p in series:
        shown = p.start.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        avail = "-" if p.availability is None else f"{p.availability:.1%}"
        loss = "-" if p.loss is None else f"{p.loss:.1%}"
        typer.echo(
            f"{shown:<16} {p.rounds:>6} {avail:>7} {loss:>6} "
            f"{ms(p.rtt_median_ms):>7} {ms(p.rtt_p90_ms):>7}"
        )
    typer.echo(f"{len(series)} {by}s; RTT in ms; times in {get_settings().display_timezone}")


def register(probe_app: typer.Typer) -> None:
    probe_app.command("trend")(trend)
