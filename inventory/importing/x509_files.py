"""Read certificate files (X.509 PEM or DER, PKCS#7 bundles), a folder or a .zip of them, and
certificate revocation lists, with the `cryptography` library.

The certificates become a `Table` in the certificate importer's own columns (one row per
certificate, its file named in the "file" column), so files and lists are validated, matched
and written by the same code. A file that holds no certificate refuses the whole import.

A .zip is hostile input like any file: its members are read in memory (nothing is
extracted), their number and uncompressed size are capped, and a member name that climbs out
of the archive ("../x.cer", "/etc/x.cer") refuses it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path, PurePosixPath

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from inventory.errors import IctrError
from inventory.importing.certificate_values import serial_of_number
from inventory.importing.readers import Cell, Table

CERTIFICATE_SUFFIXES = (".cer", ".crt", ".pem", ".der", ".p7b", ".p7c")
MAX_FILES = 20_000  # members of a zip or files in a folder
MAX_FILE_BYTES = 1_000_000  # one certificate file; real ones are a few kilobytes
MAX_TOTAL_BYTES = 200_000_000  # a zip's members or a folder's files, together

HEADER = [
    "file",
    "serial",
    "holder",
    "title",
    "email",
    "agency",
    "organisation",
    "issued_on",
    "expires_on",
]


def is_certificate_source(path: Path) -> bool:
    """True for a folder, a .zip or a certificate file (as opposed to a list)."""
    return path.is_dir() or path.suffix.lower() in (*CERTIFICATE_SUFFIXES, ".zip")


def read_certificate_files(path: Path) -> Table:
    """Every end-entity certificate in `path`; CA certificates that bundles carry along with
    them are left out (and counted in the table's notes)."""
    if not path.exists():
        raise IctrError(f"file not found: {path}")
    rows: list[list[Cell]] = [list(HEADER)]
    skipped_ca = 0
    others: list[str] = []
    for name, data in _members(path):
        if PurePosixPath(name).suffix.lower() not in CERTIFICATE_SUFFIXES:
            others.append(name)
            continue
        for certificate in _certificates(name, data):
            if _is_ca(certificate):
                skipped_ca += 1
                continue
            try:
                rows.append(_row(name, certificate))
            except ValueError as exc:  # fields are parsed lazily: a bad subject shows here
                raise IctrError(
                    f"{name}: a damaged certificate ({exc}); nothing was imported"
                ) from None

    notes = []
    if skipped_ca:
        notes.append(f"left out {skipped_ca} CA certificates (issuers, not officials)")
    if others:
        listed = ", ".join(repr(n) for n in others[:10])
        more = f" and {len(others) - 10} more" if len(others) > 10 else ""
        notes.append(f"not certificate files, not read: {listed}{more}")
    if len(rows) == 1:
        raise IctrError(f"{path.name}: no certificate found (files {', '.join(_SHOWN)})")
    return Table(path.name, rows, list(range(1, len(rows) + 1)), notes=notes)


_SHOWN = CERTIFICATE_SUFFIXES + (".zip",)


def _members(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each file: the file itself, a folder's files, or a zip's members."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        if len(files) > MAX_FILES:
            raise IctrError(f"{path.name}: {len(files):,} files, more than {MAX_FILES:,}")
        total = 0
        for file in files:
            size = file.stat().st_size
            total += size
            name = file.relative_to(path).as_posix()
            _check_size(path, name, size, total)
            yield name, file.read_bytes()
    elif path.suffix.lower() == ".zip":
        yield from _zip_members(path)
    else:
        size = path.stat().st_size
        _check_size(path.parent, path.name, size, size)
        yield path.name, path.read_bytes()


def _check_size(where: Path, name: str, size: int, total: int) -> None:
    if size > MAX_FILE_BYTES:
        raise IctrError(
            f"{where.name}: {name} holds {size:,} bytes, more than a certificate file "
            f"({MAX_FILE_BYTES:,}); refused"
        )
    if total > MAX_TOTAL_BYTES:
        raise IctrError(f"{where.name}: more than {MAX_TOTAL_BYTES:,} bytes of files; refused")


def _zip_members(path: Path) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise IctrError(f"{path.name}: not a readable .zip file ({exc})") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_FILES:
            raise IctrError(f"{path.name}: {len(members):,} members, more than {MAX_FILES:,}")
        for member in members:  # every name checked before anything is read
            name = member.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise IctrError(f"{path.name}: member {name!r} points outside the archive; refused")
        total = 0
        for member in members:
            _check_size(path, member.filename, member.file_size, total + member.file_size)
            try:
                with archive.open(member) as handle:
                    # The declared size may lie: never read more than the cap.
                    data = handle.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
                raise IctrError(
                    f"{path.name}: member {member.filename!r} cannot be read ({exc})"
                ) from None
            total += len(data)
            _check_size(path, member.filename, len(data), total)
            yield member.filename, data


def _certificates(name: str, data: bytes) -> list[x509.Certificate]:
    """The certificates in one file, whatever its encoding; none is an error."""
    pem = b"-----BEGIN" in data
    attempts = (
        (x509.load_pem_x509_certificates, pkcs7.load_pem_pkcs7_certificates)
        if pem
        else (_one_der, pkcs7.load_der_pkcs7_certificates)
    )
    for load in attempts:
        try:
            found = list(load(data))
        except Exception:  # noqa: BLE001 - whatever a damaged file makes the parser raise
            continue
        if found:
            return found
    raise IctrError(
        f"{name}: not a certificate (neither an X.509 certificate in PEM or DER nor a "
        "PKCS#7 bundle); nothing was imported"
    )


def _one_der(data: bytes) -> list[x509.Certificate]:
    return [x509.load_der_x509_certificate(data)]


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        found = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except (x509.ExtensionNotFound, ValueError):
        return False
    return found.value.ca


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = [str(a.value).strip() for a in name.get_attributes_for_oid(oid)]
    values = [v for v in values if v]
    return values[-1] if values else None  # the most specific when repeated


def _row(name: str, certificate: x509.Certificate) -> list[Cell]:
    subject = certificate.subject
    return [
        name,
        serial_of_number(certificate.serial_number),
        _attribute(subject, NameOID.COMMON_NAME),
        _attribute(subject, NameOID.TITLE),
        _attribute(subject, NameOID.EMAIL_ADDRESS),
        _attribute(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        _attribute(subject, NameOID.ORGANIZATION_NAME),
        certificate.not_valid_before_utc.date(),
        certificate.not_valid_after_utc.date(),
    ]


def read_crl(path: Path) -> dict[str, date]:
    """Serial -> revocation date (UTC) of every entry of a CRL in PEM or DER."""
    if not path.is_file():
        raise IctrError(f"--crl: file not found: {path}")
    data = path.read_bytes()
    if len(data) > 50 * MAX_FILE_BYTES:
        raise IctrError(f"--crl {path.name}: {len(data):,} bytes, too large for a CRL")
    load = x509.load_pem_x509_crl if b"-----BEGIN" in data else x509.load_der_x509_crl
    try:
        crl = load(data)
        return {
            serial_of_number(entry.serial_number): entry.revocation_date_utc.date() for entry in crl
        }
    except (ValueError, TypeError) as exc:
        raise IctrError(f"--crl {path.name}: not a certificate revocation list ({exc})") from None
