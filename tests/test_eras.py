"""Two administrative eras on real `vietnamadminunits` data: keys, the province's family,
the 2020 -> 2025 correspondence and the structure at a date. No mocks.

Facts used (vietnamadminunits 1.0.4): Hà Giang (02) had 11 districts and 193 communes in
2020; since 1 July 2025 it is part of Tuyên Quang (08@2025), 124 communes, 73 of them on
former Hà Giang land. GSO code 00691 was Phường Trần Phú (district 024) in 2020 and is
Phường Hà Giang 2 in 2025. Phường Quang Trung (00688) was divided between Hà Giang 2 (its
default) and Hà Giang 1 (00694).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.admin_units import load_units
from inventory.db import get_engine, session_scope
from inventory.eras import (
    ERA_2020,
    ERA_2025,
    era_at,
    era_of_year,
    split_unit_key,
    unit_key,
)
from inventory.errors import IctrError
from inventory.models import (
    AdminUnit,
    Agency,
    AgencyKind,
    AgencySuccession,
    Computer,
    UnitCorrespondence,
    UnitLevel,
)
from inventory.structure_at import StructureAt

runner = CliRunner()
DIVIDED_IN_HA_GIANG = {
    # 2020 commune: (default 2025 commune, the other parts)
    "00688": ("00691@2025", {"00694@2025"}),  # Phường Quang Trung
    "00967": ("00967@2025", {"00913@2025"}),  # Xã Việt Lâm
    "00988": ("00700@2025", {"00994@2025"}),  # Xã Yên Định
}


@pytest.fixture
def ha_giang(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_units(session, province_code="02")
    return engine


def test_eras_and_their_dates() -> None:
    assert era_at(date(2020, 12, 31)) is ERA_2020
    assert era_at(date(2025, 6, 30)) is ERA_2020
    assert era_at(date(2025, 7, 1)) is ERA_2025
    assert era_of_year(2025) is ERA_2025
    assert ERA_2020.levels == ("province", "district", "commune")
    assert ERA_2025.levels == ("province", "commune")
    with pytest.raises(IctrError, match="use 2020 or 2025"):
        era_of_year(2021)


@pytest.mark.parametrize(
    ("era", "gso", "key"),
    [(ERA_2020, "02", "02"), (ERA_2020, "024", "024"), (ERA_2025, "00691", "00691@2025")],
)
def test_unit_keys_round_trip(era, gso: str, key: str) -> None:
    assert unit_key(era, gso) == key
    assert split_unit_key(key) == (era, gso)


@pytest.mark.parametrize("bad", ["024@2025", "00691@2020", "0069", "ab@2025", "00691@"])
def test_malformed_unit_keys_are_refused(bad: str) -> None:
    with pytest.raises(IctrError):
        split_unit_key(bad)


def test_a_colliding_code_names_two_units_one_per_era(ha_giang: Engine) -> None:
    with Session(ha_giang) as session:
        old = session.get(AdminUnit, "00691")
        new = session.get(AdminUnit, "00691@2025")
        assert old is not None and new is not None
        assert (old.era, old.gso_code, old.name, old.parent_code, old.valid_to) == (
            2020,
            "00691",
            "Phường Trần Phú",
            "024",
            date(2025, 6, 30),
        )
        assert (new.era, new.gso_code, new.name, new.parent_code, new.valid_from) == (
            2025,
            "00691",
            "Phường Hà Giang 2",
            "08@2025",
            date(2025, 7, 1),
        )
        # Across the whole family, every shared GSO code stays two units of two eras.
        units = session.exec(select(AdminUnit)).all()
        by_gso: dict[str, list[AdminUnit]] = {}
        for unit in units:
            by_gso.setdefault(unit.gso_code, []).append(unit)
        shared = {gso: us for gso, us in by_gso.items() if len(us) > 1}
        assert all(sorted(u.era for u in us) == [2020, 2025] for us in shared.values())
        assert all(u.code == unit_key(era_of_year(u.era), u.gso_code) for u in units)
        renamed = [gso for gso, us in shared.items() if us[0].name != us[1].name]
        assert "00691" in renamed and len(renamed) >= 10


def test_a_ha_giang_database_also_holds_todays_tuyen_quang(ha_giang: Engine) -> None:
    with Session(ha_giang) as session:
        counts = Counter(
            (u.era, u.level, u.parent_code if u.level != UnitLevel.commune or u.era == 2025 else "")
            for u in session.exec(select(AdminUnit))
        )
    assert counts == {
        (2020, UnitLevel.province, None): 1,
        (2020, UnitLevel.district, "02"): 11,
        (2020, UnitLevel.commune, ""): 193,
        (2025, UnitLevel.province, None): 1,
        (2025, UnitLevel.commune, "08@2025"): 124,
    }


def test_ha_giangs_193_communes_all_have_their_2025_commune(ha_giang: Engine) -> None:
    with Session(ha_giang) as session:
        communes = set(
            session.exec(
                select(AdminUnit.code).where(
                    AdminUnit.era == 2020, AdminUnit.level == UnitLevel.commune
                )
            )
        )
        new_communes = set(
            session.exec(
                select(AdminUnit.code).where(
                    AdminUnit.era == 2025, AdminUnit.level == UnitLevel.commune
                )
            )
        )
        links = session.exec(select(UnitCorrespondence)).all()
    parts: dict[str, list[UnitCorrespondence]] = {}
    for link in links:
        parts.setdefault(link.old_code, []).append(link)
    assert len(communes) == 193
    assert communes | {"02"} == set(parts)
    assert [(p.new_code, p.is_default) for p in parts["02"]] == [("08@2025", True)]
    assert all(p.new_code in new_communes for c in communes for p in parts[c])
    divided = {c: ps for c, ps in parts.items() if len(ps) > 1}
    assert set(divided) == set(DIVIDED_IN_HA_GIANG)
    for code, (default, others) in DIVIDED_IN_HA_GIANG.items():
        assert [p.new_code for p in divided[code] if p.is_default] == [default]
        assert {p.new_code for p in divided[code] if not p.is_default} == others
    assert all(ps[0].is_default for c, ps in parts.items() if len(ps) == 1)
    # 73 of today's 124 communes lie on former Hà Giang land.
    assert len({p.new_code for c in communes for p in parts[c]}) == 73


def test_init_of_todays_tuyen_quang_loads_both_predecessors(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory.settings import get_settings

    monkeypatch.setenv("ICTR_PROVINCE_CODE", "08@2025")
    get_settings.cache_clear()
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert "Tỉnh Hà Giang 2020, Tỉnh Tuyên Quang 2020, Tỉnh Tuyên Quang 2025" in result.output
    with Session(get_engine(db_url)) as session:
        communes = Counter(
            (u.era, u.code[:2] if u.era == 2025 else None)
            for u in session.exec(select(AdminUnit).where(AdminUnit.level == UnitLevel.commune))
        )
        provinces = set(
            session.exec(select(AdminUnit.code).where(AdminUnit.level == UnitLevel.province))
        )
        old_provinces = dict(
            session.exec(
                select(UnitCorrespondence.old_code, UnitCorrespondence.new_code).where(
                    col(UnitCorrespondence.old_code).in_(["02", "08"])
                )
            ).all()
        )
        mapped = set(session.exec(select(UnitCorrespondence.new_code)))
    assert provinces == {"02", "08", "08@2025"}
    assert sum(n for (era, _), n in communes.items() if era == 2020) == 193 + 137
    assert sum(n for (era, _), n in communes.items() if era == 2025) == 124
    assert old_provinces == {"02": "08@2025", "08": "08@2025"}
    # Every 2025 commune has at least one predecessor when both old provinces are there.
    assert len(mapped - {"08@2025"}) == 124


def test_a_bad_province_setting_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from inventory.settings import get_settings

    monkeypatch.setenv("ICTR_PROVINCE_CODE", "026")
    get_settings.cache_clear()
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "ICTR_PROVINCE_CODE" in result.output and "08@2025" in result.output


def _agency(session: Session, name: str, unit: str, kind: AgencyKind, **kw: object) -> int:
    agency = Agency(name=name, unit_code=unit, kind=kind, officials=5, **kw)
    session.add(agency)
    session.flush()
    assert agency.id is not None
    return agency.id


def test_the_structure_at_a_date_places_units_and_agencies(ha_giang: Engine) -> None:
    with session_scope(ha_giang) as session:
        district = _agency(session, "UBND thành phố Hà Giang", "024", AgencyKind.district_committee)
        dissolved = _agency(
            session, "Phòng Văn hoá TP Hà Giang", "024", AgencyKind.other,
            valid_to=date(2025, 6, 30),
        )  # fmt: skip
        divided = _agency(session, "UBND phường Quang Trung", "00688", AgencyKind.commune_committee)
        # Hà Giang's information department merged into its science department on 1 March
        # 2025, which merged into Tuyên Quang's on 1 July 2025.
        department = _agency(session, "Sở TT&TT Hà Giang", "02", AgencyKind.provincial)
        merged = _agency(
            session, "Sở KH&CN Hà Giang", "02", AgencyKind.provincial,
            valid_from=date(2025, 3, 1),
        )  # fmt: skip
        today = _agency(
            session, "Sở KH&CN Tuyên Quang", "08@2025", AgencyKind.provincial,
            valid_from=date(2025, 7, 1),
        )  # fmt: skip
        ward = _agency(
            session, "UBND phường Hà Giang 1", "00694@2025", AgencyKind.commune_committee
        )
        session.add(
            AgencySuccession(
                agency_id=department, successor_id=merged, succeeded_on=date(2025, 3, 1)
            )
        )
        session.add(
            AgencySuccession(agency_id=merged, successor_id=today, succeeded_on=date(2025, 7, 1))
        )
        session.add(
            AgencySuccession(agency_id=district, successor_id=ward, succeeded_on=date(2025, 7, 1))
        )
        session.add(Computer(asset_tag="D-1", agency_id=dissolved))
        session.add(Computer(asset_tag="D-2", agency_id=dissolved))

    with Session(ha_giang) as session:
        before = StructureAt.load(session, at=date(2020, 12, 31))
        between = StructureAt.load(session, at=date(2025, 5, 1))
        after = StructureAt.load(session, at=date(2026, 12, 1))

    assert before.era is ERA_2020 and after.era is ERA_2025
    assert [before.unit_of_unit(k) for k in ("024", "00688", "02", "00691@2025")] == [
        "024",
        "00688",
        "02",
        None,
    ]
    assert [after.unit_of_unit(k) for k in ("024", "00688", "00691", "02", "00694@2025")] == [
        None,  # districts were dissolved
        "00691@2025",  # a divided commune counts in its default part
        "00691@2025",  # Phường Trần Phú, whose code Hà Giang 2 took over
        "08@2025",
        "00694@2025",
    ]
    # Succession holds from its day on, through the chain, and not before.
    assert before.holder_of_agency(department) == department
    assert between.holder_of_agency(department) == merged
    assert between.unit_of_agency(department) == "02"
    assert before.holder_of_agency(merged) is None  # not there yet
    assert after.holder_of_agency(department) == today
    assert after.unit_of_agency(department) == "08@2025"
    assert between.holder_of_agency(district) == district
    assert after.holder_of_agency(district) == ward
    assert after.unit_of_agency(district) == "00694@2025"
    assert before.holder_of_agency(ward) is None  # not there yet
    assert after.holder_of_agency(dissolved) is None
    assert after.holder_of_agency(divided) == divided
    assert after.unit_of_agency(divided) == "00691@2025"

    assert before.unresolved() == []
    cases = {(u.kind, u.record): u for u in after.unresolved()}
    assert set(cases) == {
        ("no_successor", f"agency {dissolved}"),
        ("divided_commune", f"agency {divided}"),
    }
    gone = cases["no_successor", f"agency {dissolved}"]
    assert (gone.unit_code, gone.mapped_to, gone.records) == ("024", None, 2)
    split = cases["divided_commune", f"agency {divided}"]
    assert (split.mapped_to, split.candidates) == ("00691@2025", ("00691@2025", "00694@2025"))
