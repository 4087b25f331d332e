"""Who is writing: a dashboard user or the command line, with the role and scope that bound it."""

from __future__ import annotations

import enum
import getpass
from dataclasses import dataclass


class Role(enum.StrEnum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


@dataclass(frozen=True)
class Actor:
    """`name` is a username, or `cli:<OS user>` for the command line (which acts as admin)."""

    name: str
    role: Role
    scope: str | None = None  # a unit key; None is the whole province

    @classmethod
    def cli(cls) -> Actor:
        return cls(name=f"cli:{getpass.getuser()}", role=Role.admin)
