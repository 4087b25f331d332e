"""Benchmark: one round of HTTPS checks of 1,000 websites, our prober vs curl run 64 at a time.

Each website has its own host name and address in a server namespace (one TLS server on
0.0.0.0:443 there, a certificate of a test CA for *.bench.test); the checks run from a client
namespace with no default route, whose /etc/hosts names the sites (tests/http_lab.py builds
both). Both checkers run on the same URLs in the same run, alternately: ours as a round
(`run_round` with the websites, what `ictr probe run --method http` runs, without the database;
rate limit raised out of the way), curl as
`xargs -P 64 -n 1 curl -sS -o /dev/null --cacert CA --max-time 10 -w '%{http_code}'`, both
verifying certificates against the test CA. Printed: wall times (median), their ratio,
results lost (a site without a 200 and a verified certificate) and CPU seconds per 1,000
checks (ours: the process; curl: its children).

Our check does more than curl's: it also asks each host's plain-HTTP address whether it
redirects to HTTPS (refused here: nothing listens on port 80), and reads the certificate.

Needs root, iproute2 and curl. Nothing leaves the machine.

    .venv/bin/python bench/http_sweep.py [--runs 5] [--targets 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from probes.probers.http import WebsiteTarget  # noqa: E402
from probes.running.options import ProbeOptions  # noqa: E402
from probes.running.runner import run_round  # noqa: E402
from tests.http_lab import issued, start_servers, web_lab  # noqa: E402

CURL_PARALLEL = 64
TIMEOUT_S = 10.0


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_ours(urls: list[str], bundle: Path) -> tuple[float, float, int]:
    targets = [WebsiteTarget(i + 1, "bench", url) for i, url in enumerate(urls)]
    options = ProbeOptions(
        method="http",
        http_timeout_s=TIMEOUT_S,
        ca_bundle=bundle,
        pps=100_000,  # the politeness limit is not what is measured
        max_targets=len(urls),
    )
    cpu0, wall0 = cpu(resource.RUSAGE_SELF), time.perf_counter()
    result = asyncio.run(run_round([], options, websites=targets))
    wall, spent = time.perf_counter() - wall0, cpu(resource.RUSAGE_SELF) - cpu0
    good = sum(1 for w in result.websites if w.status_code == 200 and w.cert_valid)
    return wall, spent, len(urls) - good


def run_curl(urls: list[str], bundle: Path) -> tuple[float, float, int]:
    command = [
        "xargs", "-P", str(CURL_PARALLEL), "-n", "1",
        "curl", "-sS", "-o", "/dev/null", "--cacert", str(bundle),
        "--max-time", str(int(TIMEOUT_S)), "-w", "%{http_code}\\n",
    ]  # fmt: skip
    cpu0, wall0 = cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(
        command, input="\n".join(urls) + "\n", capture_output=True, text=True, check=False
    )
    wall, spent = time.perf_counter() - wall0, cpu(resource.RUSAGE_CHILDREN) - cpu0
    good = done.stdout.split().count("200")
    return wall, spent, len(urls) - good


def inner(urls: list[str], bundle: Path, runs: int) -> None:
    """Runs inside the client namespace; prints one JSON line per measurement."""
    for run in range(runs):
        order = ("ours", "curl") if run % 2 == 0 else ("curl", "ours")
        for who in order:
            measure = run_ours if who == "ours" else run_curl
            wall, spent, lost = measure(urls, bundle)
            print(json.dumps({"who": who, "wall": wall, "cpu": spent, "lost": lost}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of each checker")
    parser.add_argument("--targets", type=int, default=1000, help="websites")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        setup = json.loads(args.inner.read_text(encoding="utf-8"))
        inner(setup["urls"], Path(setup["bundle"]), args.runs)
        return
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces)")
    for tool in ("ip", "curl", "xargs"):
        if shutil.which(tool) is None:
            raise SystemExit(f"needs {tool}")
    hosts = [f"s{i:04d}.bench.test" for i in range(args.targets)]
    urls = [f"https://{host}/" for host in hosts]
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        folder.chmod(0o755)
        with web_lab(folder, hosts) as lab:
            cert, key = issued(
                lab.ca, folder, "bench", "*.bench.test",
                not_after=datetime.now(UTC) + timedelta(days=90),
            )  # fmt: skip
            body = "<html><body><p>Cập nhật ngày 01/11/2026</p></body></html>"
            site = {"ip": "0.0.0.0", "port": 443, "behaviour": "page", "body": body}
            start_servers(lab, [{**site, "cert": str(cert), "key": str(key)}], folder)
            setup = folder / "setup.json"
            setup.write_text(json.dumps({"urls": urls, "bundle": str(lab.ca_bundle)}))
            command = [sys.executable, __file__, "--inner", str(setup), "--runs", str(args.runs)]
            process = subprocess.Popen(lab.exec(*command), stdout=subprocess.PIPE, text=True)
            assert process.stdout is not None
            for line in process.stdout:
                row = json.loads(line)
                (ours if row["who"] == "ours" else theirs).append(row)
                print(
                    f"{row['who']:5} {row['wall']:7.3f} s  cpu {row['cpu']:7.3f} s  "
                    f"lost {int(row['lost'])}/{len(urls)}",
                    flush=True,
                )
            if process.wait() != 0:
                raise SystemExit("the measurement in the client namespace failed")

    def median(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    n = len(urls)
    print()
    print(f"{n} HTTPS websites, one check each, {CURL_PARALLEL} curl at a time")
    print(f"{'':22}{'wall (median)':>14}{'CPU s/1000':>12}{'lost (max)':>12}")
    for name, rows in (("ictr http checks", ours), (f"curl, xargs -P {CURL_PARALLEL}", theirs)):
        print(
            f"{name:22}{median(rows, 'wall'):>12.3f} s{median(rows, 'cpu') / n * 1000:>12.3f}"
            f"{int(max(r['lost'] for r in rows)):>12}"
        )
    ratio = median(ours, "wall") / median(theirs, "wall")
    print(f"ratio ictr/curl wall time: {ratio:.3f} ({'no slower' if ratio <= 1 else 'slower'})")


if __name__ == "__main__":
    sys.exit(main())
