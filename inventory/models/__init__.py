"""The inventory schema. Importing this package registers every table on SQLModel.metadata."""

from sqlmodel import SQLModel

# Named constraints let Alembic alter them later (SQLite batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# ruff: noqa: E402

from inventory.models.agencies import Agency, AgencyBase, AgencyKind, AgencySuccession
from inventory.models.audit import ChangeRow, ChangeSet
from inventory.models.certificates import (
    Certificate,
    CertificateBase,
    CertificateKind,
    CertificateStatus,
)
from inventory.models.computers import Computer, ComputerBase, ComputerKind, ComputerStatus
from inventory.models.network import (
    ConnectionPoint,
    ConnectionPointBase,
    Incident,
    ProbeMethod,
    ProbeResult,
)
from inventory.models.rollups import ProbeDaily, ProbeHourly, ProbeRollupBase
from inventory.models.services import ServiceFigure, ServiceFigureBase
from inventory.models.sign_in import SignInFailure
from inventory.models.snapshots import IndicatorSnapshot, Meta
from inventory.models.units import AdminUnit, UnitBoundary, UnitCorrespondence, UnitLevel
from inventory.models.users import User, UserBase
from inventory.models.websites import (
    Website,
    WebsiteBase,
    WebsiteCheck,
    WebsiteIncident,
    WebsiteKind,
    cert_days_left,
    certificate_valid,
)

__all__ = [
    "AdminUnit",
    "Agency",
    "AgencyBase",
    "AgencyKind",
    "AgencySuccession",
    "Certificate",
    "CertificateBase",
    "CertificateKind",
    "CertificateStatus",
    "ChangeRow",
    "ChangeSet",
    "Computer",
    "ComputerBase",
    "ComputerKind",
    "ComputerStatus",
    "ConnectionPoint",
    "ConnectionPointBase",
    "Incident",
    "IndicatorSnapshot",
    "Meta",
    "ProbeDaily",
    "ProbeHourly",
    "ProbeMethod",
    "ProbeResult",
    "ProbeRollupBase",
    "ServiceFigure",
    "ServiceFigureBase",
    "SignInFailure",
    "UnitBoundary",
    "UnitCorrespondence",
    "UnitLevel",
    "Website",
    "WebsiteBase",
    "WebsiteCheck",
    "WebsiteIncident",
    "WebsiteKind",
    "cert_days_left",
    "certificate_valid",
    "User",
    "UserBase",
]
