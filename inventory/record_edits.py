"""One record written from a form (the dashboard's record edits): add, edit or retire a
computer, change an agency's head-counts, add or edit a connection point.

Every write here:

- reads its values with the importers' own rules (`inventory/importing/values.py`), so a
  value an import refuses is refused here with the same reason;
- is allowed or refused where it is written, by `access.require_write` on the record's
  unit before and after (a scoped editor can neither touch another district's record nor
  move one there), whatever the page showed;
- is one change set of the audit trail (`write_lock.locked_session` with a `Change`), so it
  shows in `ictr history` and `ictr undo` puts it back;
- is optimistic: the caller gives the values it started from (`current_*`, read when the
  form opened); in the write's own transaction, under the same lock as an import of that
  kind, they are compared with what is stored, and if someone else changed the record in
  between the edit is refused (`EditConflict`) rather than silently overwriting theirs.

The functions are keyword-only and return the id of the change set they wrote, or None
when the values change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from inventory.access import require_write
from inventory.actor import Actor
from inventory.audit import Change, plain, written_change_set
from inventory.errors import IctrError
from inventory.importing.fields import read_value
from inventory.importing.values import (
    ASSET_TAG_MISSING,
    COMPUTER_TEXT_LIMITS,
    POINT_CLEARABLE,
    POINT_CODE_MISSING,
    POINT_FIELDS,
    BadValue,
    asset_tag,
    audit_date,
    boolean,
    computer_kind,
    computer_status,
    head_counts,
    point_code,
    point_missing,
    text,
    whole,
)
from inventory.models import AdminUnit, Agency, Computer, ComputerStatus, ConnectionPoint
from inventory.models.audit import ChangeRow, ChangeSet
from inventory.settings import get_settings
from inventory.write_lock import locked_session

# What a form edits of each record; the values it started from are these.
COMPUTER_FIELDS = ("kind", "status", "agency_id", "os", "internet", "notes", "retired_on")
AGENCY_FIELDS = ("officials", "signing_officials")
POINT_EDITABLE = ("agency_id", "unit_code", *POINT_FIELDS)

# The same writers' locks as the imports of these records: an edit and an import of the
# same kind never interleave.
_COMPUTER_LOCK = "ictr import computers"
_AGENCY_LOCK = "ictr import agencies"
_POINT_LOCK = "ictr import points"


class RecordError(IctrError):
    """A value a form gave that the record cannot take: which record, field and value, and
    the reason (the importer's words for the same value)."""

    def __init__(self, record: str, field: str, value: object, reason: str) -> None:
        self.record, self.field, self.value, self.reason = record, field, value, reason
        shown = "empty" if value is None or value == "" else f"value {value!r}"
        super().__init__(f"{record}, field {field!r}, {shown}: {reason}; nothing was saved")


class EditConflict(IctrError):
    """Someone changed the record after the form was opened: nothing was saved."""

    def __init__(self, record: str, changed: Mapping[str, tuple[Any, Any]], by: str) -> None:
        self.record, self.changed = record, dict(changed)
        fields = ", ".join(f"{f}: {old!r} → {new!r}" for f, (old, new) in sorted(changed.items()))
        super().__init__(
            f"{record} was changed{by} after you opened it ({fields}); nothing was saved: "
            "open it again to see the new values"
        )


# --- reading a value with the importers' rules ---------------------------------------------


def _read(record: str, field: str, value: Any, parser: Callable[[Any], Any]) -> Any:
    try:
        return read_value(value, parser)
    except BadValue as exc:
        raise RecordError(record, field, value, str(exc)) from None


def _required(record: str, field: str, value: Any, parser: Callable[[Any], Any], why: str) -> Any:
    parsed = _read(record, field, value, parser)
    if parsed is None:
        raise RecordError(record, field, value, why)
    return parsed


def _local_today() -> date:
    return datetime.now(get_settings().zone).date()


# --- the compare, in the write's transaction -----------------------------------------------


def _snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: plain(getattr(row, f)) for f in fields}


def _last_changed_by(session: Session, table: str, row_id: Any) -> str:
    found = session.exec(
        select(ChangeSet.actor, ChangeSet.id)
        .join(ChangeRow, col(ChangeRow.change_set_id) == col(ChangeSet.id))
        .where(col(ChangeRow.table_name) == table, col(ChangeRow.row_id) == str(row_id))
        .order_by(col(ChangeSet.id).desc())
    ).first()
    return f" by {found[0]!r} (change set {found[1]})" if found else ""


def _check_unchanged(
    session: Session,
    record: str,
    table: str,
    row: Any,
    started_from: Mapping[str, Any],
    fields: tuple[str, ...],
) -> None:
    """Refuse unless every editable field is as the form read it (all of them: a form that
    did not say where it started could overwrite anything)."""
    missing = [f for f in fields if f not in started_from]
    if missing:
        raise IctrError(f"{record}: the edit does not say what it started from ({missing})")
    now = {f: plain(getattr(row, f)) for f in started_from}
    changed = {f: (started_from[f], now[f]) for f in started_from if started_from[f] != now[f]}
    if changed:
        raise EditConflict(record, changed, _last_changed_by(session, table, row.id))


def _agency_id(record: str, value: Any) -> int:
    """An agency as a form picks it: its id (a numpy integer from a table will do)."""
    try:
        if isinstance(value, bool | str | float) or value is None:
            raise TypeError
        return int(value)
    except (TypeError, ValueError):
        raise RecordError(record, "agency", value, "no such agency") from None


def _agency(session: Session, record: str, agency_id: Any) -> Agency:
    found = session.get(Agency, _agency_id(record, agency_id))
    if found is None:
        raise RecordError(record, "agency", agency_id, "no such agency")
    return found


def _commit(session: Session, changed: bool) -> int | None:
    if not changed:
        session.rollback()
        return None
    session.commit()
    return written_change_set(session)


# --- computers -----------------------------------------------------------------------------


def current_computer(session: Session, tag: str) -> dict[str, Any]:
    """A computer's editable values as stored (what an edit starts from)."""
    return _snapshot(_computer(session, tag), COMPUTER_FIELDS)


def _computer(session: Session, tag: str) -> Computer:
    found = session.exec(select(Computer).where(Computer.asset_tag == tag)).first()
    if found is None:
        raise IctrError(f"computer {tag!r}: no computer has this asset tag")
    return found


def _computer_values(record: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values read as an import reads its cells; blank optional text clears."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("os", "notes"):
            parser = lambda v, m=COMPUTER_TEXT_LIMITS[name]: text(v, max_length=m)  # noqa: E731
            out[name] = _read(record, name, value, parser) or None
        elif name == "kind":
            out[name] = _required(record, name, value, computer_kind, "a computer needs a kind")
        elif name == "status":
            out[name] = _required(record, name, value, computer_status, "a status is needed")
        elif name == "internet":
            out[name] = bool(_read(record, name, value, boolean))
        elif name == "agency_id":
            out[name] = None if value is None else _agency_id(record, value)
        else:
            raise IctrError(f"{record}: {name!r} is not edited here")
    return out


def _place(session: Session, actor: Actor, record: str, agency_id: Any) -> None:
    require_write(actor, _agency(session, record, agency_id).unit_code, session=session)


def add_computer(engine: Engine, *, actor: Actor, values: Mapping[str, Any]) -> int | None:
    """A new computer: `values` has asset_tag, agency_id and any of kind, status, os,
    internet, notes."""
    raw_tag = values.get("asset_tag")
    tag = _required("new computer", "asset_tag", raw_tag, asset_tag, ASSET_TAG_MISSING)
    record = f"computer {tag!r}"
    fields = _computer_values(record, {k: v for k, v in values.items() if k != "asset_tag"})
    if fields.get("status") is ComputerStatus.retired:
        raise RecordError(record, "status", "retired", "a new computer cannot be retired")
    change = Change(actor=actor, command=f"add computer {tag}")
    with locked_session(engine, _COMPUTER_LOCK, change=change) as session:
        if "agency_id" not in fields or fields["agency_id"] is None:
            raise RecordError(record, "agency", None, "a new computer needs an agency")
        _place(session, actor, record, fields["agency_id"])
        if session.exec(select(Computer.id).where(Computer.asset_tag == tag)).first():
            raise RecordError(record, "asset_tag", tag, "another computer has this asset tag")
        session.add(Computer(asset_tag=tag, **fields))
        return _commit(session, True)


def edit_computer(
    engine: Engine,
    *,
    actor: Actor,
    tag: str,
    started_from: Mapping[str, Any],
    values: Mapping[str, Any],
) -> int | None:
    """Change a computer's kind, status, agency, OS, internet or notes. Retiring has its own
    function (it needs the day); a computer put back in service loses its retirement day."""
    record = f"computer {tag!r}"
    fields = _computer_values(record, values)
    change = Change(actor=actor, command=f"edit computer {tag}")
    with locked_session(engine, _COMPUTER_LOCK, change=change) as session:
        computer = _computer(session, tag)
        _place(session, actor, record, computer.agency_id)
        _check_unchanged(session, record, "computer", computer, started_from, COMPUTER_FIELDS)
        if "agency_id" in fields:
            _place(session, actor, record, fields["agency_id"])
        status = fields.get("status")
        if status is ComputerStatus.retired and computer.status is not ComputerStatus.retired:
            raise RecordError(record, "status", "retired", "retire it with the day it left service")
        if status is not None and status is not ComputerStatus.retired:
            fields["retired_on"] = None
        changed = _assign(computer, fields)
        return _commit(session, changed)


def retire_computer(
    engine: Engine,
    *,
    actor: Actor,
    tag: str,
    started_from: Mapping[str, Any],
    retired_on: Any,
) -> int | None:
    """Retire a computer (thanh lý) from a day, today or before."""
    record = f"computer {tag!r}"
    today = _local_today()
    day = _required(
        record,
        "retired_on",
        retired_on,
        lambda v: audit_date(v, today=today),
        "the day it left service is needed",
    )
    change = Change(actor=actor, command=f"retire computer {tag}")
    with locked_session(engine, _COMPUTER_LOCK, change=change) as session:
        computer = _computer(session, tag)
        _place(session, actor, record, computer.agency_id)
        _check_unchanged(session, record, "computer", computer, started_from, COMPUTER_FIELDS)
        if computer.status is ComputerStatus.retired:
            why = f"already retired ({computer.retired_on})"
            raise RecordError(record, "status", "retired", why)
        changed = _assign(computer, {"status": ComputerStatus.retired, "retired_on": day})
        return _commit(session, changed)


def _assign(row: Any, fields: Mapping[str, Any]) -> bool:
    changed = False
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


# --- agencies' head-counts -------------------------------------------------------------------


def current_agency(session: Session, agency_id: int) -> dict[str, Any]:
    return _snapshot(_agency(session, f"agency {agency_id}", agency_id), AGENCY_FIELDS)


def edit_agency_counts(
    engine: Engine,
    *,
    actor: Actor,
    agency_id: int,
    started_from: Mapping[str, Any],
    officials: Any,
    signing_officials: Any,
) -> int | None:
    """An agency's officials (CBCCVC) and those who sign documents; empty keeps the stored."""
    change = Change(actor=actor, command=f"edit agency {agency_id} head-counts")
    with locked_session(engine, _AGENCY_LOCK, change=change) as session:
        agency = _agency(session, f"agency {agency_id}", agency_id)
        record = f"agency {agency.name!r}"
        require_write(actor, agency.unit_code, session=session)
        _check_unchanged(session, record, "agency", agency, started_from, AGENCY_FIELDS)
        counts = {
            "officials": _read(record, "officials", officials, whole),
            "signing_officials": _read(record, "signing_officials", signing_officials, whole),
        }
        fields = {k: v for k, v in counts.items() if v is not None}
        total = fields.get("officials", agency.officials)
        signing = fields.get("signing_officials", agency.signing_officials)
        try:
            head_counts(total, signing)
        except BadValue as exc:
            raise RecordError(record, "signing_officials", signing, str(exc)) from None
        return _commit(session, _assign(agency, fields))


# --- connection points -----------------------------------------------------------------------


def current_point(session: Session, code: str) -> dict[str, Any]:
    return _snapshot(_point(session, code), POINT_EDITABLE)


def _point(session: Session, code: str) -> ConnectionPoint:
    found = session.exec(select(ConnectionPoint).where(ConnectionPoint.code == code)).first()
    if found is None:
        raise IctrError(f"connection point {code!r}: no point has this code")
    return found


def _point_values(
    session: Session, record: str, values: Mapping[str, Any], stored: ConnectionPoint | None
) -> dict[str, Any]:
    """A point's values as the importer reads a row: an empty optional value clears it, an
    empty required one (name, address) keeps the stored or is missing for a new point; the
    unit is the one given, else the agency's."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in POINT_FIELDS:
            parsed = _read(record, name, value, POINT_FIELDS[name])
            if parsed is not None:
                out[name] = parsed
            elif name in POINT_CLEARABLE:
                out[name] = POINT_CLEARABLE[name]
        elif name not in ("agency_id", "unit_code"):
            raise IctrError(f"{record}: {name!r} is not edited here")
    if "agency_id" in values:
        agency = values["agency_id"]
        out["agency_id"] = None if agency is None else _agency(session, record, agency).id
    unit = values.get("unit_code")
    if unit:
        if session.get(AdminUnit, unit) is None:
            raise RecordError(record, "unit", unit, "no administrative unit has this code")
        out["unit_code"] = unit
    elif out.get("agency_id") is not None:
        out["unit_code"] = _agency(session, record, out["agency_id"]).unit_code
    for name in ("name", "address", "unit_code"):
        if not out.get(name) and (stored is None or not getattr(stored, name)):
            column, reason = point_missing(name)
            raise RecordError(record, column, None, reason)
    return out


def add_point(engine: Engine, *, actor: Actor, values: Mapping[str, Any]) -> int | None:
    """A new connection point: `values` has code, name, address, and a unit or an agency."""
    code = _required("new point", "code", values.get("code"), point_code, POINT_CODE_MISSING)
    record = f"connection point {code!r}"
    change = Change(actor=actor, command=f"add point {code}")
    with locked_session(engine, _POINT_LOCK, change=change) as session:
        given = {k: v for k, v in values.items() if k != "code"}
        fields = _point_values(session, record, given, None)
        require_write(actor, fields["unit_code"], session=session)
        if session.exec(select(ConnectionPoint.id).where(ConnectionPoint.code == code)).first():
            raise RecordError(record, "code", code, "another point has this code")
        session.add(ConnectionPoint(code=code, **fields))
        return _commit(session, True)


def edit_point(
    engine: Engine,
    *,
    actor: Actor,
    code: str,
    started_from: Mapping[str, Any],
    values: Mapping[str, Any],
) -> int | None:
    """Change a point's fields (name, address, ports, place, agency, unit...)."""
    record = f"connection point {code!r}"
    change = Change(actor=actor, command=f"edit point {code}")
    with locked_session(engine, _POINT_LOCK, change=change) as session:
        point = _point(session, code)
        require_write(actor, point.unit_code, session=session)
        _check_unchanged(session, record, "connection_point", point, started_from, POINT_EDITABLE)
        fields = _point_values(session, record, values, point)
        if "unit_code" in fields:
            require_write(actor, fields["unit_code"], session=session)
        return _commit(session, _assign(point, fields))
