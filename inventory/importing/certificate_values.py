"""Cell parsers of certificate lists: serials, validity dates, kinds and statuses.

Like `values`, each takes one non-blank cell and returns the value or raises `BadValue`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from inventory.importing.values import (
    EARLIEST_YEAR,
    EXCEL_EPOCH,
    LATEST_YEAR,
    BadValue,
    text,
)
from inventory.models import CertificateKind, CertificateStatus
from inventory.text_keys import fold

# RFC 5280: a serial is at most 20 octets.
MAX_SERIAL_HEX = 40
_SEPARATORS = re.compile(r"[\s:.\-]+")
_HEX = re.compile(r"^[0-9A-F]+$")


def normal_serial(value: object) -> str:
    """A serial as stored: hexadecimal digits in upper case, without the spaces, colons or
    dashes lists group them with, nor leading zeros ("00 54:04 1a" is "54041A"), so that a
    list and the certificate's own file give the same text."""
    raw = _SEPARATORS.sub("", text(value)).upper()
    if raw.startswith("0X"):
        raw = raw[2:]
    if not raw or not _HEX.match(raw):
        raise BadValue("not a certificate serial (hexadecimal digits, e.g. 5404 00A1 9F3C)")
    raw = raw.lstrip("0") or "0"
    if len(raw) > MAX_SERIAL_HEX:
        raise BadValue(f"longer than {MAX_SERIAL_HEX} hexadecimal digits (20 bytes)")
    return raw


def serial_of_number(number: int) -> str:
    """The stored form of a serial read from a certificate or a CRL."""
    return f"{number:X}"


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def validity_date(value: object) -> date:
    """A start or expiry date: a date cell, an Excel serial number, dd/mm/yyyy text (also
    with '-' or '.') or yyyy-mm-dd. Expiry lies in the future, so no "not in the future"
    check, only a year between EARLIEST_YEAR and LATEST_YEAR."""
    if isinstance(value, datetime):
        return _checked(value.date())
    if isinstance(value, date):
        return _checked(value)
    if isinstance(value, bool):
        raise BadValue("not a date")
    if isinstance(value, int | float):
        return _from_serial(float(value))
    raw = str(value).strip()
    if match := _DMY.match(raw):
        day, month, year = (int(g) for g in match.groups())
        return _checked(_date(year, month, day))
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
        return _checked(_date(year, month, day))
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return _from_serial(float(raw))
    raise BadValue("not a date (expected dd/mm/yyyy)")


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue("no such date") from None


def _checked(day: date) -> date:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise BadValue(f"year {day.year} outside {EARLIEST_YEAR}..{LATEST_YEAR}")
    return day


def _from_serial(serial: float) -> date:
    if serial != serial or not 0 < serial < 2_958_466:  # NaN; past 9999-12-31
        raise BadValue("not a date")
    return _checked(EXCEL_EPOCH + timedelta(days=int(serial)))


def _vocabulary(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(alias): key for key, aliases in words.items() for alias in (key, *aliases)}


CERTIFICATE_KIND_WORDS: dict[str, tuple[str, ...]] = {
    CertificateKind.personal: ("cá nhân", "ca nhan", "cn", "individual", "person"),
    CertificateKind.organisation: ("tổ chức", "cơ quan", "tc", "organization", "org"),
}
_KINDS = _vocabulary(CERTIFICATE_KIND_WORDS)

CERTIFICATE_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    CertificateStatus.active: (
        "đang hoạt động",
        "hoạt động",
        "còn hiệu lực",
        "đang sử dụng",
        "hiệu lực",
        "valid",
    ),
    CertificateStatus.suspended: ("tạm dừng", "tạm ngừng", "tạm dừng hoạt động", "on hold"),
    CertificateStatus.revoked: ("đã thu hồi", "thu hồi", "bị thu hồi", "revoke"),
}
_STATUSES = _vocabulary(CERTIFICATE_STATUS_WORDS)


def certificate_kind(value: object) -> CertificateKind:
    found = _KINDS.get(fold(str(value)))
    if found is None:
        raise BadValue("unknown kind (cá nhân/personal, tổ chức/organisation)")
    return CertificateKind(found)


def certificate_status(value: object) -> CertificateStatus:
    found = _STATUSES.get(fold(str(value)))
    if found is None:
        raise BadValue("unknown status (đang hoạt động, tạm dừng, đã thu hồi)")
    return CertificateStatus(found)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: object) -> str:
    raw = text(value, max_length=200)
    if not _EMAIL.match(raw):
        raise BadValue("not an e-mail address")
    return raw
