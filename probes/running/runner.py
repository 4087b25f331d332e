"""One round: every target probed concurrently under the rate limit, each probe bounded
by its timeout and the whole round by its deadline; the runner owns the timing and the
accounting, the probers (one per method, looked up in probes.probers.registry) only say
where their probes go, send them and match the answers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from inventory.db import session_scope
from inventory.errors import IctrError
from probes.probers.attempt import LOST, Attempt, Prober, RoundContext, Target
from probes.probers.http import WebsiteTarget
from probes.probers.rawsock import raw_available
from probes.probers.registry import prober_class
from probes.running.options import POINT_METHODS, ProbeOptions
from probes.running.ratelimit import TokenBucket
from probes.running.results import RoundResult, summarise
from probes.running.targets import build_targets, local_forbidden, refresh_routes, select_points
from probes.running.website_round import WebsiteRound
from probes.running.website_targets import select_websites

log = logging.getLogger(__name__)

_fallback_announced = False


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_targets(engine: Engine, options: ProbeOptions) -> tuple[list[Target], bool]:
    """The checked points of one round, and whether raw sockets are used."""
    global _fallback_announced
    if options.method not in POINT_METHODS:
        refresh_routes()
        return [], True
    raw = options.method != "tcp-connect" and raw_available()
    if not raw and options.method != "tcp-connect" and not _fallback_announced:
        log.warning(
            "no permission for raw sockets (not root, no CAP_NET_RAW): probing with TCP "
            "connect instead of ICMP and TCP SYN; results are stored as method 'tcp-connect'"
        )
        _fallback_announced = True
    refresh_routes()  # namespaces and interfaces may have changed since the last round
    with session_scope(engine) as session:
        points = select_points(session, options)
        targets = build_targets(points, options, raw=raw)
    return targets, raw


def load_websites(engine: Engine, options: ProbeOptions) -> list[WebsiteTarget]:
    """The websites of one round (none unless its method includes them)."""
    with session_scope(engine) as session:
        return select_websites(session, options)


def plan_attempts(targets: Sequence[Target], options: ProbeOptions) -> list[Attempt]:
    """Every probe of the round, spread over the spacing window and sorted by due time."""
    reachable = [t for t in targets if t.ip is not None]
    attempts: list[Attempt] = []
    for index, target in enumerate(reachable):
        offset = options.spacing_s * index / len(reachable)
        for method in target.methods:
            ports = prober_class(method).ports(target.ports, options.fallback_ports)
            for k in range(options.count):
                due = offset + k * options.spacing_s
                attempts.extend(
                    Attempt(target, method, port, due, service) for port, service in ports
                )
    attempts.sort(key=lambda a: a.due)
    return attempts


async def _send_all(
    attempts: Sequence[Attempt],
    probers: dict[str, Prober],
    bucket: TokenBucket,
    start: float,
) -> float:
    """Send every attempt at or after its due time; returns when the last one went out."""
    last = start
    for number, attempt in enumerate(attempts):
        delay = start + attempt.due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if not bucket.try_take():
            await bucket.take()
        elif number % 32 == 31:
            await asyncio.sleep(0)  # let the receivers drain between bursts
        while True:
            try:
                probers[attempt.method].send(attempt)
                break
            except BlockingIOError:
                await asyncio.sleep(0.001)  # send buffer full: wait for it to drain
        last = time.monotonic()
    return last


async def run_round(
    targets: Sequence[Target],
    options: ProbeOptions,
    *,
    fallback: bool = False,
    websites: Sequence[WebsiteTarget] = (),
) -> RoundResult:
    started_at = utcnow()
    start = time.monotonic()
    attempts = plan_attempts(targets, options)
    bucket = TokenBucket(options.pps)
    web = WebsiteRound(websites, options, bucket, local_forbidden() if websites else {})
    checking: asyncio.Task[None] | None = None
    ctx = RoundContext(timeout_s=options.timeout_s, cookie=os.urandom(8))
    families: dict[str, set[int]] = {}
    for attempt in attempts:
        families.setdefault(attempt.method, set()).add(attempt.target.family)
    probers: dict[str, Prober] = {m: prober_class(m)(ctx) for m in families}
    deadline_reached = False
    try:
        for method, prober in probers.items():
            try:
                prober.open(families[method])
            except PermissionError as exc:
                raise IctrError(
                    f"cannot open a raw socket for {method} probes: {exc.strerror}"
                ) from None
        try:
            async with asyncio.timeout(options.deadline_s):
                checking = asyncio.create_task(web.run())
                last = await _send_all(attempts, probers, bucket, start)
                ctx.sending_finished()
                remaining = last + options.timeout_s - time.monotonic()
                if remaining > 0:
                    try:
                        await asyncio.wait_for(ctx.done.wait(), remaining)
                    except TimeoutError:
                        pass  # the probes still pending are lost
                await checking
        except TimeoutError:
            deadline_reached = True
            log.warning(
                "round deadline of %s s reached; probes not yet sent are skipped",
                options.deadline_s,
            )
    finally:
        for prober in probers.values():
            prober.close()
        if checking is not None and not checking.done():
            checking.cancel()
            try:
                await checking
            except asyncio.CancelledError:
                pass
    finished_at = utcnow()
    for attempt in attempts:
        if attempt.sent_ns and not attempt.outcome:
            attempt.outcome = LOST
    by_key: dict[tuple[int, str], list[Attempt]] = {}
    for attempt in attempts:
        by_key.setdefault((attempt.target.point_id, attempt.method), []).append(attempt)
    rows = []
    for target in targets:
        for method in target.methods:
            mine = by_key.get((target.point_id, method), [])
            note = ""
            if deadline_reached and any(not a.sent_ns and not a.outcome for a in mine):
                note = "round deadline reached before all probes were sent"
            rows.append(summarise(target, method, mine, note, timeout_s=options.timeout_s))
    return RoundResult(
        agent=options.agent,
        started_at=started_at,
        finished_at=finished_at,
        rows=rows,
        fallback=fallback,
        deadline_reached=deadline_reached,
        websites=web.results("round deadline reached before the check finished; not stored"),
    )


def probe_once(engine: Engine, options: ProbeOptions) -> RoundResult:
    """Load the targets and run one round (not stored: see probes.history.store)."""
    targets, raw = load_targets(engine, options)
    websites = load_websites(engine, options)
    return asyncio.run(run_round(targets, options, fallback=not raw, websites=websites))
