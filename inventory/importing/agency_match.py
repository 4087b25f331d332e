"""Find an agency by its code or by its name (case, diacritics and spacing ignored)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from inventory.importing.values import BadValue, text
from inventory.models import Agency, AgencyKind
from inventory.text_keys import compact, fold


@dataclass(frozen=True)
class AgencyRef:
    id: int
    code: str | None
    name: str
    unit_code: str


class AgencyMatcher:
    def __init__(self, agencies: list[AgencyRef]) -> None:
        self.by_id = {a.id: a for a in agencies}
        self.by_code = {compact(a.code): a for a in agencies if a.code}
        self.by_name: dict[str, list[AgencyRef]] = {}
        for a in agencies:
            self.by_name.setdefault(fold(a.name), []).append(a)

    @classmethod
    def load(cls, session: Session) -> AgencyMatcher:
        rows = session.exec(select(Agency.id, Agency.code, Agency.name, Agency.unit_code)).all()
        return cls([AgencyRef(i, c, n, u) for i, c, n, u in rows if i is not None])

    def by_code_only(self, value: object) -> AgencyRef:
        found = self.by_code.get(compact(text(value)))
        if found is None:
            raise BadValue("no agency with this code")
        return found

    def find(self, value: object, *, unit_code: str | None = None) -> AgencyRef | None:
        """The agency a cell names (code first, then name); None when there is none.

        A name held by agencies in several units needs `unit_code` (or the code) to choose.
        """
        raw = text(value)
        found = self.by_code.get(compact(raw))
        if found is not None:
            return found
        candidates = self.by_name.get(fold(raw), [])
        if unit_code and len(candidates) > 1:
            candidates = [a for a in candidates if a.unit_code == unit_code]
        if len(candidates) > 1:
            codes = ", ".join(sorted(a.code or f"id {a.id}" for a in candidates))
            raise BadValue(f"several agencies have this name ({codes}): give the agency code")
        return candidates[0] if candidates else None


_KIND_PREFIXES: tuple[tuple[AgencyKind, tuple[str, ...]], ...] = (
    (
        AgencyKind.commune_committee,
        ("ubnd xa", "ubnd phuong", "ubnd thi tran", "uy ban nhan dan xa", "uy ban nhan dan phuong"),
    ),
    (
        AgencyKind.district_committee,
        ("ubnd huyen", "ubnd thanh pho", "ubnd thi xa", "ubnd quan", "uy ban nhan dan huyen"),
    ),
    (
        AgencyKind.provincial,
        ("so ", "ban ", "van phong ubnd tinh", "van phong tinh uy", "thanh tra tinh"),
    ),
)


def guess_agency_kind(name: str) -> AgencyKind:
    """The kind a name suggests ("UBND xã ..." is a commune committee); otherwise other."""
    key = fold(name) + " "
    for kind, prefixes in _KIND_PREFIXES:
        if key.startswith(prefixes):
            return kind
    return AgencyKind.other
