"""Test hosts in network namespaces, each joined to this namespace by a veth pair.

- healthy: answers ICMP at once
- drop_icmp: an nft rule drops echo requests
- nobody: an address on the healthy host's subnet that no one holds
- slow: the kernel ignores echo requests (icmp_echo_ignore_all=1); a user-space raw
  socket responder answers after ~50 ms and drops ~20% (this kernel has no netem)
- tcp_host: one TCP port listening (`open_port`); `closed_port` is not

Packets go only to these hosts: every address is on a subnet this module creates,
chosen among 10.(100-199).x.0/24 not already routed here. Run this file with
`responder` to start the echo responder inside a namespace.
"""

from __future__ import annotations

import heapq
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select as sql_select

from inventory.db import session_scope
from inventory.models import AdminUnit, ConnectionPoint, UnitLevel


def sh(*args: str, input: str | None = None) -> str:
    done = subprocess.run(args, input=input, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


@dataclass
class Lab:
    healthy: str
    drop_icmp: str
    nobody: str
    slow: str
    tcp_host: str
    open_port: int
    closed_port: int
    network_address: str  # of the healthy host's /24
    broadcast_address: str
    namespaces: dict[str, str] = field(default_factory=dict)  # role -> namespace name


def _free_second_octet() -> int:
    routes = sh("ip", "-4", "route", "show", "table", "all")
    used = {int(part.split(".")[1]) for part in routes.split() if part.startswith("10.")}
    for octet in random.sample(range(100, 200), 100):
        if octet not in used:
            return octet
    raise RuntimeError("no free 10.x.0.0/16 for the test hosts")


def _wait_ready(process: subprocess.Popen[str], what: str) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        problem = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"{what} did not start: {line!r} {problem}")


@contextmanager
def network_lab() -> Iterator[Lab]:
    """Build the test hosts; everything is torn down on exit, whatever happened."""
    octet = _free_second_octet()
    tag = f"{os.getpid() % 100000}"
    roles = {"healthy": 1, "drop_icmp": 2, "slow": 3, "tcp_host": 4}
    names = {role: f"ictr{tag}{role[0]}{role[-1]}" for role in roles}
    processes: list[subprocess.Popen[str]] = []
    try:
        for role, index in roles.items():
            ns = names[role]
            outside, inside = f"vi{tag}{index}a", f"vi{tag}{index}b"
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            sh("ip", "link", "set", inside, "netns", ns)
            sh("ip", "addr", "add", f"10.{octet}.{index}.1/24", "dev", outside)
            sh("ip", "link", "set", outside, "up")
            sh("ip", "-n", ns, "addr", "add", f"10.{octet}.{index}.2/24", "dev", inside)
            sh("ip", "-n", ns, "link", "set", inside, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh(
            "ip", "netns", "exec", names["drop_icmp"], "nft", "-f", "-",
            input="table inet ictr_test {\n chain input {\n"
            "  type filter hook input priority 0;\n  icmp type echo-request drop\n }\n}\n",
        )  # fmt: skip
        sh(
            "ip", "netns", "exec", names["slow"], "sh", "-c",
            "echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all",
        )  # fmt: skip
        responder = subprocess.Popen(
            ["ip", "netns", "exec", names["slow"], sys.executable, __file__, "responder",
             "50", "0.2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        processes.append(responder)
        _wait_ready(responder, "echo responder")
        listener = subprocess.Popen(
            ["ip", "netns", "exec", names["tcp_host"], sys.executable, __file__, "listen",
             f"10.{octet}.4.2", "8080"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        processes.append(listener)
        _wait_ready(listener, "TCP listener")
        yield Lab(
            healthy=f"10.{octet}.1.2",
            drop_icmp=f"10.{octet}.2.2",
            nobody=f"10.{octet}.1.99",
            slow=f"10.{octet}.3.2",
            tcp_host=f"10.{octet}.4.2",
            open_port=8080,
            closed_port=8081,
            network_address=f"10.{octet}.1.0",
            broadcast_address=f"10.{octet}.1.255",
            namespaces=dict(names),
        )
    finally:
        for process in processes:
            process.kill()
            process.wait()
        for ns in names.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def run_responder(delay_ms: float, loss: float, seed: int = 4) -> None:
    """Answer ICMP echo requests after `delay_ms`, dropping a `loss` share of them."""
    rng = random.Random(seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    print("ready", flush=True)
    due: list[tuple[float, int, bytes, str]] = []
    counter = 0
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else None
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            packet, (source, _port) = sock.recvfrom(65535)
            header = (packet[0] & 0x0F) * 4
            icmp = packet[header:]
            if len(icmp) >= 8 and icmp[0] == 8 and rng.random() >= loss:
                reply = bytearray(icmp)
                reply[0], reply[2:4] = 0, b"\0\0"
                struct.pack_into("!H", reply, 2, _checksum(bytes(reply)))
                counter += 1
                when = time.monotonic() + delay_ms / 1000
                heapq.heappush(due, (when, counter, bytes(reply), source))
        while due and due[0][0] <= time.monotonic():
            _when, _n, reply_bytes, destination = heapq.heappop(due)
            sock.sendto(reply_bytes, (destination, 0))


def run_listener(address: str, port: int) -> None:
    server = socket.create_server((address, port), backlog=64)
    print("ready", flush=True)
    while True:
        connection, _ = server.accept()
        connection.close()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "responder":
        run_responder(float(sys.argv[2]), float(sys.argv[3]))
    elif command == "listen":
        run_listener(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown command {command!r}")


def add_points(engine: Engine, points: list[dict[str, Any]]) -> dict[str, int]:
    """Store connection points (in a test province) and return their ids by code."""
    with session_scope(engine) as session:
        if session.get(AdminUnit, "02") is None:
            session.add(
                AdminUnit(
                    code="02",
                    name="Tỉnh Hà Giang",
                    short_name="Hà Giang",
                    unit_type="Tỉnh",
                    level=UnitLevel.province,
                )
            )
            session.flush()
        for point in points:
            session.add(ConnectionPoint(**{"unit_code": "02", "name": point["code"], **point}))
    with session_scope(engine) as session:
        return {p.code: p.id for p in session.exec(sql_select(ConnectionPoint)).all() if p.id}
