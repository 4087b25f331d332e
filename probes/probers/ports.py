"""TCP port lists as configured (a point's `tcp_ports`, `--fallback-ports`): one syntax for
both. Which of them a probe type uses is its own rule (`ports` on each prober)."""

from __future__ import annotations

from inventory.errors import IctrError


def parse_ports(text: str, *, where: str) -> tuple[int, ...]:
    """'80, 443' -> (80, 443); a bad entry is an error naming where it came from."""
    ports: list[int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 65535:
            raise IctrError(f"{where}: bad TCP port {part!r} (expected 1-65535)")
        if int(part) not in ports:
            ports.append(int(part))
    return tuple(ports)
