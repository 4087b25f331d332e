"""What a website's certificate is worth, read even when verification failed: whether it
names the host, whether it chains to a trusted root, whether it signs itself, when it
expires, and the problem in words ("certificate expired 2 days ago").
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtensionOID

from inventory.models import cert_days_left

# OpenSSL reports the first problem it meets: it builds the chain to a trusted root first,
# then checks the host name, then the validity period. These codes therefore mean the
# chain was built to a trusted root.
_CHAIN_BUILT = {
    9,  # X509_V_ERR_CERT_NOT_YET_VALID
    10,  # X509_V_ERR_CERT_HAS_EXPIRED
    62,  # X509_V_ERR_HOSTNAME_MISMATCH
    64,  # X509_V_ERR_IP_ADDRESS_MISMATCH
}


@dataclass(frozen=True)
class CertificateVerdict:
    valid_name: bool
    trusted: bool
    self_signed: bool
    not_after: datetime
    problems: tuple[str, ...]


def _names(
    cert: x509.Certificate,
) -> tuple[list[str], list[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return [], []
    assert isinstance(san, x509.SubjectAlternativeName)
    ips = [
        ip
        for ip in san.get_values_for_type(x509.IPAddress)
        if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address)
    ]
    return san.get_values_for_type(x509.DNSName), ips


def _dns_match(pattern: str, host: str) -> bool:
    """RFC 6125: a wildcard stands for exactly the left-most label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host


def names_host(cert: x509.Certificate, host: str) -> bool:
    """Whether the certificate's subject alternative names cover `host` (as browsers and
    Python check: the subject's common name is not looked at)."""
    dns, ips = _names(cert)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return any(_dns_match(pattern, host) for pattern in dns)
    return ip in ips


def is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):  # unsupported key type, bad signature
        return False
    return True


def _expiry_problem(not_after: datetime, at: datetime) -> str | None:
    if not_after >= at:
        return None
    days = -cert_days_left(not_after, at)
    if days == 0:
        return "certificate expired less than a day ago"
    return f"certificate expired {days} day{'s' if days > 1 else ''} ago"


def judge(
    der: bytes, *, host: str, at: datetime, failure: ssl.SSLCertVerificationError | None
) -> CertificateVerdict:
    """The verdict on the leaf certificate `der` served for `host`; `failure` is what
    verification against the trust store raised, None when it passed."""
    cert = x509.load_der_x509_certificate(der)
    not_after = cert.not_valid_after_utc
    self_signed = is_self_signed(cert)
    if failure is None:
        return CertificateVerdict(True, True, self_signed, not_after, ())
    code = getattr(failure, "verify_code", None)
    trusted = code in _CHAIN_BUILT
    valid_name = names_host(cert, host)
    problems: list[str] = []
    if self_signed and not trusted:
        problems.append("self-signed certificate")
    elif not trusted:
        reason = getattr(failure, "verify_message", "") or str(failure)
        problems.append(f"certificate not trusted ({reason})")
    if not valid_name:
        dns, ips = _names(cert)
        shown = ", ".join([*dns, *map(str, ips)][:5]) or "none"
        problems.append(f"wrong host name: certificate not valid for {host} (names: {shown})")
    expired = _expiry_problem(not_after, at)
    if expired:
        problems.append(expired)
    elif cert.not_valid_before_utc > at:
        problems.append("certificate not yet valid")
    if not problems:  # a failure none of the above explains (e.g. a bad key usage)
        reason = getattr(failure, "verify_message", "") or str(failure)
        problems.append(f"certificate refused ({reason})")
    return CertificateVerdict(valid_name, trusted, self_signed, not_after, tuple(problems))
