"""Raw sockets for the privileged probers: opening them, big receive buffers, kernel
receive timestamps, and finding out whether this process may open them at all.

The probers send at layer 3 through these sockets, so the kernel routes and resolves
neighbours, as scapy's L3RawSocket does. scapy's own L3RawSocket is not used for
receiving: it reads every frame of every interface through a packet socket and
decodes each in Python, far too slow for thousands of replies per round.
"""

from __future__ import annotations

import errno
import logging
import socket
import struct
import time
from collections.abc import Iterator

log = logging.getLogger(__name__)

# Linux values; Python's socket module does not export all of them.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
IPV6_CHECKSUM = getattr(socket, "IPV6_CHECKSUM", 7)
ICMP6_FILTER = 1

# Room for many thousands of replies arriving at once (the kernel may cap SO_RCVBUF at
# net.core.rmem_max; SO_RCVBUFFORCE needs CAP_NET_ADMIN and is tried first).
RECEIVE_BUFFER = 8 * 1024 * 1024
_ANCILLARY = socket.CMSG_SPACE(16)


def raw_available() -> bool:
    """True when this process may open raw sockets (root or CAP_NET_RAW)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    except PermissionError:
        return False
    return True


def open_raw(family: int, proto: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_RAW, proto)
    try:
        sock.setblocking(False)
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER)
        except PermissionError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        log.debug(
            "raw socket family %s proto %s: receive buffer %d bytes",
            family,
            proto,
            sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
        )
    except OSError:
        sock.close()
        raise
    return sock


def only_icmp6_types(sock: socket.socket, allowed: set[int]) -> None:
    """Let the kernel drop the ICMPv6 traffic we do not need (neighbour discovery, ...)."""
    blocked = [0xFFFFFFFF] * 8
    for kind in allowed:
        blocked[kind >> 5] &= ~(1 << (kind & 31))
    sock.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, struct.pack("8I", *blocked))


def receive_all(sock: socket.socket) -> Iterator[tuple[bytes, str, int]]:
    """Every datagram waiting on `sock`: (data, source address, kernel receive time in ns)."""
    while True:
        try:
            data, ancillary, _flags, address = sock.recvmsg(65535, _ANCILLARY)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            # ICMP errors queued on the socket surface here; they are not replies.
            if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNREFUSED):
                continue
            raise
        stamp = 0
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                seconds, nanoseconds = struct.unpack_from("qq", value)
                stamp = seconds * 1_000_000_000 + nanoseconds
        yield data, address[0], stamp or time.time_ns()


def source_address(family: int, destination: str) -> str:
    """The address the kernel would send from to reach `destination` (no packet is sent)."""
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.connect((destination, 9))
        return str(probe.getsockname()[0])
