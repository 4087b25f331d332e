"""Benchmark: how long the Map page takes to draw, in Chromium, without any network.

Three cases: the demo at 2020-12-31 (11 districts, 73 points), a large one at the same
date (the 193 communes as units, 2,000 points), and the demo as it opens, on today's 124
communes of Tuyên Quang; each with an hour of probe rounds so every marker has a status. For each,
the app (`ictr up`'s Streamlit command) and Chromium run in a network namespace with only
loopback; the time is from navigation until every shape and marker is in the map frame's
DOM, after one warm-up load. Two references in the same run: a bare Streamlit page (one
title: Streamlit's own start-up in the browser), and the baseline: the very same folium map
saved as a plain HTML page and served by `python -m http.server`, i.e. Leaflet alone with
no Streamlit around it. The three are loaded in turn, one load of each per round, in one
browser (each load in a fresh context: nothing cached in the browser), so they share
whatever else the machine is doing. Prints medians, ratios and the load average.
Targets: demo and today < 2 s, large < 5 s.

    .venv/bin/python bench/dashboard.py [--loads 5] [--keep DIR]   (as root: ip netns)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.assets import AssetUrls, ensure_leaflet_assets  # noqa: E402
from dashboard.map_page_data import load_map_data  # noqa: E402
from inventory.db import get_engine, session_scope  # noqa: E402
from inventory.demo import load_demo  # noqa: E402
from inventory.migrate import upgrade  # noqa: E402
from inventory.models import AdminUnit, ConnectionPoint, ProbeResult, UnitLevel  # noqa: E402
from readiness.geometry import ensure_approximate_boundaries  # noqa: E402
from tests.dashboard_browser import (  # noqa: E402
    app_server,
    free_port,
    in_namespace,
    network_namespace,
    run_driver,
)

PROVINCE = "02"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ROUNDS = 12  # an hour of 5-minute rounds
TARGETS = {"demo": 2.0, "large": 5.0, "today": 2.0}
PUBLISHED = date(2020, 12, 31)  # the demo's 2020 chapter: Hà Giang by district


def build(path: Path, *, extra_points: int) -> str:
    """The demo, `extra_points` more points spread over the communes, an hour of rounds."""
    rng = random.Random(6)
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        load_demo(session)
        ensure_approximate_boundaries(session, PROVINCE)
        communes = session.exec(select(AdminUnit).where(AdminUnit.level == UnitLevel.commune)).all()
        extra = [
            {
                "code": f"BENCH-{i:05d}",
                "name": f"Điểm thử {i} {commune.short_name}",
                "unit_code": commune.code,
                "latitude": (commune.latitude or 22.8) + rng.uniform(-0.02, 0.02),
                "longitude": (commune.longitude or 105.0) + rng.uniform(-0.02, 0.02),
                # Never probed by this benchmark: only stored rows are read.
                "address": f"127.13.{i // 250}.{i % 250 + 1}",
                "tcp_ports": "",
                "probe_method": "auto",
                "agent": "",
                "active": True,
            }
            for i, commune in ((i, communes[i % len(communes)]) for i in range(extra_points))
        ]
        if extra:  # an empty list would insert one row of defaults
            session.execute(insert(ConnectionPoint), extra)
        points = session.exec(select(ConnectionPoint.id)).all()
        rows = []
        for point_id in points:
            quality = rng.random()
            for r in range(ROUNDS):
                received = 0 if quality < 0.05 else 5 if quality > 0.2 else rng.randint(0, 5)
                rtt = None if received == 0 else rng.uniform(5, 80)
                rows.append(
                    {
                        "point_id": point_id,
                        "agent": "",
                        "method": "icmp",
                        "started_at": now - timedelta(minutes=1 + 5 * r),
                        "sent": 5,
                        "received": received,
                        "rtt_min_ms": None if rtt is None else rtt * 0.8,
                        "rtt_median_ms": rtt,
                        "rtt_max_ms": None if rtt is None else rtt * 1.6,
                        "rtt_stddev_ms": None,
                        "error": None if received else "no answer",
                    }
                )
        session.execute(insert(ProbeResult), rows)
    engine.dispose()
    return url


def baseline_page(url: str, level: str, at: date, folder: Path) -> tuple[Path, list[float]]:
    """The same map as a standalone page (Leaflet beside it); Python build times too."""
    engine = get_engine(url)
    timings = []
    html = ""
    for _ in range(3):
        start = time.perf_counter()
        with session_scope(engine) as session:
            data = load_map_data(
                session,
                level=level,
                province_code=PROVINCE,
                at=at,
                now=datetime.now(UTC),
            )
        fmap = data.folium_map(
            indicator_key="index",
            lang="vi",
            zone=ZONE,
            urls=AssetUrls("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css"),
            tiles=None,
        )
        html = fmap.get_root().render()
        timings.append(time.perf_counter() - start)
    engine.dispose()
    ensure_leaflet_assets(folder / "vendor" / "leaflet")
    (folder / "index.html").write_text(html, encoding="utf-8")
    return folder, timings


@contextmanager
def static_server(folder: Path, port: int, namespace: str):
    process = subprocess.Popen(
        in_namespace(
            namespace,
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        ),
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}/index.html"
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(namespace: str, targets: list[dict], *, loads: int) -> dict[str, dict]:
    """One warm-up round, then `loads` rounds, each loading every target once in turn."""
    args = ["--targets", json.dumps(targets), "--loads", str(loads), "--warmup", "1",
            "--timeout", "120"]  # fmt: skip
    result = run_driver(namespace, args, timeout_s=1800)
    if result["failed"] or result["non_loopback"]:
        raise RuntimeError(f"requests failed or left loopback: {result['failed']}"
                           f" {result['non_loopback']}")  # fmt: skip
    for target in targets:
        expected = (target.get("units", 0), target.get("points", 0))
        done = result["targets"][target["name"]]["loads"]
        if target.get("ready"):  # a page without a map: did the element show in time?
            incomplete = [x for x in done if x["seconds"] >= 120]
        else:
            incomplete = [x for x in done if (x["units"], x["points"]) != expected]
        if incomplete:
            raise RuntimeError(f"{target['name']}: not fully drawn: {incomplete}")
    return result["targets"]


def run_case(
    name: str,
    *,
    extra: int,
    level: str,
    units: int,
    loads: int,
    folder: Path,
    at: date | None,
    database: str | None = None,
) -> None:
    """`at`: the map's date (None: the date it opens on, the latest with data: today, as
    the rounds are)."""
    path = folder / f"{database or name}.sqlite"
    if path.exists():  # --keep: the data of an earlier run (its rounds age; statuses may grey)
        url = f"sqlite:///{path}"
    else:
        url = build(path, extra_points=extra)
    day = at or datetime.now(ZONE).date()
    page_dir, python_s = baseline_page(url, level, day, folder / f"{name}-baseline")
    points = 73 + extra
    bare = folder / "bare_page.py"
    bare.write_text('import streamlit as st\n\nst.title("ICT")\n', encoding="utf-8")
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        namespace = stack.enter_context(network_namespace("ictr-bench"))
        app_url = stack.enter_context(
            app_server(database_url=url, port=free_port(), namespace=namespace,
                       log_path=folder / f"{name}-streamlit.log")
        )  # fmt: skip
        bare_url = stack.enter_context(
            app_server(database_url=url, port=free_port(), namespace=namespace,
                       log_path=folder / f"{name}-bare.log", app_file=bare)
        )  # fmt: skip
        page_url = stack.enter_context(static_server(page_dir, free_port(), namespace))
        found = measure(
            namespace,
            [
                {
                    "name": "dashboard",
                    "url": f"{app_url}?level={level}" + (f"&at={at}" if at else ""),
                    "units": units,
                    "points": points,
                },
                {"name": "bare", "url": bare_url, "ready": "h1"},
                {
                    "name": "baseline",
                    "url": page_url,
                    "frame": "main",
                    "units": units,
                    "points": points,
                },
            ],
            loads=loads,
        )
    load_after = os.getloadavg()
    app, floor, base = (
        [x["seconds"] for x in found[k]["loads"]] for k in ("dashboard", "bare", "baseline")
    )
    cold = found["dashboard"]["warmups"][0]["seconds"]
    app_median, floor_median, base_median = (statistics.median(x) for x in (app, floor, base))
    verdict = "OK" if app_median < TARGETS[name] else "OVER TARGET"
    print(
        f"{name:6} {units:4} units {points:5} points | dashboard median {app_median:5.2f} s "
        f"(target < {TARGETS[name]:.0f} s: {verdict}) | bare Streamlit page {floor_median:5.2f} s"
        f" (ratio {app_median / floor_median:4.2f}) | plain folium page {base_median:5.2f} s "
        f"(ratio {app_median / base_median:4.2f})"
    )
    print(f"       dashboard loads: {', '.join(f'{s:.2f}' for s in app)}")
    print(f"       bare page loads: {', '.join(f'{s:.2f}' for s in floor)}")
    print(f"       baseline loads:  {', '.join(f'{s:.2f}' for s in base)}")
    print(
        f"       first dashboard load after start (nothing cached): {cold:.2f} s; Python "
        f"data+map uncached, median {statistics.median(python_s):.2f} s; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after ({os.cpu_count()} CPUs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="timed loads per case")
    parser.add_argument("--keep", type=Path, help="folder to keep the databases and pages in")
    parser.add_argument("--cases", default="demo,large,today", help="comma-separated cases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ictr-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        cases = {
            "demo": dict(extra=0, level="district", units=11, at=PUBLISHED),
            "large": dict(extra=1927, level="commune", units=193, at=PUBLISHED),
            "today": dict(extra=0, level="commune", units=124, at=None, database="demo"),
        }
        for name in args.cases.split(","):
            run_case(name, loads=args.loads, folder=folder, **cases[name])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
