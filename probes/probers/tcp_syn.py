"""TCP SYN (half-open) checks: a SYN-ACK means the port is open, an RST that it is closed.

Our kernel answers the SYN-ACK with an RST of its own (it knows no such connection),
which closes the half-open connection on the far side: nothing to clean up. Each
attempt has its own source port and sequence number; an answer must acknowledge it.
"""

from __future__ import annotations

import random
import socket
import struct
import time
from typing import ClassVar

from scapy.layers.inet import IP, TCP
from scapy.utils import checksum

from probes.probers import rawsock
from probes.probers.attempt import CLOSED, OPEN, Attempt, Destination, RoundContext

_SYN, _RST, _ACK = 0x02, 0x04, 0x10
# Source ports used for probes: high and away from Linux's default ephemeral range start.
_PORT_BASE, _PORT_SPAN = 40000, 20000


class TcpSynProber:
    method: ClassVar[str] = "tcp"

    def __init__(self, ctx: RoundContext) -> None:
        self.ctx = ctx
        self._next_port = random.randrange(_PORT_SPAN)
        self._templates: dict[tuple[str, int], tuple[bytearray, bytes]] = {}
        # (remote address bytes, remote port, our port) -> (attempt, our sequence number)
        self._waiting: dict[tuple[bytes, int, int], tuple[Attempt, int]] = {}
        self._sockets: dict[int, socket.socket] = {}

    @staticmethod
    def ports(configured: tuple[int, ...], fallback: tuple[int, ...]) -> list[Destination]:
        """Every configured port, each a service: without ports there is nothing to check."""
        return [(p, True) for p in configured]

    def open(self, families: set[int]) -> None:
        for family in sorted(families):
            sock = rawsock.open_raw(family, socket.IPPROTO_TCP)
            if family == socket.AF_INET6:
                # IPv6 raw sockets can have the kernel fill in the checksum at offset 16.
                sock.setsockopt(socket.IPPROTO_IPV6, rawsock.IPV6_CHECKSUM, 16)
            self._sockets[family] = sock
            self.ctx.loop.add_reader(sock.fileno(), self._drain, family)

    def close(self) -> None:
        for sock in self._sockets.values():
            self.ctx.loop.remove_reader(sock.fileno())
            sock.close()
        self._sockets.clear()

    def _template(self, ip: str, family: int, port: int) -> tuple[bytearray, bytes]:
        """The SYN for (ip, port) built by scapy, and the checksum pseudo-header (IPv4)."""
        key = (ip, port)
        if key not in self._templates:
            syn = TCP(sport=0, dport=port, flags="S", seq=0, window=64240, chksum=0)
            syn.options = [("MSS", 1460)]
            segment = bytearray(bytes(syn))
            pseudo = b""
            if family == socket.AF_INET:
                source = rawsock.source_address(family, ip)
                header = bytes(IP(src=source, dst=ip, proto=6))
                pseudo = header[12:20] + struct.pack("!BBH", 0, 6, len(segment))
            self._templates[key] = (segment, pseudo)
        return self._templates[key]

    def send(self, attempt: Attempt) -> None:
        target = attempt.target
        assert target.ip is not None and attempt.port is not None
        family = target.family
        try:
            template, pseudo = self._template(target.ip, family, attempt.port)
        except OSError as exc:
            self.ctx.failed(attempt, f"no route: {exc.strerror or exc}")
            return
        our_port = _PORT_BASE + self._next_port
        self._next_port = (self._next_port + 1) % _PORT_SPAN
        sequence = random.getrandbits(32)
        segment = template[:]
        struct.pack_into("!H", segment, 0, our_port)
        struct.pack_into("!I", segment, 4, sequence)
        if family == socket.AF_INET:
            struct.pack_into("!H", segment, 16, checksum(pseudo + bytes(segment)))
        key = (socket.inet_pton(family, target.ip), attempt.port, our_port)
        self._waiting[key] = (attempt, sequence)
        sent = time.time_ns()
        try:
            self._sockets[family].sendto(segment, (target.ip, 0))
        except BlockingIOError:
            del self._waiting[key]
            raise
        except OSError as exc:
            del self._waiting[key]
            self.ctx.failed(attempt, f"send failed: {exc.strerror or exc}")
            return
        self.ctx.sent(attempt, sent)

    def _drain(self, family: int) -> None:
        sock = self._sockets.get(family)
        if sock is None:
            return
        for data, source, stamp in rawsock.receive_all(sock):
            if family == socket.AF_INET:
                header = (data[0] & 0x0F) * 4
                if len(data) < header + 20 or data[9] != 6:
                    continue
                remote = data[12:16]
                segment = memoryview(data)[header:]
            else:  # IPv6 raw sockets deliver the segment without the IPv6 header
                if len(data) < 20:
                    continue
                remote = socket.inet_pton(socket.AF_INET6, source.split("%")[0])
                segment = memoryview(data)
            self._on_segment(remote, segment, stamp)

    def _on_segment(self, remote: bytes, segment: memoryview, stamp: int) -> None:
        remote_port, our_port, _seq, ack = struct.unpack_from("!HHII", segment)
        flags = segment[13]
        if not flags & (_RST | _SYN) or not flags & _ACK:
            return  # our own SYN looping back, or unrelated traffic
        found = self._waiting.get((remote, remote_port, our_port))
        if found is None:
            return
        attempt, sequence = found
        if ack != (sequence + 1) & 0xFFFFFFFF:
            return
        del self._waiting[(remote, remote_port, our_port)]
        self.ctx.resolve(attempt, stamp, CLOSED if flags & _RST else OPEN)
