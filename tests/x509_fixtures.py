"""Certificates made in the test with `cryptography`: a test CA and the officials' certificates
it signs (Vietnamese UTF-8 subjects), written as PEM, DER, PKCS#7 bundles and CRLs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

# One key for every certificate: generating keys is the slow part, and nothing here checks it.
_KEY = ec.generate_private_key(ec.SECP256R1())


def _at(day: date) -> datetime:
    return datetime.combine(day, time(3, 0), tzinfo=UTC)


@dataclass
class MadeCA:
    certificate: x509.Certificate

    @classmethod
    def make(cls) -> MadeCA:
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ban Cơ yếu Chính phủ (thử)"),
                x509.NameAttribute(NameOID.COMMON_NAME, "CA phục vụ các cơ quan Nhà nước (thử)"),
            ]
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(_KEY.public_key())
            .serial_number(0x1000)
            .not_valid_before(_at(date(2015, 1, 1)))
            .not_valid_after(_at(date(2040, 1, 1)))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(_KEY, hashes.SHA256())
        )
        return cls(certificate)

    def issue(
        self,
        *,
        serial: int,
        holder: str,
        agency: str,
        organisation: str = "UBND tỉnh Hà Giang",
        title: str | None = None,
        email: str | None = None,
        start: date = date(2024, 1, 1),
        end: date = date(2029, 1, 1),
    ) -> x509.Certificate:
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, agency),
            x509.NameAttribute(NameOID.COMMON_NAME, holder),
        ]
        if title:
            attributes.append(x509.NameAttribute(NameOID.TITLE, title))
        if email:
            attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attributes))
            .issuer_name(self.certificate.subject)
            .public_key(_KEY.public_key())
            .serial_number(serial)
            .not_valid_before(_at(start))
            .not_valid_after(_at(end))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(_KEY, hashes.SHA256())
        )

    def crl(self, revoked: dict[int, date]) -> x509.CertificateRevocationList:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(_at(date(2026, 5, 1)))
            .next_update(_at(date(2026, 6, 1)))
        )
        for serial, day in revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(_at(day))
                .build()
            )
        return builder.sign(_KEY, hashes.SHA256())


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def p7b(certificates: list[x509.Certificate], *, as_pem: bool = False) -> bytes:
    encoding = serialization.Encoding.PEM if as_pem else serialization.Encoding.DER
    return pkcs7.serialize_certificates(certificates, encoding)


def crl_bytes(crl: x509.CertificateRevocationList, *, as_pem: bool = True) -> bytes:
    encoding = serialization.Encoding.PEM if as_pem else serialization.Encoding.DER
    return crl.public_bytes(encoding)
