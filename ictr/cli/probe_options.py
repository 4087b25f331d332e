"""The options of one probe round, shared by `ictr probe run` and `ictr probe schedule`.

Defaults come from `ProbeOptions` (probes/options.py), the spool's from the settings
(ICTR_PROBE_SPOOL); an option given on the command line wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from ictr.cli.shared_options import option, shared_options
from inventory.settings import get_settings
from probes.probers.ports import parse_ports
from probes.running.options import METHOD_CHOICES, ProbeOptions
from probes.running.spool import Spool, default_spool_path

DEFAULTS = ProbeOptions()


@dataclass(frozen=True)
class RoundSetup:
    """What a probe command needs for its rounds: how to probe, and where a round the
    database cannot take waits."""

    options: ProbeOptions
    spool: Spool
    write_timeout_s: float | None


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def _gather(
    *,
    points: str,
    watch_districts: str,
    watch_points: str,
    method: str,
    count: int,
    spacing: float,
    timeout: float,
    pps: float,
    deadline: float,
    max_targets: int,
    agent: str,
    down_after: int,
    http_timeout: float,
    fallback_ports: str,
    spool: Path | None,
    write_timeout: float | None,
) -> RoundSetup:
    settings = get_settings()
    options = ProbeOptions(
        count=count,
        spacing_s=spacing,
        timeout_s=timeout,
        pps=pps,
        deadline_s=deadline,
        max_targets=max_targets,
        method=method,
        agent=agent,
        fallback_ports=parse_ports(fallback_ports, where="--fallback-ports"),
        down_after=down_after,
        http_timeout_s=http_timeout,
        ca_bundle=settings.ca_bundle,
        points=_codes(points),
        watch_districts=_codes(watch_districts),
        watch_points=_codes(watch_points),
    )
    path = spool or settings.probe_spool or default_spool_path(settings.database_url, agent)
    return RoundSetup(options=options, spool=Spool(path), write_timeout_s=write_timeout)


round_options = shared_options(
    [
        option(
            "points",
            str,
            typer.Option(
                ",".join(DEFAULTS.points),
                "--points",
                help="Only these point codes, comma-separated.",
            ),
        ),
        option(
            "watch_districts",
            str,
            typer.Option(
                ",".join(DEFAULTS.watch_districts),
                "--watch-districts",
                help="Also probe every active point in these units (district, province or "
                "commune codes, comma-separated), for diagnosis: rows carry this agent's name "
                "and never make a point down.",
            ),
        ),
        option(
            "watch_points",
            str,
            typer.Option(
                ",".join(DEFAULTS.watch_points),
                "--watch-points",
                help="Also probe these point codes (comma-separated), for diagnosis.",
            ),
        ),
        option(
            "method",
            str,
            typer.Option(
                DEFAULTS.method,
                "--method",
                help=f"One of {', '.join(METHOD_CHOICES)}; auto follows each point's "
                "probe_method and checks the websites too; http checks only the websites.",
            ),
        ),
        option(
            "count",
            int,
            typer.Option(
                DEFAULTS.count, "--count", help="Probes per point and method (per port for TCP)."
            ),
        ),
        option(
            "spacing",
            float,
            typer.Option(
                DEFAULTS.spacing_s, "--spacing", help="Seconds between probes to the same point."
            ),
        ),
        option(
            "timeout",
            float,
            typer.Option(
                DEFAULTS.timeout_s, "--timeout", help="Seconds before a probe counts as lost."
            ),
        ),
        option(
            "pps",
            float,
            typer.Option(DEFAULTS.pps, "--pps", help="Packets per second for the whole round."),
        ),
        option(
            "deadline",
            float,
            typer.Option(
                DEFAULTS.deadline_s, "--deadline", help="Seconds a round may last at most."
            ),
        ),
        option(
            "max_targets",
            int,
            typer.Option(
                DEFAULTS.max_targets, "--max-targets", help="Refuse rounds with more points."
            ),
        ),
        option(
            "agent",
            str,
            typer.Option(
                DEFAULTS.agent, "--agent", help="Probe agent name stored with the results."
            ),
        ),
        option(
            "down_after",
            int,
            typer.Option(
                DEFAULTS.down_after,
                "--down-after",
                help="Consecutive failed rounds before an incident opens.",
            ),
        ),
        option(
            "http_timeout",
            float,
            typer.Option(
                DEFAULTS.http_timeout_s,
                "--http-timeout",
                help="Seconds a website check (redirects and page) may take.",
            ),
        ),
        option(
            "fallback_ports",
            str,
            typer.Option(
                ",".join(map(str, DEFAULTS.fallback_ports)),
                "--fallback-ports",
                help="TCP connect ports for points without ports (no raw sockets).",
            ),
        ),
        option(
            "spool",
            Path | None,
            typer.Option(
                None,
                "--spool",
                help="Spool file for rounds the database cannot take (default: "
                "ICTR_PROBE_SPOOL, else next to the SQLite file).",
            ),
        ),
        option(
            "write_timeout",
            float | None,
            typer.Option(
                None,
                "--write-timeout",
                help="Seconds to wait for a locked database before spooling.",
            ),
        ),
    ],
    _gather,
    into="setup",
)
