"""ICMP echo: scapy builds the echo request once per round, each send patches its
sequence number and checksum; replies are matched by ICMP id and sequence.
"""

from __future__ import annotations

import logging
import random
import socket
import struct
import time
from typing import ClassVar

from scapy.layers.inet import ICMP
from scapy.layers.inet6 import ICMPv6EchoRequest
from scapy.utils import checksum

from probes.probers import rawsock
from probes.probers.attempt import REPLY, UNREACHABLE, Attempt, Destination, RoundContext

log = logging.getLogger(__name__)

PAYLOAD_SIZE = 56  # as ping: 64 bytes of ICMP in all
_ICMP_ERRORS_V4 = {3: "destination unreachable", 11: "time exceeded"}
_ICMP_ERRORS_V6 = {1: "destination unreachable", 3: "time exceeded"}


class IcmpProber:
    method: ClassVar[str] = "icmp"

    def __init__(self, ctx: RoundContext) -> None:
        self.ctx = ctx
        payload = ctx.cookie + bytes(PAYLOAD_SIZE - len(ctx.cookie))
        self._ident = random.randrange(1, 0xFFFF)
        self._seq = 0
        self._template4 = bytearray(bytes(ICMP(type=8, id=0, seq=0, chksum=0) / payload))
        self._template6 = bytearray(bytes(ICMPv6EchoRequest(id=0, seq=0, cksum=0, data=payload)))
        self._waiting: dict[tuple[int, int], Attempt] = {}
        self._sockets: dict[int, socket.socket] = {}
        self._packed: dict[str, bytes] = {}

    @staticmethod
    def ports(configured: tuple[int, ...], fallback: tuple[int, ...]) -> list[Destination]:
        """ICMP has no ports: one echo request per probe."""
        return [(None, False)]

    def open(self, families: set[int]) -> None:
        for family in sorted(families):
            if family == socket.AF_INET:
                sock = rawsock.open_raw(socket.AF_INET, socket.IPPROTO_ICMP)
            else:
                sock = rawsock.open_raw(socket.AF_INET6, socket.IPPROTO_ICMPV6)
                rawsock.only_icmp6_types(sock, {129, *_ICMP_ERRORS_V6})
            self._sockets[family] = sock
            self.ctx.loop.add_reader(sock.fileno(), self._drain, family)

    def close(self) -> None:
        for sock in self._sockets.values():
            self.ctx.loop.remove_reader(sock.fileno())
            sock.close()
        self._sockets.clear()

    def _next_key(self) -> tuple[int, int]:
        if self._seq > 0xFFFF:  # more than 65,536 echoes in a round: take another id
            self._ident, self._seq = self._ident % 0xFFFF + 1, 0
        key = (self._ident, self._seq)
        self._seq += 1
        return key

    def send(self, attempt: Attempt) -> None:
        target = attempt.target
        assert target.ip is not None
        ident, seq = self._next_key()
        family = target.family
        if family == socket.AF_INET:
            packet = self._template4[:]
            struct.pack_into("!HH", packet, 4, ident, seq)
            struct.pack_into("!H", packet, 2, checksum(bytes(packet)))
        else:
            packet = self._template6[:]  # the kernel fills in the ICMPv6 checksum
            struct.pack_into("!HH", packet, 4, ident, seq)
        self._packed.setdefault(target.ip, socket.inet_pton(family, target.ip))
        self._waiting[(ident, seq)] = attempt
        sent = time.time_ns()
        try:
            self._sockets[family].sendto(packet, (target.ip, 0))
        except BlockingIOError:
            del self._waiting[(ident, seq)]
            raise
        except OSError as exc:
            del self._waiting[(ident, seq)]
            self.ctx.failed(attempt, f"send failed: {exc.strerror or exc}")
            return
        self.ctx.sent(attempt, sent)

    def _drain(self, family: int) -> None:
        sock = self._sockets.get(family)
        if sock is None:
            return
        for data, source, stamp in rawsock.receive_all(sock):
            if family == socket.AF_INET:
                self._on_packet4(data, stamp)
            else:
                self._on_packet6(data, source, stamp)

    def _on_packet4(self, data: bytes, stamp: int) -> None:
        header = (data[0] & 0x0F) * 4
        if len(data) < header + 8:
            return
        kind = data[header]
        if kind == 0:
            ident, seq = struct.unpack_from("!HH", data, header + 4)
            attempt = self._waiting.get((ident, seq))
            cookie = data[header + 8 : header + 8 + len(self.ctx.cookie)]
            if attempt and cookie == self.ctx.cookie and data[12:16] == self._packed_of(attempt):
                del self._waiting[(ident, seq)]
                self.ctx.resolve(attempt, stamp, REPLY)
        elif kind in _ICMP_ERRORS_V4:
            inner = data[header + 8 :]  # the IP header and first 8 bytes of our request
            if len(inner) < 20:
                return
            inner_header = (inner[0] & 0x0F) * 4
            if inner[9] != 1 or len(inner) < inner_header + 8 or inner[inner_header] != 8:
                return
            ident, seq = struct.unpack_from("!HH", inner, inner_header + 4)
            attempt = self._waiting.get((ident, seq))
            if attempt and inner[16:20] == self._packed_of(attempt):
                del self._waiting[(ident, seq)]
                what = _ICMP_ERRORS_V4[kind]
                self.ctx.resolve(attempt, stamp, UNREACHABLE, f"{what} from {_ip4(data[12:16])}")

    def _on_packet6(self, data: bytes, source: str, stamp: int) -> None:
        if len(data) < 8:
            return
        kind = data[0]
        if kind == 129:
            ident, seq = struct.unpack_from("!HH", data, 4)
            attempt = self._waiting.get((ident, seq))
            cookie = data[8 : 8 + len(self.ctx.cookie)]
            if attempt and cookie == self.ctx.cookie and _same6(source, attempt):
                del self._waiting[(ident, seq)]
                self.ctx.resolve(attempt, stamp, REPLY)
        elif kind in _ICMP_ERRORS_V6 and len(data) >= 8 + 40 + 8:
            inner = data[8:]  # the IPv6 header and the start of our request
            if inner[6] != 58 or inner[40] != 128:
                return
            ident, seq = struct.unpack_from("!HH", inner, 44)
            attempt = self._waiting.get((ident, seq))
            if attempt:
                del self._waiting[(ident, seq)]
                what = _ICMP_ERRORS_V6[kind]
                self.ctx.resolve(attempt, stamp, UNREACHABLE, f"{what} from {source}")

    def _packed_of(self, attempt: Attempt) -> bytes:
        assert attempt.target.ip is not None
        return self._packed[attempt.target.ip]


def _ip4(packed: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET, packed)


def _same6(source: str, attempt: Attempt) -> bool:
    assert attempt.target.ip is not None
    try:
        return socket.inet_pton(socket.AF_INET6, source.split("%")[0]) == socket.inet_pton(
            socket.AF_INET6, attempt.target.ip
        )
    except OSError:
        return False
