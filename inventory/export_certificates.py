"""Export certificates to CSV or XLSX in the columns `ictr import certificates` reads, so a
file exported and imported again changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inventory.errors import IctrError
from inventory.export import FORMATS, write_csv, write_xlsx
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
    if language not in ("vi", "en"):
        raise IctrError(f"unknown header language {language!r}: choose vi or en")
    labels = {c.name: c.label for c in CERTIFICATE_COLUMNS}
    return [labels[n] if language == "vi" else n for n in EXPORT_COLUMNS]


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
    fmt = fmt or (path.suffix.lower().lstrip(".") if path.suffix else "csv")
    if fmt not in FORMATS:
        raise IctrError(f"unknown export format {fmt!r}: choose csv or xlsx")
    query = (
        select(Certificate, Agency)
        .join(Agency, col(Agency.id) == col(Certificate.agency_id))
        .order_by(col(Certificate.serial))
    )
    rows = [_cells(c, a, for_xlsx=fmt == "xlsx") for c, a in session.exec(query).all()]
    try:
        if fmt == "xlsx":
            write_xlsx(
                path,
                headers(language),
                rows,
                "Chứng thư số",
                date_columns=DATE_COLUMNS,
                columns=EXPORT_COLUMNS,
            )
        else:
            write_csv(path, headers(language), rows)
    except OSError as exc:
        raise IctrError(f"cannot write {path}: {exc.strerror or exc}") from None
    return len(rows)
