"""Online public-service figures (dịch vụ công trực tuyến) per unit, agency and period.

Decree 42/2022's levels are stored as the 2020 scheme's: full online (toàn trình) as level 4,
partial online (một phần) as level 3.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.eras import UNIT_KEY_LENGTH

# The figures a period's report gives for an agency, in the order files and exports use.
SERVICE_COUNTS = (
    "procedures",
    "procedures_level3",
    "procedures_level4",
    "procedures_cut_30",
    "dossiers_received",
    "dossiers_online",
    "dossiers_on_time",
)


class ServiceFigureBase(SQLModel):
    unit_code: str = Field(foreign_key="admin_unit.code", max_length=UNIT_KEY_LENGTH, index=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    period: str = Field(min_length=4, max_length=10, description="2020, 2026Q4 or 2026-11")
    procedures: int = Field(ge=0, description="Administrative procedures offered")
    procedures_level3: int = Field(default=0, ge=0, description="Offered online at level 3")
    procedures_level4: int = Field(default=0, ge=0, description="Offered online at level 4")
    procedures_cut_30: int = Field(
        default=0, ge=0, description="Procedures whose time was cut by more than 30 %"
    )
    dossiers_received: int = Field(default=0, ge=0)
    dossiers_online: int = Field(default=0, ge=0, description="Received online")
    dossiers_on_time: int = Field(default=0, ge=0, description="Resolved early or on time")


class ServiceFigure(ServiceFigureBase, table=True):
    __tablename__ = "service_figure"
    __table_args__ = (
        UniqueConstraint("unit_code", "agency_id", "period", name="uq_service_figure"),
        CheckConstraint(
            "procedures >= 0 AND procedures_level3 >= 0 AND procedures_level4 >= 0"
            " AND dossiers_received >= 0 AND dossiers_online >= 0 AND dossiers_on_time >= 0",
            name="nonnegative",
        ),
        CheckConstraint("procedures_level3 + procedures_level4 <= procedures", name="levels"),
        CheckConstraint(
            "procedures_cut_30 >= 0 AND procedures_cut_30 <= procedures", name="cut_30"
        ),
        CheckConstraint(
            "dossiers_online <= dossiers_received AND dossiers_on_time <= dossiers_received",
            name="dossiers",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
