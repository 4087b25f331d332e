"""Addresses no probe may reach: refused by `ictr import points` and again by every round.

The rule lives in `inventory.probe_address`; these tests go through the importer's command,
the round's target building and `ictr probe run`, and check the rule itself for every IPv4
address an IPv6 address can carry.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from ipaddress import IPv4Address, IPv4Network, IPv6Address
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.models import ConnectionPoint, ProbeResult
from inventory.probe_address import IPAddress, embedded_ipv4, refusal
from probes.running.options import ProbeOptions
from probes.running.runner import plan_attempts
from probes.running.targets import build_targets, refresh_routes, select_points
from tests.conftest import skip_or_fail
from tests.import_fixtures import (
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    table_counts,
    write_csv,
    write_xlsx,
)
from tests.netns_fixtures import add_points

ICTR = str(Path(sys.executable).with_name("ictr"))

# Address -> why no probe may be sent to it.
NEVER = {
    "0.0.0.0": "an unspecified address",
    "255.255.255.255": "the limited broadcast address",
    "224.0.0.1": "a multicast address",
    "239.255.255.250": "a multicast address",
    "::": "an unspecified address",
    "ff02::1": "a multicast address",
    "::ffff:255.255.255.255": "an IPv4-mapped address embedding 255.255.255.255, the limited "
    "broadcast address",
    "::ffff:0.0.0.0": "an IPv4-mapped address embedding 0.0.0.0, an unspecified address",
    "::ffff:224.0.0.1": "an IPv4-mapped address embedding 224.0.0.1, a multicast address",
    "::ffff:127.255.255.255": "an IPv4-mapped address embedding 127.255.255.255, the broadcast "
    "address of 127.0.0.0/8",
    "::255.255.255.255": "a deprecated IPv4-compatible address (::/96, ::ffff:0:0:0/96)",
    "::ffff:0:127.0.0.5": "a deprecated IPv4-compatible address (::/96, ::ffff:0:0:0/96)",
    "2002:ffff:ffff::": "a 6to4 address embedding 255.255.255.255, the limited broadcast address",
    "64:ff9b::e000:1": "a NAT64 address embedding 224.0.0.1, a multicast address",
    "64:ff9b:1::a00:1": "a local-use NAT64 address (64:ff9b:1::/48)",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2": "a Teredo address (2001::/32)",
    "2001:db8::5efe:ffff:ffff": "an ISATAP address embedding 255.255.255.255, the limited "
    "broadcast address",
    "fe80::1%eth0": "an address with a zone id (%eth0)",
    "127.0.0.0": "the network address of 127.0.0.0/8",
    "127.255.255.255": "the broadcast address of 127.0.0.0/8",
    "240.0.0.1": "a reserved address (240.0.0.0/4)",
}
# Text the system resolver reads as an address other than the one a person reads.
UNCLEAR = {
    "010.0.0.1": "8.0.0.1",
    "127.1": "127.0.0.1",
    "0x7f.0.0.1": "127.0.0.1",
    "2130706433": "127.0.0.1",
}
ACCEPTED = {
    "127.0.0.5": "127.0.0.5",
    "10.1.2.3": "10.1.2.3",
    "::1": "::1",
    "2001:db8::1": "2001:db8::1",
    " 10.1.2.4\t": "10.1.2.4",
    "::ffff:10.1.2.5": "10.1.2.5",  # only IPv4 spelt as IPv6: stored as what is probed
    "2002:a01:203::1": "2002:a01:203::1",  # 6to4 of 10.1.2.3
    "tram.local": "tram.local",
}


def _unclear(read_as: str) -> str:
    return (
        "not written as four decimal numbers without leading zeros: the system reads it as "
        f"{read_as}"
    )


def _import(path: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["import", "points", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output.splitlines()


def _points_file(path: Path, addresses: list[object]) -> Path:
    rows: list[list[object]] = [["Mã điểm", "Tên điểm", "Mã ĐVHC", "Địa chỉ IP"]]
    rows += [[f"P{n}", f"Điểm {n}", "00715", a] for n, a in enumerate(addresses, start=1)]
    return write_csv(path, rows)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        *((a, f"not a probe target: {why}") for a, why in NEVER.items()),
        *((a, _unclear(read_as)) for a, read_as in UNCLEAR.items()),
    ],
)
def test_import_refuses_the_row(
    hg_engine: Engine, tmp_path: Path, address: str, reason: str
) -> None:
    path = _points_file(tmp_path / "diem.csv", ["127.0.0.5", address])
    code, lines = _import(path)
    assert code == 2, lines
    assert lines[0].startswith("points from diem.csv ")
    assert f"  row 3, column 'Địa chỉ IP', value {address!r}: {reason}" in lines
    assert table_counts(hg_engine)["connection_point"] == 0  # not even the good row


def test_import_refuses_a_number_cell(hg_engine: Engine, tmp_path: Path) -> None:
    """An XLSX number cell (a decimal-integer address) is no address either."""
    path = write_xlsx(
        tmp_path / "diem.xlsx",
        {
            "Điểm": [
                ["Mã điểm", "Tên điểm", "Mã ĐVHC", "Địa chỉ IP"],
                ["P1", "A", "00715", 4026531841],
            ]
        },
    )
    code, lines = _import(path)
    assert code == 2, lines
    assert f"  row 2, column 'Địa chỉ IP', value '4026531841': {_unclear('240.0.0.1')}" in lines
    assert table_counts(hg_engine)["connection_point"] == 0


def test_import_accepts_probe_targets(hg_engine: Engine, tmp_path: Path) -> None:
    path = _points_file(tmp_path / "diem.csv", list(ACCEPTED))
    code, lines = _import(path)
    assert code == 0, lines
    assert lines[-1] == f"new {len(ACCEPTED)}, updated 0, unchanged 0"
    with Session(hg_engine) as session:
        stored = [
            p.address
            for p in session.exec(select(ConnectionPoint).order_by(col(ConnectionPoint.id))).all()
        ]
    assert stored == list(ACCEPTED.values())


def _round_targets(engine: Engine) -> dict[str, tuple[str | None, str | None, int]]:
    refresh_routes()
    with session_scope(engine) as session:
        targets = build_targets(select_points(session, ProbeOptions()), ProbeOptions(), raw=True)
    assert {a.target.address for a in plan_attempts(targets, ProbeOptions())} == {
        t.address for t in targets if t.ip is not None
    }
    return {t.address: (t.ip, t.problem, t.family) for t in targets}


def _written_past_the_importer(engine: Engine, addresses: list[str]) -> None:
    add_points(engine, [{"code": f"P{n:02d}", "address": a} for n, a in enumerate(addresses)])


def test_round_refuses_rows_written_past_the_importer(engine: Engine) -> None:
    _written_past_the_importer(engine, [*NEVER, *UNCLEAR, "127.0.0.5", "::ffff:127.0.0.6"])
    targets = _round_targets(engine)
    for address, why in NEVER.items():
        assert targets[address] == (None, f"refused: {address} is {why}", socket.AF_INET)
    for address, read_as in UNCLEAR.items():
        assert targets[address] == (
            None,
            f"refused: {address} is {_unclear(read_as)}",
            socket.AF_INET,
        )
    assert targets["127.0.0.5"] == ("127.0.0.5", None, socket.AF_INET)
    # An IPv4-mapped address is probed over IPv4, never as an IPv6 destination.
    assert targets["::ffff:127.0.0.6"] == ("127.0.0.6", None, socket.AF_INET)


def _probe_run_on_loopback_only(tmp_path: Path, hosts: str = "") -> dict:
    """`ictr probe run --json` in a new network namespace that holds only loopback, so that
    even a broken rule could not put a packet on a real network; with `hosts`, in a mount
    namespace where that text is /etc/hosts, so names are looked up nowhere else."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        skip_or_fail("unshare (util-linux) and ip (iproute2) are needed")
    hosts_file = tmp_path / "hosts"
    hosts_file.write_text(hosts)
    # The script receives only paths and fixed words as arguments.
    script = (
        'ip link set lo up && { [ ! -s "$1" ] || mount --bind "$1" /etc/hosts; } '
        '&& shift && exec "$@"'
    )
    done = subprocess.run(
        ["unshare", "--net", "--mount", "sh", "-c", script, "sh", str(hosts_file), ICTR,
         "probe", "run", "--json", "--count", "1", "--spacing", "0", "--timeout", "0.3",
         "--spool", str(tmp_path / "spool.jsonl")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _by_address(report: dict) -> dict[str, tuple[dict, dict]]:
    return {m["address"]: (p, m) for p in report["points"] for m in p["methods"]}


# `ictr probe run` runs in a namespace that holds only loopback, which cannot reach a
# PostgreSQL server on the host; what is sent does not depend on the engine.
@pytest.mark.sqlite_only
def test_probe_run_reports_refused_rows_and_sends_them_nothing(
    require_root: None, engine: Engine, tmp_path: Path
) -> None:
    _written_past_the_importer(engine, [*NEVER, *UNCLEAR, "127.0.0.5"])
    by_address = _by_address(_probe_run_on_loopback_only(tmp_path))
    refused = {**NEVER, **{a: _unclear(read_as) for a, read_as in UNCLEAR.items()}}
    for address, why in refused.items():
        point, method = by_address[address]
        assert point["status"] == "skipped"
        assert method["sent"] == 0
        assert method["error"] == f"refused: {address} is {why}"
    assert by_address["127.0.0.5"][0]["status"] == "up"
    with session_scope(engine) as session:
        stored = session.exec(
            select(ConnectionPoint.address, ProbeResult.sent).where(
                ProbeResult.point_id == ConnectionPoint.id
            )
        ).all()
    assert {a: sent for a, sent in stored if a in refused} == dict.fromkeys(refused, 0)


# `ictr probe run` runs in a namespace that holds only loopback, which cannot reach a
# PostgreSQL server on the host; what is sent does not depend on the engine.
@pytest.mark.sqlite_only
def test_names_are_judged_by_every_address_they_resolve_to(
    require_root: None, engine: Engine, tmp_path: Path
) -> None:
    """A name is refused when any of its addresses is."""
    hosts = (
        "127.0.0.1 localhost\n"
        "127.0.0.9 mixed.test plain.test\n"
        "::ffff:255.255.255.255 mixed.test\n"
        "2002:e000:1::1 tunnel.test\n"
        "::ffff:127.0.0.10 mapped.test\n"
    )
    _written_past_the_importer(engine, ["mixed.test", "plain.test", "tunnel.test", "mapped.test"])
    by_address = _by_address(_probe_run_on_loopback_only(tmp_path, hosts))
    mixed, tunnel = by_address["mixed.test"], by_address["tunnel.test"]
    assert (mixed[0]["status"], mixed[1]["sent"]) == ("skipped", 0)
    assert mixed[1]["error"] == (
        "refused: mixed.test (::ffff:ffff:ffff) is an IPv4-mapped address embedding "
        "255.255.255.255, the limited broadcast address"
    )
    assert (tunnel[0]["status"], tunnel[1]["sent"]) == ("skipped", 0)
    assert tunnel[1]["error"] == (
        "refused: tunnel.test (2002:e000:1::1) is a 6to4 address embedding 224.0.0.1, "
        "a multicast address"
    )
    # Allowed names are probed; the IPv4-mapped one over IPv4 (ICMPv6 would not be answered).
    for name in ("plain.test", "mapped.test"):
        point, method = by_address[name]
        assert (point["status"], method["method"], method["received"]) == ("up", "icmp", 1)


# -- the rule, for every IPv4 address an IPv6 address can carry --------------------------------

_SPECIAL_V4 = [
    "0.0.0.0", "0.1.2.3", "10.0.0.0", "10.0.0.255", "127.0.0.0", "127.0.0.1", "127.255.255.255",
    "169.254.1.1", "192.168.1.0", "192.168.1.255", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "255.255.255.254", "255.255.255.255",
]  # fmt: skip
ipv4s = st.one_of(
    st.sampled_from(_SPECIAL_V4).map(IPv4Address), st.integers(0, 2**32 - 1).map(IPv4Address)
)


@st.composite
def attached_subnets(draw: st.DrawFn) -> dict[IPAddress, str]:
    """What a probing host passes in: its subnets' network and broadcast addresses."""
    found: dict[IPAddress, str] = {}
    for _ in range(draw(st.integers(0, 3))):
        net = IPv4Network((draw(ipv4s), draw(st.integers(8, 30))), strict=False)
        found[net.network_address] = f"the network address of {net}"
        found[net.broadcast_address] = f"the broadcast address of {net}"
    return found


_ISATAP_MARK = 0x5EFE << 32  # cleared where an interface identifier must not embed too


def _mapped(v4: IPv4Address, _rest: int) -> IPv6Address:
    return IPv6Address(0xFFFF << 32 | int(v4))


def _sixtofour(v4: IPv4Address, rest: int) -> IPv6Address:
    return IPv6Address(0x2002 << 112 | int(v4) << 80 | rest % 2**80 & ~_ISATAP_MARK)


def _nat64(v4: IPv4Address, _rest: int) -> IPv6Address:
    return IPv6Address(0x64_FF9B << 96 | int(v4))


def _isatap(v4: IPv4Address, rest: int) -> IPv6Address:
    prefix = 0x2001_0DB8 << 32 | rest % 2**32  # a documentation /64, no embedding of its own
    return IPv6Address(prefix << 64 | (0x0200_5EFE if rest & 2**40 else 0x5EFE) << 32 | int(v4))


def _compatible(v4: IPv4Address, rest: int) -> IPv6Address:
    return IPv6Address(int(v4) if rest & 1 else 0xFFFF << 48 | int(v4))  # or ::ffff:0:a.b.c.d


def _teredo(v4: IPv4Address, rest: int) -> IPv6Address:
    server = rest % 2**32
    flags_port = rest >> 32 & 0xFFFF_FFFF
    return IPv6Address(0x2001 << 112 | server << 64 | flags_port << 32 | (int(v4) ^ 0xFFFF_FFFF))


JUDGED = [_mapped, _sixtofour, _nat64, _isatap]  # verdict of the IPv4 address they carry
REFUSED_FORMS = [_compatible, _teredo]  # refused whatever they carry


@given(v4=ipv4s, rest=st.integers(0, 2**80 - 1), attached=attached_subnets())
def test_an_embedded_ipv4_address_gets_its_own_verdict(
    v4: IPv4Address, rest: int, attached: dict[IPAddress, str]
) -> None:
    ipv4_verdict = refusal(v4, attached)
    for embed in JUDGED:
        ip = embed(v4, rest)
        assert [inner for _form, inner in embedded_ipv4(ip)] == [v4]
        verdict = refusal(ip, attached)
        assert (verdict is None) == (ipv4_verdict is None), (ip, verdict, ipv4_verdict)
        if ipv4_verdict is not None:
            assert verdict is not None and verdict.endswith(f"embedding {v4}, {ipv4_verdict}")
    for embed in REFUSED_FORMS:
        assume(int(v4) > 1)  # ::0.0.0.0 and ::0.0.0.1 are :: and ::1, not embeddings
        assert refusal(embed(v4, rest), attached) is not None


@given(
    v4=ipv4s,
    prefix=st.integers(0, 2**64 - 1),
    iid=st.sampled_from([0x5EFE, 0x0200_5EFE]),
    attached=attached_subnets(),
)
def test_any_address_carrying_a_refused_ipv4_address_is_refused(
    v4: IPv4Address, prefix: int, iid: int, attached: dict[IPAddress, str]
) -> None:
    """ISATAP identifiers follow any /64 prefix, itself perhaps an embedding form."""
    ip = IPv6Address(prefix << 64 | iid << 32 | int(v4))
    if refusal(v4, attached) is not None:
        assert refusal(ip, attached) is not None
    for _form, inner in embedded_ipv4(ip):
        if refusal(inner, attached) is not None:
            assert refusal(ip, attached) is not None
