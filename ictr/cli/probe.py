"""`ictr probe`: probe the connection points and check the websites once or on a schedule;
incidents, availability."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from ictr.cli import probe_agents, probe_trend
from ictr.cli.probe_options import RoundSetup, round_options
from ictr.cli.retention_options import keep_hourly_option, keep_raw_option, retention
from inventory.db import get_engine, session_scope
from inventory.durations import parse_window
from inventory.migrate import require_current_schema
from inventory.settings import get_settings
from probes.history.availability import availability
from probes.history.incidents import list_incidents
from probes.history.point_status import DEGRADED, DOWN, SKIPPED, UP
from probes.history.website_status import FAILING, website_status
from probes.running.recording import record
from probes.running.results import RoundResult
from probes.running.runner import probe_once

# `ictr probe run`'s exit codes, for cron and systemd (docs/probes.md); 2 is a user mistake.
EXIT_DOWN = 3  # a point or a website probed in the round is down
EXIT_FAILING = 4  # none down, but a point is degraded or a website's certificate refused

probe_app = typer.Typer(
    help="Connectivity checks of the connection points (ICMP, TCP) and websites (HTTP).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _local(moment: datetime) -> str:
    return moment.astimezone(get_settings().zone).strftime("%Y-%m-%d %H:%M:%S")


def exit_code(result: RoundResult) -> int:
    """0 when every point and website probed is up; EXIT_DOWN when one is down; else
    EXIT_FAILING when one is degraded or failing. Skipped ones (nothing sent) do not count."""
    statuses = {p.status for p in result.points()}
    statuses |= {website_status(w) for w in result.websites}
    if DOWN in statuses:
        return EXIT_DOWN
    if DEGRADED in statuses or FAILING in statuses:
        return EXIT_FAILING
    return 0


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_websites(result: RoundResult) -> None:
    typer.echo(
        f"{'website':<40} {'status':<8} {'HTTP':>4} {'cert days':>9} {'updated':<10} "
        f"{'total':>9}  note"
    )
    for w in result.websites:
        days = "-" if w.cert_days_left is None else str(w.cert_days_left)
        fresh = w.last_modified.date() if w.last_modified else w.page_date
        updated = fresh.isoformat() if fresh else "-"
        total = "-" if w.total_ms is None else f"{w.total_ms:.0f} ms"
        typer.echo(
            f"{_cell(w.url, 40):<40} {website_status(w):<8} {w.status_code or '-':>4} "
            f"{days:>9} {updated:<10} {total:>9}  {w.error or ''}"
        )


def _print_round(result: RoundResult, stored: str) -> None:
    points = result.points()
    if points or not result.websites:
        typer.echo(f"{'code':<10} {'name':<44} {'status':<9} {'loss':>6} {'median RTT':>11}  note")
    for p in points:
        loss = "-" if p.loss is None else f"{p.loss:.0%}"
        rtt = "-" if p.rtt_median_ms is None else f"{p.rtt_median_ms:.2f} ms"
        typer.echo(
            f"{p.code:<10} {_cell(p.name, 44):<44} {p.status:<9} {loss:>6} {rtt:>11}  {p.note}"
        )
    if result.websites:
        _print_websites(result)
    counts = {s: sum(1 for p in points if p.status == s) for s in (UP, DEGRADED, DOWN, SKIPPED)}
    web = [website_status(w) for w in result.websites]
    sites = ""
    if web:
        sites = (
            f"{len(web)} websites, {web.count(UP)} up, {web.count(FAILING)} failing, "
            f"{web.count(DOWN)} down, {web.count(SKIPPED)} skipped; "
        )
    zone = get_settings().display_timezone
    typer.echo(
        f"round {_local(result.started_at)} ({zone}), {result.duration_s:.1f} s: "
        f"{len(points)} points, {counts[UP]} up, {counts[DEGRADED]} degraded, "
        f"{counts[DOWN]} down, {counts[SKIPPED]} skipped; {sites}{stored}"
    )
    if result.fallback:
        typer.echo("note: no raw-socket permission, probed with TCP connect (method tcp-connect)")


@round_options
def run(
    *,
    setup: RoundSetup,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    quiet: bool = typer.Option(False, "--quiet", help="Print nothing unless there is an error."),
) -> None:
    """Probe the agent's points (and any watched ones) and check its websites once, store the
    results, print a table.

    Exit codes: 0 every point and website probed is up; 3 at least one is down (a point
    that does not answer, a website that gives no answer or an error status); 4 none is
    down but a point is degraded or a website's certificate is refused (untrusted, wrong
    host name, expired); 2 a mistake in the command or the configuration.
    """
    options = setup.options
    engine = get_engine()
    require_current_schema(engine)
    result = probe_once(engine, options)
    outcome = record(
        engine,
        result,
        setup.spool,
        down_after=options.down_after,
        write_timeout_s=setup.write_timeout_s,
    )
    if outcome.stored:
        assert outcome.report is not None
        stored = f"{outcome.report.inserted} rows stored"
        if outcome.report.website_checks:
            stored += f", {outcome.report.website_checks} website checks"
        if outcome.replayed:
            stored += f" (and {outcome.replayed} spooled rounds)"
        if outcome.report.incidents_opened or outcome.report.incidents_closed:
            stored += (
                f", incidents opened {outcome.report.incidents_opened}, "
                f"closed {outcome.report.incidents_closed}"
            )
    else:
        stored = outcome.message
    code = exit_code(result)
    if quiet:
        if not outcome.stored:
            typer.echo(f"warning: {outcome.message}", err=True)
    elif as_json:
        typer.echo(json.dumps({**result.to_json(), "stored": outcome.stored}, ensure_ascii=False))
    else:
        _print_round(result, stored)
    if code:
        raise typer.Exit(code)


@round_options
def schedule(
    *,
    interval: str = typer.Option("5m", "--interval", help="Time between round starts (30s, 5m)."),
    setup: RoundSetup,
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", help="Serve Prometheus metrics on this port."
    ),
    metrics_address: str = typer.Option(
        "127.0.0.1", "--metrics-address", help="Address for the metrics endpoint."
    ),
    rounds: int | None = typer.Option(None, "--rounds", help="Stop after this many rounds."),
    keep_raw: str | None = keep_raw_option(
        "Keep raw rounds this long (e.g. 90d, at least 8d); older ones become hourly and "
        "daily aggregates."
    ),
    keep_hourly: str | None = keep_hourly_option(
        "Keep hourly aggregates this long; older ones remain as daily aggregates."
    ),
    prune_every: str = typer.Option(
        "24h", "--prune-every", help="How often to run the retention (`ictr db prune`)."
    ),
    no_prune: bool = typer.Option(
        False, "--no-prune", help="Never run the retention from this scheduler."
    ),
) -> None:
    """Run rounds on a fixed cadence until stopped (SIGTERM/SIGINT); the retention daily."""
    from probes.running.metrics import ProbeMetrics
    from probes.running.schedule import Scheduler, parse_interval
    from probes.running.upkeep import PrunePlan

    interval_s = parse_interval(interval)
    prune_plan = None
    if not no_prune:
        prune_plan = PrunePlan(
            retention(keep_raw, keep_hourly), every_s=parse_window(prune_every).total_seconds()
        )
    settings = get_settings()
    engine = get_engine()
    require_current_schema(engine)
    metrics = None
    if metrics_port is not None:
        metrics = ProbeMetrics()
        port = metrics.serve(metrics_port, metrics_address)
        typer.echo(f"metrics on http://{metrics_address}:{port}/metrics", err=True)
    scheduler = Scheduler(
        engine,
        setup.options,
        interval_s=interval_s,
        spool=setup.spool,
        database_url=settings.database_url,
        metrics=metrics,
        write_timeout_s=setup.write_timeout_s,
        max_rounds=rounds,
        prune_plan=prune_plan,
    )
    try:
        done = scheduler.run()
    finally:
        if metrics is not None:
            metrics.stop()
    typer.echo(f"scheduler stopped after {len(done)} rounds", err=True)


def incidents(
    open_only: bool = typer.Option(False, "--open", help="Only incidents still open."),
    since: str = typer.Option("30d", "--since", help="Window: 24h, 7d, 30d."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Incidents (a point down after consecutive failed rounds): start, end, duration."""
    now = datetime.now(UTC)
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        found = list_incidents(
            session, now=now, since=now - parse_window(since), open_only=open_only
        )
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "code": i.code,
                        "name": i.name,
                        "agent": i.agent,
                        "down_from": i.down_from.isoformat(),
                        "up_at": i.up_at.isoformat() if i.up_at else None,
                        "duration_s": round(i.duration.total_seconds(), 1),
                    }
                    for i in found
                ],
                ensure_ascii=False,
            )
        )
        return
    typer.echo(f"{'code':<10} {'down from':<19} {'up at':<19} {'duration':>10}  name")
    for i in found:
        up = _local(i.up_at) if i.up_at else "(still down)"
        minutes = i.duration.total_seconds() / 60
        typer.echo(f"{i.code:<10} {_local(i.down_from):<19} {up:<19} {minutes:>8.1f} m  {i.name}")
    typer.echo(f"{len(found)} incidents; times in {get_settings().display_timezone}")


def availability_command(
    window: str = typer.Option("24h", "--window", help="24h, 7d or 30d."),
    agent: str | None = typer.Option(
        None,
        "--agent",
        help="Count this agent's rounds (default: each point's own agent).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Share of stored rounds in which each point answered, over a window."""
    from sqlmodel import select

    from inventory.models import ConnectionPoint

    span = parse_window(window)
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        points = session.exec(
            select(ConnectionPoint).where(ConnectionPoint.active == True)  # noqa: E712
        ).all()
        names = {p.id: (p.code, p.name) for p in points if p.id is not None}
        figures = availability(
            session, window=span, now=datetime.now(UTC), agent=agent, point_ids=list(names)
        )
    rows = [
        {"code": names[pid][0], "name": names[pid][1], "rounds": a.rounds, "ratio": a.ratio}
        for pid, a in sorted(figures.items(), key=lambda item: names[item[0]][0])
    ]
    if as_json:
        typer.echo(json.dumps({"window": window, "points": rows}, ensure_ascii=False))
        return
    typer.echo(f"{'code':<10} {'rounds':>7} {'availability':>13}  name")
    for row in rows:
        ratio = row["ratio"]
        shown = "-" if ratio is None else f"{ratio:.2%}"
        typer.echo(f"{row['code']:<10} {row['rounds']:>7} {shown:>13}  {row['name']}")


def register(app: typer.Typer) -> None:
    probe_app.command("run")(run)
    probe_app.command("schedule")(schedule)
    probe_app.command("incidents")(incidents)
    probe_app.command("availability")(availability_command)
    probe_agents.register(probe_app)
    probe_trend.register(probe_app)
    app.add_typer(probe_app, name="probe")
