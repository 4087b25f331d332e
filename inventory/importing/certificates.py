"""Import digital certificates, matched by their normalised serial, from the province's lists
(XLSX/CSV) or from the certificate files themselves (see `x509_files`).

A column present in the file is the truth for every row: an empty cell clears an optional
value (title, e-mail, token, revocation date). Holder, kind, status, agency and validity keep
what is stored when their cell is empty, so a certificate file read after a list (or a list
after the files) completes the same certificate instead of making a second one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from inventory.errors import IctrError
from inventory.importing.agency_columns import RowAgencies
from inventory.importing.agency_match import AgencyMatcher
from inventory.importing.certificate_values import (
    certificate_kind,
    certificate_status,
    email,
    normal_serial,
    validity_date,
)
from inventory.importing.fields import INVALID, Fields, is_blank
from inventory.importing.header import Located
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport
from inventory.importing.unit_match import UnitMatcher, row_units
from inventory.importing.values import BadValue, text
from inventory.importing.x509_files import read_crl
from inventory.models import Certificate, CertificateKind, CertificateStatus
from inventory.upsert import upsert_by_key

_STORED = (
    "serial",
    "holder",
    "title",
    "kind",
    "status",
    "agency_id",
    "issued_on",
    "expires_on",
    "revoked_on",
    "email",
    "token",
)
_CLEARABLE = ("title", "email", "token", "revoked_on")
_DEFAULTS: dict[str, Any] = dict(
    holder=None,
    title=None,
    kind=CertificateKind.personal,
    status=CertificateStatus.active,
    agency_id=None,
    issued_on=None,
    expires_on=None,
    revoked_on=None,
    email=None,
    token=None,
)


def import_certificates(
    *,
    session: Session,
    fields: Fields,
    located: Located,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    from_files = fields.has("file")
    revocations = read_crl(options.crl) if options.crl else {}
    serials = fields.parse("serial", normal_serial)
    values = {
        "holder": fields.parse("holder", partial(text, max_length=200)),
        "title": fields.parse("title", partial(text, max_length=200)),
        "kind": fields.parse("kind", certificate_kind),
        "status": fields.parse("status", certificate_status),
        "issued_on": fields.parse("issued_on", validity_date),
        "expires_on": fields.parse("expires_on", validity_date),
        "revoked_on": fields.parse("revoked_on", validity_date),
        "email": fields.parse("email", email),
        "token": fields.parse("token", partial(text, max_length=100)),
    }
    resolve = _file_agencies if from_files else _list_agencies
    agency_ids = resolve(session, fields, options)
    stored = _stored(session, [s for s in serials if isinstance(s, str)] + list(revocations))

    rows: dict[str, dict[str, Any]] = {}
    firsts: dict[str, dict[str, Any]] = {}  # each serial's first row, as read
    seen: dict[str, int] = {}
    for i, serial in enumerate(serials):
        if serial is None:
            fields.fail(i, "serial", None, "serial is missing")
            continue
        if serial is INVALID or i in fields.bad:
            continue
        row = dict(stored.get(serial) or dict(_DEFAULTS, serial=serial))
        for name, parsed in values.items():
            if parsed[i] is not None:
                row[name] = parsed[i]
            elif fields.has(name) and name in _CLEARABLE:
                row[name] = None
        if agency_ids[i] is not None:
            row["agency_id"] = agency_ids[i]
        if serial in seen:
            if from_files and row == firsts[serial]:
                continue  # the same certificate twice (a .cer and a .p7b holding it, say)
            fields.fail(i, "serial", serial, f"serial repeated (first on row {seen[serial]})")
            continue
        seen[serial] = fields.numbers[i]
        firsts[serial] = dict(row)
        if _checked(fields, i, row, values["status"][i], revocations.get(serial)):
            rows[serial] = row
    unknown = 0
    for serial, day in revocations.items():  # revoked certificates this file does not hold
        if serial in rows or serial in seen:
            continue
        if serial not in stored:
            unknown += 1
            continue
        rows[serial] = dict(stored[serial], revoked_on=day, status=CertificateStatus.revoked)
    if options.crl:
        report.warnings.append(
            f"revocation list {options.crl.name}: {len(revocations)} revoked serials"
            + (f", {unknown} of them not in the inventory" if unknown else "")
        )
    if from_files:
        _name_files(fields, report)
    if report.errors:
        return
    report.counts = upsert_by_key(session, Certificate, "serial", list(rows.values()))


def _checked(
    fields: Fields, i: int, row: dict[str, Any], status: Any, crl_day: date | None
) -> bool:
    """Complete and check one certificate: a new one needs holder, agency and validity."""
    missing = [n for n in ("holder", "agency_id", "issued_on", "expires_on") if row[n] is None]
    for name in missing:
        column = "agency" if name == "agency_id" else name
        fields.fail(i, column, None, f"a new certificate needs {_NEEDS[name]}")
    if missing:
        return False
    if crl_day is not None:
        row["revoked_on"] = crl_day
    if row["revoked_on"] is not None:
        if status == CertificateStatus.active:
            fields.fail(i, "status", status, f"active, yet revoked on {_dmy(row['revoked_on'])}")
            return False
        row["status"] = CertificateStatus.revoked
    if row["expires_on"] < row["issued_on"]:
        fields.fail(
            i,
            "expires_on",
            _dmy(row["expires_on"]),
            f"expires before it takes effect ({_dmy(row['issued_on'])})",
        )
        return False
    if row["revoked_on"] is not None and row["revoked_on"] < row["issued_on"]:
        fields.fail(
            i,
            "revoked_on",
            _dmy(row["revoked_on"]),
            f"revoked before it takes effect ({_dmy(row['issued_on'])})",
        )
        return False
    return True


_NEEDS = {
    "holder": "a holder (Họ và tên)",
    "agency_id": "an agency (Cơ quan/đơn vị, or --agency)",
    "issued_on": "a start date (Ngày hiệu lực)",
    "expires_on": "an expiry date (Ngày hết hạn)",
}


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _stored(session: Session, serials: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    columns = [getattr(Certificate, n) for n in _STORED]
    unique = sorted(set(serials))
    for start in range(0, len(unique), 900):  # SQLite's bound-parameter limit
        chunk = unique[start : start + 900]
        for found in session.execute(
            select(*columns).where(col(Certificate.serial).in_(chunk))
        ).all():
            out[found[0]] = dict(zip(_STORED, found, strict=True))
    return out


def _list_agencies(session: Session, fields: Fields, options: ImportOptions) -> list[Any]:
    """A list's rows name their agency by code or name; --agency fills the blank ones."""
    if options.create_agencies:
        raise IctrError("--create-agencies does not apply to certificates: import agencies first")
    units = UnitMatcher.load(session, options)
    return RowAgencies(session, options, units).resolve(fields, row_units(fields, units))


def _file_agencies(session: Session, fields: Fields, options: ImportOptions) -> list[Any]:
    """A certificate names its agency in OU, else in O; --agency gives every file's agency
    (a folder of one agency's certificates, whatever their subjects say)."""
    matcher = AgencyMatcher.load(session)
    if options.agency:
        try:
            default = matcher.find(options.agency)
        except BadValue as exc:
            raise IctrError(f"--agency {options.agency!r}: {exc}") from None
        if default is None:
            raise IctrError(f"--agency {options.agency!r}: no agency with this code or name")
        return [default.id] * len(fields)
    out: list[Any] = []
    for i, (unit, organisation) in enumerate(
        zip(fields.raw("agency"), fields.raw("organisation"), strict=True)
    ):
        names = [v for v in (unit, organisation) if not is_blank(v)]
        found = None
        try:
            for name in names:
                found = matcher.find(name)
                if found is not None:
                    break
        except BadValue as exc:
            fields.fail(i, "agency", unit, str(exc))
            out.append(INVALID)
            continue
        if found is None:
            shown = " / ".join(str(n) for n in names) or "(none)"
            fields.fail(
                i,
                "agency",
                shown,
                "no agency with this name in OU or O: import agencies first, or give --agency",
            )
            out.append(INVALID)
            continue
        out.append(found.id)
    return out


def _name_files(fields: Fields, report: ImportReport) -> None:
    """Errors about rows read from certificate files also name the file."""
    files = dict(zip(fields.numbers, fields.raw("file"), strict=True))
    report.errors = [
        replace(e, reason=f"{e.reason} (file {files[e.row]})") if e.row in files else e
        for e in report.errors
    ]
