"""Export certificates to CSV or XLSX in the columns `ictr import certificates` reads, so a
file exported and imported again changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inventory.export import export_format, export_headers, write_table
from inventory.importing.columns import CERTIFICATE_COLUMNS
from inventory.models import Agency, Certificate, CertificateKind, CertificateStatus

EXPORT_COLUMNS = (
    "serial",
    "holder",
    "title",
    "kind",
    "agency_code",
    "agency",
    "issued_on",
    "expires_on",
    "status",
    "revoked_on",
    "email",
    "token",
)
DATE_COLUMNS = ("issued_on", "expires_on", "revoked_on")
KIND_WORDS = {CertificateKind.personal: "Cá nhân", CertificateKind.organisation: "Tổ chức"}
STATUS_WORDS = {
    CertificateStatus.active: "Đang hoạt động",
    CertificateStatus.suspended: "Tạm dừng",
    CertificateStatus.revoked: "Đã thu hồi",
}


def headers(language: str = "vi") -> list[str]:
    return export_headers(CERTIFICATE_COLUMNS, EXPORT_COLUMNS, language)


def _cells(certificate: Certificate, agency: Agency, *, for_xlsx: bool) -> list[Any]:
    def day(value: date | None) -> Any:
        if value is None or for_xlsx:
            return value
        return value.strftime("%d/%m/%Y")

    values = {
        "serial": certificate.serial,
        "holder": certificate.holder,
        "title": certificate.title,
        "kind": KIND_WORDS[CertificateKind(certificate.kind)],
        "agency_code": agency.code,
        "agency": agency.name,
        "issued_on": day(certificate.issued_on),
        "expires_on": day(certificate.expires_on),
        "status": STATUS_WORDS[CertificateStatus(certificate.status)],
        "revoked_on": day(certificate.revoked_on),
        "email": certificate.email,
        "token": certificate.token,
    }
    return [values[n] for n in EXPORT_COLUMNS]


def export_certificates(
    session: Session, path: Path, *, fmt: str | None = None, language: str = "vi"
) -> int:
    """Write every certificate to `path` (by serial); returns how many."""
    fmt = export_format(path, fmt)
    query = (
        select(Certificate, Agency)
        .join(Agency, col(Agency.id) == col(Certificate.agency_id))
        .order_by(col(Certificate.serial))
    )
    rows = [_cells(c, a, for_xlsx=fmt == "xlsx") for c, a in session.exec(query).all()]
    write_table(
        path,
        fmt,
        headers(language),
        rows,
        title="Chứng thư số",
        columns=EXPORT_COLUMNS,
        date_columns=DATE_COLUMNS,
    )
    return len(rows)
