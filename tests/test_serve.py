"""`ictr up` listens on this machine only unless `--address` opens it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ICTR = Path(sys.executable).with_name("ictr")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on `port` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            family = socket.AF_INET if len(words) == 4 else socket.AF_INET6
            found.add(socket.inet_ntop(family, words))
    return found


@pytest.mark.parametrize(
    "args, expected",
    [([], {"127.0.0.1"}), (["--address", "0.0.0.0"], {"0.0.0.0"})],
    ids=["default", "opened"],
)
def test_up_listens_where_told(args: list[str], expected: set[str], tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "up.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(ICTR), "up", "--no-demo", "--port", str(port), *args],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while not _listening(port):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=30) as r:
            assert r.read() == b"ok"
        assert _listening(port) == expected
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert f"dashboard on http://{next(iter(expected))}:{port}" in log.read_text()
