"""Web servers in a network namespace, and a client namespace to check them from.

The client namespace is joined to the server namespace by one veth pair and has no default
route, so a check run in it (`ip netns exec CLIENT ictr ...`) reaches the test servers and
nothing else; its /etc/hosts (from /etc/netns/CLIENT/hosts) names the sites. Every site has
its own address on the server side, with port 80 and/or 443. Certificates are made here
with trustme (a test CA) and cryptography (a self-signed one).

Run this file with `serve CONFIG.json` to start the servers inside a namespace: an asyncio
server per site and port, answering each request by the site's behaviour.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A page with dates: the newest, written day first, is what the check must find.
PAGE = (
    "<html><head><meta charset='utf-8'><title>UBND xã thử nghiệm</title></head><body>"
    "<p>Tin cũ đăng ngày {older}, cập nhật lúc 08:30 ngày {newest}.</p>"
    "<p>Văn bản số 12/2024/QĐ-UBND ngày {iso_older}.</p>"
    "</body></html>"
)


def sh(*args: str, input: str | None = None) -> str:
    done = subprocess.run(args, input=input, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


# -- the servers (run inside the server namespace) --------------------------------------------


async def _answer(site: dict[str, Any], reader: Any, writer: Any) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, OSError):
        writer.close()
        return
    path = head.split(b" ", 2)[1].decode("ascii", "replace") if b" " in head else "/"
    behaviour = site["behaviour"]
    status, headers, body = 200, {"Content-Type": "text/html; charset=utf-8"}, b""
    if behaviour == "page":
        body = site["body"].encode("utf-8")
        if site.get("last_modified"):
            headers["Last-Modified"] = site["last_modified"]
    elif behaviour == "error":
        status, body = 500, b"<h1>Internal Server Error</h1>"
    elif behaviour == "slow":
        await asyncio.sleep(site["delay"])
        body = b"late"
    elif behaviour == "loop":
        status = 302
        headers["Location"] = "/b" if path != "/b" else "/a"
    elif behaviour == "to_https":
        status = 301
        headers["Location"] = f"https://{site['host']}{path}"
    elif behaviour == "big":
        body = b"x" * site["size"]
    reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 500: "Internal Server Error"}
    lines = [f"HTTP/1.1 {status} {reason[status]}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def serve(config: list[dict[str, Any]], ready: Any = None) -> None:
    """Start every site's server; `ready` (if given) gets their ports, else "ready" is printed."""
    servers = []
    for site in config:
        context = None
        if site.get("cert"):
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(site["cert"], site["key"])

        async def handler(reader: Any, writer: Any, site: dict[str, Any] = site) -> None:
            await _answer(site, reader, writer)

        extra: dict[str, Any] = {"ssl": context, "ssl_handshake_timeout": 10} if context else {}
        servers.append(
            await asyncio.start_server(handler, site["ip"], site["port"], backlog=1024, **extra)
        )
    if ready is None:
        print("ready", flush=True)
    else:
        ready([server.sockets[0].getsockname()[1] for server in servers])
    await asyncio.Event().wait()


@contextmanager
def loopback_sites(config: list[dict[str, Any]]) -> Iterator[list[int]]:
    """The sites served on loopback from a thread of this process (port 0: any free port);
    yields their ports, in order. Loopback needs no namespace, and no root."""
    import queue
    import threading

    ports: queue.Queue[list[int]] = queue.Queue()
    loop = asyncio.new_event_loop()

    def run() -> None:
        try:
            loop.run_until_complete(serve(config, ports.put))
        except asyncio.CancelledError:
            pass  # stopped at the end of the test
        finally:
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield ports.get(timeout=10)
    finally:
        for task in asyncio.all_tasks(loop):
            loop.call_soon_threadsafe(task.cancel)
        thread.join(timeout=5)


# -- certificates ------------------------------------------------------------------------------


def self_signed(host: str, folder: Path) -> tuple[Path, Path]:
    """A certificate for `host` that signs itself (no CA behind it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=200))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{host}.crt", folder / f"{host}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def issued(ca: Any, folder: Path, name: str, *hosts: str, **dates: Any) -> tuple[Path, Path]:
    """A certificate from the test CA (trustme) for `hosts`, written as PEM files."""
    leaf = ca.issue_cert(*hosts, **dates)
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert_path))
    leaf.private_key_pem.write_to_path(str(key_path))
    return cert_path, key_path


# -- the namespaces ---------------------------------------------------------------------------


@dataclass
class WebLab:
    client: str  # namespace the checks run in
    server: str
    hosts: dict[str, str]  # host name -> address
    ca_bundle: Path  # the test CA's root, as ICTR_CA_BUNDLE takes it
    subnet: str
    ca: Any = None  # the trustme.CA that signs the sites' certificates
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def exec(self, *args: str) -> list[str]:
        """A command line that runs `args` in the client namespace."""
        return ["ip", "netns", "exec", self.client, *args]


def _free_second_octet() -> int:
    routes = sh("ip", "-4", "route", "show", "table", "all")
    used = {int(part.split(".")[1]) for part in routes.split() if part.startswith("10.")}
    for octet in random.sample(range(100, 200), 100):
        if octet not in used:
            return octet
    raise RuntimeError("no free 10.x.0.0/16 for the test hosts")


def start_servers(lab: WebLab, sites: list[dict[str, Any]], folder: Path) -> None:
    config = folder / f"servers-{len(lab.processes)}.json"
    config.write_text(json.dumps(sites), encoding="utf-8")
    process = subprocess.Popen(
        ["ip", "netns", "exec", lab.server, sys.executable, __file__, "serve", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lab.processes.append(process)
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        problem = process.stderr.read() if process.stderr else ""
        raise RuntimeError(f"web servers did not start: {line!r} {problem}")


@contextmanager
def web_lab(folder: Path, host_names: list[str]) -> Iterator[WebLab]:
    """Two namespaces, one address per host name on the server side; torn down on exit."""
    import trustme

    octet = _free_second_octet()
    tag = f"{os.getpid() % 100000}"
    client, server = f"ictr{tag}wc", f"ictr{tag}ws"
    outside, inside = f"vw{tag}c", f"vw{tag}s"
    netns_etc = Path("/etc/netns") / client
    ca = trustme.CA()
    bundle = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    # Up to ~64k addresses: 10.octet.(1+i//250).(2+i%250); the client is 10.octet.0.1/16.
    hosts = {name: f"10.{octet}.{1 + i // 250}.{2 + i % 250}" for i, name in enumerate(host_names)}
    lab = WebLab(client, server, hosts, bundle, f"10.{octet}.0.0/16", ca)
    try:
        sh("ip", "netns", "add", client)
        sh("ip", "netns", "add", server)
        sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
        sh("ip", "link", "set", outside, "netns", client)
        sh("ip", "link", "set", inside, "netns", server)
        sh("ip", "-n", client, "addr", "add", f"10.{octet}.0.1/16", "dev", outside)
        batch = "".join(f"addr add {ip}/16 dev {inside}\n" for ip in hosts.values())
        sh("ip", "-n", server, "-batch", "-", input=batch)
        for ns, dev in ((client, outside), (server, inside)):
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        netns_etc.mkdir(parents=True, exist_ok=True)
        lines = [f"{ip} {name}" for name, ip in hosts.items()]
        (netns_etc / "hosts").write_text(
            "127.0.0.1 localhost\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
        # No name server: a name outside /etc/hosts fails at once, never leaves the machine.
        (netns_etc / "resolv.conf").write_text("", encoding="utf-8")
        yield lab
    finally:
        for process in lab.processes:
            process.kill()
            process.wait()
        for ns in (client, server):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        shutil.rmtree(netns_etc, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        asyncio.run(serve(json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]!r}")
