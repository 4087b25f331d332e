"""One import from start to end: read, find the header, validate, write, commit or not."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from inventory.access import ScopeGuard
from inventory.actor import Actor
from inventory.audit import Change, note
from inventory.errors import IctrError
from inventory.importing.agencies import import_agencies
from inventory.importing.certificates import import_certificates
from inventory.importing.computers import import_computers
from inventory.importing.fields import Fields
from inventory.importing.header import Located, locate_header, report_cells_without_header
from inventory.importing.options import ImportOptions
from inventory.importing.points import import_points
from inventory.importing.readers import Table, read_table
from inventory.importing.report import ImportReport
from inventory.importing.services import import_services
from inventory.importing.successions import import_successions
from inventory.importing.websites import import_websites
from inventory.importing.x509_files import is_certificate_source, read_certificate_files
from inventory.write_lock import locked_session


class Importer(Protocol):
    """What every per-entity importer takes: the rows located in the file, in the caller's
    transaction, recording rows and problems in `report`."""

    def __call__(
        self,
        *,
        session: Session,
        fields: Fields,
        located: Located,
        options: ImportOptions,
        report: ImportReport,
    ) -> None: ...


ENTITIES: dict[str, Importer] = {
    "computers": import_computers,
    "agencies": import_agencies,
    "points": import_points,
    "services": import_services,
    "certificates": import_certificates,
    "successions": import_successions,
    "websites": import_websites,
}


# The tables each import writes: its own, and agencies (created with --create-agencies).
# A scoped editor's import is checked on these (`ScopeGuard`).
WRITES: dict[str, tuple[str, ...]] = {
    "computers": ("computer", "agency"),
    "agencies": ("agency",),
    "points": ("connection_point", "agency"),
    "services": ("service_figure", "agency"),
    "certificates": ("certificate", "agency"),
    "successions": ("agency",),  # an agency's end date; the succession row names two agencies
    "websites": ("website", "agency"),
}


def import_table(
    *, session: Session, entity: str, table: Table, options: ImportOptions
) -> ImportReport:
    """Validate and write `table` in the caller's transaction. When the report has errors
    nothing was written; the caller must still roll back (created agencies, if any)."""
    if entity not in ENTITIES:
        raise IctrError(f"cannot import {entity!r}: choose one of {', '.join(ENTITIES)}")
    report = ImportReport(
        entity=entity,
        source=table.source,
        dry_run=options.dry_run,
        encoding=table.encoding,
        delimiter=table.delimiter,
        warnings=list(table.notes),
    )
    if not table.rows:
        raise IctrError(f"{table.source}: the file is empty")
    located = locate_header(table, entity)
    match = located.match
    report.header_row = match.row_number
    report.snipeit = located.snipeit
    by_position = sorted(match.positions.items(), key=lambda item: item[1])
    report.columns = {match.headers[p]: name for name, p in by_position}
    report.ignored = list(match.ignored)
    data = table.rows[located.data_start :]
    numbers = table.row_numbers[located.data_start :]
    report.rows_read = len(data)
    fields = Fields(data, numbers, match, report)
    report_cells_without_header(fields)
    ENTITIES[entity](
        session=session, fields=fields, located=located, options=options, report=report
    )
    return report


def _find_cell(table: Table, header_row: int, key: str) -> str | None:
    """Where the file holds `key` (a refused row's asset tag, code, serial or name), as
    "row N, column 'X'", so that a refusal points at the row to fix; None if nowhere."""
    header = next(
        (r for r, n in zip(table.rows, table.row_numbers, strict=True) if n == header_row), []
    )
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        if number <= header_row:
            continue
        for position, cell in enumerate(row):
            if isinstance(cell, str) and cell.strip() == key:
                column = header[position] if position < len(header) else ""
                return f"row {number}, column {column!r}, value {key!r}"
    return None


def lock_names(entity: str, options: ImportOptions) -> tuple[str, ...]:
    """The writers an import must not overlap with: imports of the same kind and, when it may
    create agencies, imports of agencies."""
    names = {f"ictr import {entity}"}
    if options.create_agencies:
        names.add("ictr import agencies")
    return tuple(sorted(names))


def run_import(
    *,
    engine: Engine,
    entity: str,
    path: Path,
    options: ImportOptions,
    actor: Actor | None = None,
) -> ImportReport:
    """Import in one transaction: committed only when every row is good and not a dry run.
    It is one change set of the audit trail, by `actor` (None: the command line).

    `actor` (the command line's, `Actor.cli()`, when None) bounds what may change: a viewer
    nothing, a scoped editor only rows under their unit (`inventory/access.py`); a row
    outside it refuses the whole import, dry run or not.

    Imports of one kind run one after another (`locked_session`): a second import of the
    same file waits for the first, then reports its rows unchanged. A dry run takes the lock
    too, since it writes before rolling back.

    SQLite and PostgreSQL both discard an uncommitted transaction when the process dies,
    so an import killed half-way leaves the database as it was.
    """
    if entity == "certificates" and is_certificate_source(path):
        table = read_certificate_files(path)  # certificate files rather than a list
    else:
        table = read_table(path, options.sheet)
    actor = actor or Actor.cli()
    change = Change(actor=actor, command=f"ictr import {entity}", file=path)
    with locked_session(engine, *lock_names(entity, options), change=change) as session:
        try:
            guard = ScopeGuard.start(session, actor, WRITES.get(entity))
            report = import_table(session=session, entity=entity, table=table, options=options)
            if report.ok:
                guard.check(
                    session,
                    source=table.source,
                    find=lambda key: _find_cell(table, report.header_row, key),
                )
            if report.ok and not options.dry_run:
                note(session, rows_read=report.rows_read, unchanged=report.counts.unchanged)
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
    return report
