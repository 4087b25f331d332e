"""Roles and scope enforced where data is written: the write functions themselves refuse a
viewer, and an editor of district 026 anything outside 026 and its communes, whatever the
page shows. A refused import writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from dashboard.upload_import import import_boundary_upload, import_upload
from inventory.access import require_admin, require_write, units_under
from inventory.actor import Actor, Role
from inventory.db import session_scope
from inventory.errors import IctrError
from inventory.importing import ImportOptions, run_import
from inventory.models import Agency, AgencyKind
from tests.import_fixtures import TODAY, computers, hg_engine_fixture, table_counts, write_csv

__all__ = ["hg_engine_fixture"]  # the fixture, used by name

DONG_VAN = Actor("lan", Role.editor, "026")  # Huyện Đồng Văn
HEADER = ["Mã tài sản", "Loại", "Năm mua", "Tình trạng", "Cơ quan"]


@pytest.fixture
def scoped(hg_engine: Engine) -> Engine:
    """hg_engine plus Mèo Vạc's district committee (027), outside Đồng Văn; and one computer
    in each district."""
    with session_scope(hg_engine) as session:
        session.add(
            Agency(
                code="H027",
                name="UBND huyện Mèo Vạc",
                kind=AgencyKind.district_committee,
                unit_code="027",
                officials=120,
                signing_officials=50,
            )
        )
    path = write_csv(
        Path(hg_engine.url.database or "").with_name("seed.csv"),
        [
            HEADER,
            ["DV-1", "desktop", 2020, "in_use", "H026"],
            ["MV-1", "desktop", 2020, "in_use", "H027"],
        ],
    )
    report = _import(hg_engine, path, Actor.cli())
    assert report.ok, report.lines()
    return hg_engine


def _import(engine: Engine, path: Path, actor: Actor, **options: object) -> object:
    return run_import(
        engine=engine,
        entity="computers",
        path=path,
        options=ImportOptions(today=TODAY, **options),  # type: ignore[arg-type]
        actor=actor,
    )


def test_the_scope_is_the_unit_and_its_communes(scoped: Engine) -> None:
    with Session(scoped) as session:
        under = units_under(session, "026")
        assert {"026", "00715"} <= under  # Lũng Cú is a commune of Đồng Văn
        assert "027" not in under and "02" not in under
        require_write(DONG_VAN, "026", session=session)
        require_write(DONG_VAN, "00715", session=session)
        with pytest.raises(IctrError) as refused:
            require_write(DONG_VAN, "027", session=session)
        assert str(refused.value) == (
            "'lan' edits only 026 (Huyện Đồng Văn) and the units below it, not 027 (Huyện Mèo Vạc)"
        )
        with pytest.raises(IctrError, match="'lan' edits only 026"):
            require_write(DONG_VAN, "02", session=session)  # the province is above it
        with pytest.raises(IctrError, match="'hà' is a viewer: viewers change nothing"):
            require_write(Actor("hà", Role.viewer), "026", session=session)
        for anyone in (Actor("hoa", Role.admin), Actor("an", Role.editor), Actor.cli()):
            require_write(anyone, "027", session=session)


def test_a_scoped_editor_importing_a_row_outside_is_refused_whole(
    scoped: Engine, tmp_path: Path
) -> None:
    before = computers(scoped)
    counts = table_counts(scoped)
    path = write_csv(
        tmp_path / "may-tinh.csv",
        [
            HEADER,
            ["DV-2", "laptop", 2024, "in_use", "H026"],
            ["DV-3", "desktop", 2024, "in_use", "X00715"],
            ["MV-2", "desktop", 2024, "in_use", "H027"],
        ],
    )
    for dry_run in (True, False):
        with pytest.raises(IctrError) as refused:
            _import(scoped, path, DONG_VAN, dry_run=dry_run)
        assert str(refused.value) == (
            "may-tinh.csv: row 4, column 'Mã tài sản', value 'MV-2', computer 'MV-2' is in unit "
            "027 (Huyện Mèo Vạc), outside 'lan''s scope 026 (Huyện Đồng Văn); "
            "nothing was imported"
        )
        assert computers(scoped).keys() == before.keys()  # not DV-2 either
        assert table_counts(scoped) == counts

    inside = write_csv(
        tmp_path / "dong-van.csv",
        [
            HEADER,
            *[
                ["DV-2", "laptop", 2024, "in_use", "H026"],
                ["DV-3", "desktop", 2024, "in_use", "X00715"],
            ],
        ],
    )
    report = _import(scoped, inside, DONG_VAN)
    assert report.ok and report.counts.new == 2  # type: ignore[attr-defined]
    assert {"DV-2", "DV-3"} <= computers(scoped).keys()


def test_moving_a_row_across_the_scope_is_refused_both_ways(scoped: Engine, tmp_path: Path) -> None:
    """A computer of Mèo Vạc given to Đồng Văn's committee, or the other way round: each
    changes a row outside the scope."""
    for tag, agency in (("MV-1", "H026"), ("DV-1", "H027")):
        path = write_csv(tmp_path / "move.csv", [HEADER, [tag, "desktop", 2020, "in_use", agency]])
        with pytest.raises(IctrError, match=f"computer '{tag}' is in unit"):
            _import(scoped, path, DONG_VAN)
    stored = computers(scoped)
    with Session(scoped) as session:
        units = {
            tag: session.exec(select(Agency.unit_code).where(Agency.id == c.agency_id)).one()
            for tag, c in stored.items()
        }
    assert units == {"DV-1": "026", "MV-1": "027"}


def test_agencies_created_outside_the_scope_are_refused(scoped: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "tao-co-quan.csv",
        [[*HEADER, "Mã ĐVHC"], ["DV-9", "desktop", 2024, "in_use", "Trường THPT Mèo Vạc", "027"]],
    )
    with pytest.raises(IctrError, match=r"agency 'Trường THPT Mèo Vạc' is in unit 027"):
        _import(scoped, path, DONG_VAN, create_agencies=True)
    with Session(scoped) as session:
        assert session.exec(select(Agency).where(Agency.unit_code == "027")).all()[0].code == (
            "H027"
        )
        assert len(session.exec(select(Agency).where(Agency.unit_code == "027")).all()) == 1


def test_a_viewer_imports_nothing(scoped: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "may-tinh.csv", [HEADER, ["DV-2", "laptop", 2024, "in_use", "H026"]]
    )
    with pytest.raises(IctrError, match="'hà' is a viewer"):
        _import(scoped, path, Actor("hà", Role.viewer), dry_run=True)
    assert "DV-2" not in computers(scoped)


def test_the_dashboards_upload_path_is_bounded_too(scoped: Engine) -> None:
    data = "\r\n".join(
        ",".join(map(str, row))
        for row in [
            HEADER,
            ["DV-2", "laptop", 2024, "in_use", "H026"],
            ["MV-2", "pc", 2024, "in_use", "H027"],
        ]
    ).encode()
    with pytest.raises(IctrError, match="computer 'MV-2' is in unit 027"):
        import_upload(
            scoped,
            "computers",
            name="up.csv",
            data=data,
            options=ImportOptions(today=TODAY),
            actor=DONG_VAN,
        )
    assert "DV-2" not in computers(scoped)
    with (
        session_scope(scoped) as session,
        pytest.raises(
            IctrError, match=r"only an admin may replace unit boundaries, not 'lan' \(editor\)"
        ),
    ):
        import_boundary_upload(
            session,
            name="b.geojson",
            data=b"{}",
            province_code="02",
            level="district",
            actor=DONG_VAN,
        )
    with pytest.raises(IctrError, match=r"only an admin may reset the demo, not 'hà' \(viewer\)"):
        require_admin(Actor("hà", Role.viewer), "reset the demo")


def test_agency_head_counts_of_another_district_are_refused(scoped: Engine, tmp_path: Path) -> None:
    """An agencies file: Lũng Cú (a commune of Đồng Văn) is Lan's, Mèo Vạc's committee not."""
    header = ["Tên cơ quan", "Loại cơ quan", "Huyện/Thành phố", "Xã/Phường", "Số CBCCVC"]
    lung_cu = ["UBND xã Lũng Cú", "UBND xã", "Đồng Văn", "Lũng Cú", 26]
    meo_vac = ["UBND huyện Mèo Vạc", "UBND huyện", "Mèo Vạc", "", 130]
    both = write_csv(tmp_path / "co-quan.csv", [header, lung_cu, meo_vac])
    options = ImportOptions(today=TODAY)
    with pytest.raises(IctrError) as refused:
        run_import(engine=scoped, entity="agencies", path=both, options=options, actor=DONG_VAN)
    assert str(refused.value) == (
        "co-quan.csv: row 3, column 'Tên cơ quan', value 'UBND huyện Mèo Vạc', agency "
        "'UBND huyện Mèo Vạc' is in unit 027 (Huyện Mèo Vạc), outside 'lan''s scope "
        "026 (Huyện Đồng Văn); nothing was imported"
    )
    mine = write_csv(tmp_path / "lung-cu.csv", [header, lung_cu])
    report = run_import(
        engine=scoped, entity="agencies", path=mine, options=options, actor=DONG_VAN
    )
    assert report.ok and report.counts.updated == 1
    with Session(scoped) as session:
        officials = dict(session.exec(select(Agency.code, Agency.officials)).all())
    assert (officials["X00715"], officials["H027"]) == (26, 120)


def test_websites_and_successions_outside_the_scope_are_refused(
    scoped: Engine, tmp_path: Path
) -> None:
    """The two importers added with the eras and the websites are bounded like the others: a
    website of Mèo Vạc's committee, or ending it by a succession, is outside Đồng Văn."""
    sites = write_csv(
        tmp_path / "website.csv",
        [
            ["Mã cơ quan", "Địa chỉ website", "Loại"],
            ["H027", "https://meovac.hagiang.gov.vn", "agency site"],
        ],
    )
    for entity, path in [
        ("websites", sites),
        (
            "successions",
            write_csv(
                tmp_path / "ke-thua.csv",
                [
                    ["Mã cơ quan cũ", "Mã cơ quan kế thừa", "Ngày kế thừa"],
                    ["H027", "H026", "2025-07-01"],
                ],
            ),
        ),
    ]:
        with pytest.raises(IctrError, match="outside"):
            run_import(
                engine=scoped,
                entity=entity,
                path=path,
                options=ImportOptions(today=TODAY),
                actor=DONG_VAN,
            )
    with Session(scoped) as session:
        (meo_vac,) = session.exec(select(Agency).where(Agency.code == "H027")).all()
        assert meo_vac.valid_to is None
    # The same website file is the CLI's to write: the check is the scope, not the file.
    report = run_import(
        engine=scoped, entity="websites", path=sites, options=ImportOptions(today=TODAY)
    )
    assert report.ok, report.lines()
