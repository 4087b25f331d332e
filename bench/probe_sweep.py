"""Benchmark: one round of single ICMP echoes to 2,000 targets, our prober vs fping.

All 2,048 addresses of 10.98.0.0/21 are local to one network namespace
(`ip -n NS route add local 10.98.0.0/21 dev lo`) reached through a veth pair; an nft
rule there lets only every fourth address answer (25%). Both probers run on the same
targets in the same run, alternately, at the same rate (1 ms between packets, fping's
-i1) with the same 500 ms timeout. Printed: wall times (median), their ratio, replies
lost (of the 500 that should come back) and CPU seconds per 1,000 probes.

Needs root, iproute2, nftables and fping (apt-get install -y fping). Packets go only
to the namespace this script creates; it refuses to run if 10.98.0.0/21 or its veth
subnet is already routed here.

    .venv/bin/python bench/probe_sweep.py [--runs 5] [--targets 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from inventory.models import ConnectionPoint
from probes.running.options import ProbeOptions
from probes.running.runner import run_round
from probes.running.targets import build_targets, refresh_routes

SWEEP = ipaddress.IPv4Network("10.98.0.0/21")
LINK = ipaddress.IPv4Network("10.97.255.0/30")
TIMEOUT_S = 0.5
PPS = 1000  # = fping -i1


def sh(*args: str, input: str | None = None) -> str:
    done = subprocess.run(args, input=input, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def sweep_namespace() -> Iterator[str]:
    routes = sh("ip", "-4", "route", "show", "table", "all")
    for net in (SWEEP, LINK):
        if str(net.network_address) in routes:
            raise SystemExit(f"{net} is already routed on this machine; not touching it")
    ns, outside, inside = f"ictrb{os.getpid()}", f"vb{os.getpid()}a", f"vb{os.getpid()}b"
    near, far = (str(h) for h in LINK.hosts())
    try:
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
        sh("ip", "link", "set", inside, "netns", ns)
        sh("ip", "addr", "add", f"{near}/30", "dev", outside)
        sh("ip", "link", "set", outside, "up")
        sh("ip", "-n", ns, "addr", "add", f"{far}/30", "dev", inside)
        sh("ip", "-n", ns, "link", "set", inside, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "route", "add", "local", str(SWEEP), "dev", "lo")
        sh("ip", "route", "add", str(SWEEP), "via", far, "dev", outside)
        sh(
            "ip", "netns", "exec", ns, "nft", "-f", "-",
            input="table inet sweep {\n chain input {\n  type filter hook input priority 0;\n"
            "  icmp type echo-request ip daddr & 0.0.0.3 != 0.0.0.0 drop\n }\n}\n",
        )  # fmt: skip
        # Every packet of this benchmark must leave through our veth, nowhere else.
        for probe in (SWEEP[1], SWEEP[-2]):
            route = sh("ip", "route", "get", str(probe))
            if f"dev {outside}" not in route:
                raise SystemExit(f"{probe} would not go to the test namespace: {route.strip()}")
        yield ns
    finally:
        subprocess.run(["ip", "route", "del", str(SWEEP)], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def targets_of(count: int) -> list[str]:
    return [str(SWEEP.network_address + 1 + i) for i in range(count)]


def answering(addresses: list[str]) -> set[str]:
    return {a for a in addresses if int(ipaddress.IPv4Address(a)) & 3 == 0}


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_ours(addresses: list[str]) -> tuple[float, float, set[str], set[str]]:
    options = ProbeOptions(
        count=1, spacing_s=0, timeout_s=TIMEOUT_S, pps=PPS, max_targets=len(addresses)
    )
    # The points as they would come from the database (not timed: that is no probing work).
    points = [
        ConnectionPoint(id=i + 1, code=f"B{i}", name=f"B{i}", unit_code="02", address=a)
        for i, a in enumerate(addresses)
    ]
    # Timed: what a round does, from re-reading routes and checking targets to the summary.
    cpu0, wall0 = cpu(resource.RUSAGE_SELF), time.perf_counter()
    refresh_routes()
    targets = build_targets(points, options, raw=True)
    result = asyncio.run(run_round(targets, options))
    wall, spent = time.perf_counter() - wall0, cpu(resource.RUSAGE_SELF) - cpu0
    replied = {r.address for r in result.rows if r.received}
    refused = {t.address for t in targets if t.problem}
    return wall, spent, replied, refused


def run_fping(addresses: list[str]) -> tuple[float, float, set[str]]:
    cpu0, wall0 = cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(
        ["fping", "-c1", f"-t{int(TIMEOUT_S * 1000)}", "-i1", "-q"],
        input="\n".join(addresses) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    wall, spent = time.perf_counter() - wall0, cpu(resource.RUSAGE_CHILDREN) - cpu0
    replied = set()
    for line in done.stderr.splitlines():  # "10.98.0.4 : xmt/rcv/%loss = 1/1/0%, ..."
        if "xmt/rcv" in line and "= 1/1/" in line:
            replied.add(line.split()[0])
    return wall, spent, replied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of each prober")
    parser.add_argument("--targets", type=int, default=2000, help="at most 2,046")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (raw sockets, network namespaces)")
    if shutil.which("fping") is None:
        raise SystemExit("fping is not installed: apt-get install -y fping")
    addresses = targets_of(min(args.targets, SWEEP.num_addresses - 2))
    expected = answering(addresses)
    ours: list[tuple[float, float, int, int]] = []
    theirs: list[tuple[float, float, int, int]] = []
    with sweep_namespace():
        for run in range(args.runs):
            order = ("ours", "fping") if run % 2 == 0 else ("fping", "ours")
            for who in order:
                if who == "ours":
                    wall, spent, replied, refused = run_ours(addresses)
                    if refused:
                        raise SystemExit(f"{len(refused)} targets refused, e.g. {min(refused)}")
                    ours.append((wall, spent, len(expected - replied), len(replied - expected)))
                else:
                    wall, spent, replied = run_fping(addresses)
                    theirs.append((wall, spent, len(expected - replied), len(replied - expected)))
                print(
                    f"run {run + 1} {who:5}  {wall:6.3f} s  cpu {spent:6.3f} s  "
                    f"replies lost {len(expected - replied)}/{len(expected)}",
                    flush=True,
                )

    def median(rows: list[tuple[float, float, int, int]], column: int) -> float:
        return statistics.median(r[column] for r in rows)

    n = len(addresses)
    print()
    print(f"{n} targets, {len(expected)} answering, 1 echo each, timeout {TIMEOUT_S} s, {PPS} pps")
    print(f"{'':14}{'wall (median)':>14}{'CPU s/1000':>12}{'lost (max)':>12}{'stray':>7}")
    for name, rows in (("ictr probes", ours), ("fping -i1", theirs)):
        print(
            f"{name:14}{median(rows, 0):>12.3f} s{median(rows, 1) / n * 1000:>12.4f}"
            f"{max(r[2] for r in rows):>12}{max(r[3] for r in rows):>7}"
        )
    ratio = median(ours, 0) / median(theirs, 0)
    print(f"ratio ictr/fping wall time: {ratio:.3f} ({'no slower' if ratio <= 1 else 'slower'})")


if __name__ == "__main__":
    sys.exit(main())
