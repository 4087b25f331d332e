"""Who may write what: enforced where data is written, not only by hiding buttons.

- a viewer writes nothing;
- an editor writes agencies, computers, connection points, certificates and service figures
  whose unit is their scope or below it (a district's communes), or anywhere when they have
  no scope;
- an admin (and the command line, `Actor.cli()`) writes everything; only an admin replaces
  boundaries, resets the demo or manages accounts.

A single record's writer calls `require_write` with the record's unit. An import, which may
touch thousands of rows through bulk statements, is checked by its effect instead
(`ScopeGuard`): the rows outside the editor's scope must be the same after the import as
before it, whatever the importer did to get there (new rows, updates, a computer moved to
another agency, an agency created or moved).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, select
from sqlmodel import Session, col
from sqlmodel import select as sqlmodel_select

from inventory.actor import Actor, Role
from inventory.errors import IctrError
from inventory.models import (
    AdminUnit,
    Agency,
    Certificate,
    Computer,
    ConnectionPoint,
    ServiceFigure,
    Website,
)


def units_under(session: Session, code: str) -> frozenset[str]:
    """`code` and every unit below it (a district's communes)."""
    found = {code}
    frontier = [code]
    while frontier:
        children = session.exec(
            sqlmodel_select(AdminUnit.code).where(col(AdminUnit.parent_code).in_(frontier))
        ).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return frozenset(found)


def _unit_name(session: Session, code: str) -> str:
    unit = session.get(AdminUnit, code)
    return f"{code} ({unit.name})" if unit is not None else code


def _refuse_viewer(actor: Actor) -> None:
    if actor.role is Role.viewer:
        raise IctrError(f"{actor.name!r} is a viewer: viewers change nothing")


def unrestricted(actor: Actor) -> bool:
    """True for an admin, the command line, and an editor without a scope."""
    return actor.role is Role.admin or (actor.role is Role.editor and actor.scope is None)


def require_write(actor: Actor, unit_key: str, *, session: Session) -> None:
    """Raise IctrError unless `actor` may change a record of unit `unit_key`."""
    _refuse_viewer(actor)
    if unrestricted(actor):
        return
    assert actor.scope is not None
    if unit_key not in units_under(session, actor.scope):
        raise IctrError(
            f"{actor.name!r} edits only {_unit_name(session, actor.scope)} and the units "
            f"below it, not {_unit_name(session, unit_key)}"
        )


def require_admin(actor: Actor, what: str) -> None:
    """Raise IctrError unless `actor` is an admin (`what`: the action, for the message)."""
    if actor.role is not Role.admin:
        raise IctrError(f"only an admin may {what}, not {actor.name!r} ({actor.role})")


@dataclass(frozen=True)
class _Scoped:
    """A table whose rows belong to a unit: how to read each row with that unit."""

    label: str  # as the refusal names it
    key: str  # the column a user knows the row by
    table: Any
    unit: ColumnElement[Any]
    source: FromClause

    def rows(self, session: Session, outside: Iterable[str]) -> dict[Any, tuple[Any, ...]]:
        columns = list(self.table.c)
        query: Select[Any] = (
            select(*columns, self.unit.label("_unit"))
            .select_from(self.source)
            .where(self.unit.not_in(list(outside)))
        )
        pk = next(iter(self.table.primary_key.columns)).name
        return {row._mapping[pk]: tuple(row) for row in session.execute(query)}


def _scoped_tables() -> list[_Scoped]:
    agency = Agency.__table__  # type: ignore[attr-defined]
    computer = Computer.__table__  # type: ignore[attr-defined]
    certificate = Certificate.__table__  # type: ignore[attr-defined]
    point = ConnectionPoint.__table__  # type: ignore[attr-defined]
    figure = ServiceFigure.__table__  # type: ignore[attr-defined]
    website = Website.__table__  # type: ignore[attr-defined]
    return [
        _Scoped("agency", "name", agency, agency.c.unit_code, agency),
        _Scoped(
            "computer",
            "asset_tag",
            computer,
            agency.c.unit_code,
            computer.join(agency, computer.c.agency_id == agency.c.id),
        ),
        _Scoped(
            "certificate",
            "serial",
            certificate,
            agency.c.unit_code,
            certificate.join(agency, certificate.c.agency_id == agency.c.id),
        ),
        _Scoped("connection point", "code", point, point.c.unit_code, point),
        _Scoped("service figures", "period", figure, figure.c.unit_code, figure),
        _Scoped(
            "website",
            "url",
            website,
            agency.c.unit_code,
            website.join(agency, website.c.agency_id == agency.c.id),
        ),
    ]


@dataclass
class ScopeGuard:
    """The rows outside an editor's scope, read before a bulk write; `check` after the write
    (in the same transaction, before commit) refuses if any of them changed, appeared or
    went. For an unrestricted actor it reads and checks nothing."""

    actor: Actor
    units: frozenset[str] | None
    before: dict[str, dict[Any, tuple[Any, ...]]]

    @classmethod
    def start(
        cls, session: Session, actor: Actor, tables: Collection[str] | None = None
    ) -> ScopeGuard:
        """`tables`: the tables the write may touch (all scoped tables when None). Reading
        only those keeps the check short: for the demo, a computers import by Đồng Văn's
        editor reads the 8,694 computers outside it (0.16-0.21 s each time) and not also the
        5,673 certificates."""
        _refuse_viewer(actor)
        if unrestricted(actor):
            return cls(actor, None, {})
        assert actor.scope is not None
        units = units_under(session, actor.scope)
        before = {
            t.label: t.rows(session, units)
            for t in _scoped_tables()
            if tables is None or t.table.name in tables
        }
        return cls(actor, units, before)

    def check(self, session: Session, *, source: str, find: Any = None) -> None:
        """Raise IctrError naming the first row changed outside the scope. `find(text)`
        may give the file's row, column and cell holding a key, for the message."""
        if self.units is None:
            return
        assert self.actor.scope is not None
        for scoped in _scoped_tables():
            if scoped.label not in self.before:
                continue
            before = self.before[scoped.label]
            after = scoped.rows(session, self.units)
            changed = [pk for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk)]
            if not changed:
                continue
            pk = min(changed)
            row = after.get(pk) or before[pk]
            names = [c.name for c in scoped.table.c]
            key = row[names.index(scoped.key)]
            unit = row[-1]
            where = find(str(key)) if find is not None else None
            at = f"{where}, " if where else ""
            raise IctrError(
                f"{source}: {at}{scoped.label} {key!r} is in unit {_unit_name(session, unit)}, "
                f"outside {self.actor.name!r}'s scope {_unit_name(session, self.actor.scope)}"
                "; nothing was imported"
            )
