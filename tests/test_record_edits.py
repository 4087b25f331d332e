"""Record edits (inventory/record_edits.py), called as the dashboard's forms call them: scope
and role refused where the data is written, the importers' reasons for the same bad value,
two edits of one row at once (the second refused, never lost), and every edit a change set
that `ictr history` lists and `ictr undo` puts back."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory import record_edits
from inventory.actor import Actor, Role
from inventory.errors import IctrError
from inventory.models import Agency, ChangeSet, Computer, ComputerStatus, ConnectionPoint
from inventory.record_edits import EditConflict, RecordError
from tests.import_fixtures import hg_engine_fixture, write_csv  # noqa: F401 (hg_engine)

runner = CliRunner()
LAN = Actor(name="lan", role=Role.editor, scope="026")  # Đồng Văn's editor
HA = Actor(name="ha", role=Role.viewer)
ADMIN = Actor(name="admin", role=Role.admin)
HEADER = ["Mã tài sản", "Cơ quan", "Loại máy", "Hệ điều hành", "Tình trạng", "Internet"]


def ictr(*args: str | Path, code: int = 0) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def machines(hg_engine: Engine, tmp_path: Path) -> Engine:
    """Two computers in Đồng Văn (Lũng Cú's and the district's), one at the province's
    department, and a point of Lũng Cú's; imported from the command line."""
    rows = [
        HEADER,
        ["LC-01", "X00715", "PC", "Windows 10", "Đang sử dụng", "x"],
        ["DV-01", "H026", "Laptop", "Windows 11", "Dự phòng", ""],
        ["ST-01", "STTTT", "PC", "Windows 10", "Đang sử dụng", "x"],
    ]
    ictr("import", "computers", write_csv(tmp_path / "may.csv", rows))
    points = [
        ["Mã điểm", "Tên điểm", "Địa chỉ IP", "Cơ quan"],
        ["P-LC", "Điểm Lũng Cú", "127.0.0.21", "X00715"],
        ["P-ST", "Điểm Sở", "127.0.0.22", "STTTT"],
    ]
    ictr("import", "points", write_csv(tmp_path / "diem.csv", points))
    return hg_engine


def stored(engine: Engine, tag: str) -> Computer:
    with Session(engine) as session:
        return session.exec(select(Computer).where(Computer.asset_tag == tag)).one()


def agency_id(engine: Engine, code: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Agency.id).where(Agency.code == code)).one()
        assert found is not None
        return found


def change_sets(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(ChangeSet)).one()


def started(engine: Engine, tag: str) -> dict[str, Any]:
    with Session(engine) as session:
        return record_edits.current_computer(session, tag)


def point(engine: Engine, code: str) -> dict[str, Any]:
    with Session(engine) as session:
        return record_edits.current_point(session, code)


def test_a_scoped_editor_writes_only_in_her_district(machines: Engine) -> None:
    before = change_sets(machines)
    outside = [
        # Another unit's computer, point and agency.
        lambda: record_edits.edit_computer(
            machines, actor=LAN, tag="ST-01", started_from=started(machines, "ST-01"),
            values={"os": "Linux"},
        ),
        lambda: record_edits.retire_computer(
            machines, actor=LAN, tag="ST-01", started_from=started(machines, "ST-01"),
            retired_on=date(2026, 1, 5),
        ),
        # Her own computer moved to the province's department.
        lambda: record_edits.edit_computer(
            machines, actor=LAN, tag="LC-01", started_from=started(machines, "LC-01"),
            values={"agency_id": agency_id(machines, "STTTT")},
        ),
        lambda: record_edits.add_computer(
            machines, actor=LAN,
            values={"asset_tag": "NEW-1", "agency_id": agency_id(machines, "STTTT")},
        ),
        lambda: record_edits.edit_agency_counts(
            machines, actor=LAN, agency_id=agency_id(machines, "STTTT"),
            started_from={"officials": 40, "signing_officials": 20},
            officials=41, signing_officials=None,
        ),
        lambda: record_edits.add_point(
            machines, actor=LAN,
            values={"code": "P-NEW", "name": "Mới", "address": "127.0.0.30", "unit_code": "02"},
        ),
        lambda: record_edits.edit_point(
            machines, actor=LAN, code="P-LC", started_from=point(machines, "P-LC"),
            values={"unit_code": "00796"},
        ),
    ]  # fmt: skip
    for write in outside:
        with pytest.raises(IctrError, match=r"'lan' edits only 026 \(.*\) and the units below"):
            write()
    assert stored(machines, "ST-01").os == "Windows 10"
    assert stored(machines, "LC-01").agency_id == agency_id(machines, "X00715")
    with Session(machines) as session:
        assert session.get(Agency, agency_id(machines, "STTTT")).officials == 40  # type: ignore[union-attr]
        assert session.exec(select(ConnectionPoint.unit_code).where(
            ConnectionPoint.code == "P-LC")).one() == "00715"  # fmt: skip
        assert not session.exec(
            select(ConnectionPoint).where(ConnectionPoint.code == "P-NEW")
        ).all()
    assert change_sets(machines) == before

    # Inside her district she writes, and the change set names her.
    changed = record_edits.edit_computer(
        machines, actor=LAN, tag="LC-01", started_from=started(machines, "LC-01"),
        values={"os": "Windows 11", "agency_id": agency_id(machines, "H026")},
    )  # fmt: skip
    assert changed is not None
    assert stored(machines, "LC-01").os == "Windows 11"
    history = json.loads(ictr("history", "--user", "lan", "--format", "json"))
    assert [(s["id"], s["command"]) for s in history] == [(changed, "edit computer LC-01")]


def test_a_viewer_writes_nothing(machines: Engine) -> None:
    before = change_sets(machines)
    with pytest.raises(IctrError, match="'ha' is a viewer: viewers change nothing"):
        record_edits.edit_computer(
            machines, actor=HA, tag="LC-01", started_from=started(machines, "LC-01"),
            values={"notes": "xem"},
        )  # fmt: skip
    with pytest.raises(IctrError, match="viewers change nothing"):
        record_edits.add_point(
            machines, actor=HA,
            values={"code": "P-X", "name": "X", "address": "127.0.0.40", "unit_code": "00715"},
        )  # fmt: skip
    assert stored(machines, "LC-01").notes is None
    assert change_sets(machines) == before


@pytest.mark.parametrize(
    ("column", "field", "bad"),
    [
        ("Tình trạng", "status", "mượn tạm"),
        ("Internet", "internet", "có lẽ"),
        ("Hệ điều hành", "os", "W" * 101),
    ],
)
def test_a_bad_computer_value_gets_the_importers_reason(
    machines: Engine, tmp_path: Path, column: str, field: str, bad: str
) -> None:
    row = dict(
        zip(HEADER, ["LC-01", "X00715", "PC", "Windows 10", "Đang sử dụng", "x"], strict=True)
    )
    row[column] = bad
    bad_file = write_csv(tmp_path / "bad.csv", [HEADER, list(row.values())])
    output = ictr("import", "computers", bad_file, code=2)
    with pytest.raises(RecordError) as refused:
        record_edits.edit_computer(
            machines, actor=LAN, tag="LC-01", started_from=started(machines, "LC-01"),
            values={field: bad},
        )  # fmt: skip
    assert f": {refused.value.reason}; nothing was imported" in " ".join(output.split())
    assert refused.value.field == field and refused.value.value == bad
    assert str(refused.value).startswith(f"computer 'LC-01', field {field!r}, value ")


def test_bad_point_and_head_count_values_get_the_importers_reasons(
    machines: Engine, tmp_path: Path
) -> None:
    header = ["Mã điểm", "Tên điểm", "Địa chỉ IP", "Cổng TCP", "Cơ quan"]
    rows = [header, ["P-LC", "Điểm Lũng Cú", "máy chủ!", "80;99999", "X00715"]]
    output = " ".join(ictr("import", "points", write_csv(tmp_path / "p.csv", rows), code=2).split())
    reasons = []
    for values in ({"address": "máy chủ!"}, {"tcp_ports": "80;99999"}):
        with pytest.raises(RecordError) as refused:
            record_edits.edit_point(
                machines, actor=LAN, code="P-LC", started_from=point(machines, "P-LC"),
                values=values,
            )  # fmt: skip
        reasons.append(refused.value.reason)
    assert all(f": {r}" in output for r in reasons), (reasons, output)

    agencies = [["Mã cơ quan", "Tên cơ quan", "Số CBCCVC", "Số người ký số"],
                ["X00715", "UBND xã Lũng Cú", "10", "12"]]  # fmt: skip
    bad_file = write_csv(tmp_path / "a.csv", agencies)
    output = " ".join(ictr("import", "agencies", bad_file, code=2).split())
    with pytest.raises(RecordError) as refused:
        record_edits.edit_agency_counts(
            machines, actor=LAN, agency_id=agency_id(machines, "X00715"),
            started_from={"officials": 20, "signing_officials": 8},
            officials="10", signing_officials="12",
        )  # fmt: skip
    assert refused.value.reason == "more people who sign than officials (10)"
    assert f": {refused.value.reason}" in output


def test_two_edits_of_one_computer_at_once_the_second_is_refused(machines: Engine) -> None:
    # Both forms opened on the same values; both saved at the same moment.
    opened = started(machines, "LC-01")
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def save(who: str, os_name: str) -> None:
        actor = Actor(name=who, role=Role.editor, scope="026")
        barrier.wait()
        try:
            outcome[who] = record_edits.edit_computer(
                machines, actor=actor, tag="LC-01", started_from=opened, values={"os": os_name}
            )
        except EditConflict as exc:
            outcome[who] = exc

    threads = [
        threading.Thread(target=save, args=("lan", "Windows 11")),
        threading.Thread(target=save, args=("minh", "Ubuntu 24.04")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [w for w, o in outcome.items() if isinstance(o, EditConflict)]
    saved = [w for w, o in outcome.items() if isinstance(o, int)]
    assert len(refused) == 1 and len(saved) == 1, outcome
    winner, loser = saved[0], refused[0]
    expected = {"lan": "Windows 11", "minh": "Ubuntu 24.04"}[winner]
    assert stored(machines, "LC-01").os == expected  # the first kept, the second not written
    message = str(outcome[loser])
    assert f"computer 'LC-01' was changed by {winner!r} (change set {outcome[winner]})" in message
    assert f"os: 'Windows 10' → {expected!r}" in message and "nothing was saved" in message

    # Opened again, the loser's edit goes through.
    again = Actor(name=loser, role=Role.editor, scope="026")
    assert record_edits.edit_computer(
        machines, actor=again, tag="LC-01", started_from=started(machines, "LC-01"),
        values={"os": "Windows 11 24H2"},
    )  # fmt: skip


def test_each_edit_is_a_change_set_that_undo_puts_back(machines: Engine) -> None:
    lc = agency_id(machines, "X00715")
    edits = [
        record_edits.add_computer(
            machines, actor=LAN,
            values={"asset_tag": "LC-02", "agency_id": lc, "kind": "laptop", "os": "Linux",
                    "internet": "có", "notes": "mua bằng nguồn xã"},
        ),
        record_edits.edit_computer(
            machines, actor=LAN, tag="DV-01", started_from=started(machines, "DV-01"),
            values={"status": "in_use", "internet": True, "notes": "cấp cho văn thư"},
        ),
        record_edits.retire_computer(
            machines, actor=LAN, tag="LC-01", started_from=started(machines, "LC-01"),
            retired_on="15/11/2026",
        ),
        record_edits.edit_agency_counts(
            machines, actor=LAN, agency_id=lc,
            started_from={"officials": 20, "signing_officials": 8},
            officials=22, signing_officials="9",
        ),
        record_edits.add_point(
            machines, actor=LAN,
            values={"code": "P-LC2", "name": "Điểm 2", "address": "127.0.0.23", "agency_id": lc,
                    "tcp_ports": "80, 443"},
        ),
        record_edits.edit_point(
            machines, actor=LAN, code="P-LC",
            started_from=point(machines, "P-LC"),
            values={"name": "Điểm UBND xã Lũng Cú", "bandwidth_mbps": "100 Mbps"},
        ),
    ]  # fmt: skip
    assert all(isinstance(e, int) for e in edits)
    history = json.loads(ictr("history", "--user", "lan", "--format", "json"))
    assert [s["command"] for s in reversed(history)] == [
        "add computer LC-02",
        "edit computer DV-01",
        "retire computer LC-01",
        f"edit agency {lc} head-counts",
        "add point P-LC2",
        "edit point P-LC",
    ]
    assert [s["id"] for s in reversed(history)] == edits
    retired = stored(machines, "LC-01")
    assert retired.status is ComputerStatus.retired and retired.retired_on == date(2026, 11, 15)
    with Session(machines) as session:
        new_point = session.exec(
            select(ConnectionPoint).where(ConnectionPoint.code == "P-LC2")
        ).one()
        assert (new_point.unit_code, new_point.tcp_ports) == ("00715", "80,443")
    assert json.loads(ictr("history", "--key", "LC-01", "--format", "json"))[0]["id"] == edits[2]

    # Newest first, each undo itself a change set; afterwards the records are as imported.
    for change_set in reversed(edits):
        assert f"undid change set {change_set}" in ictr("undo", str(change_set))
    assert stored(machines, "LC-01").status is ComputerStatus.in_use
    assert stored(machines, "LC-01").retired_on is None
    dv = stored(machines, "DV-01")
    assert (dv.status, dv.internet, dv.notes) == (ComputerStatus.spare, False, None)
    with Session(machines) as session:
        assert not session.exec(select(Computer).where(Computer.asset_tag == "LC-02")).all()
        assert session.get(Agency, lc).officials == 20  # type: ignore[union-attr]
        names = session.exec(select(ConnectionPoint.code, ConnectionPoint.name)).all()
    assert sorted(names) == [("P-LC", "Điểm Lũng Cú"), ("P-ST", "Điểm Sở")]


def test_edits_that_change_nothing_or_break_a_rule_write_nothing(machines: Engine) -> None:
    before = change_sets(machines)
    same = record_edits.edit_computer(
        machines, actor=LAN, tag="LC-01", started_from=started(machines, "LC-01"),
        values={"os": "Windows 10", "status": "Đang sử dụng"},
    )  # fmt: skip
    assert same is None
    refusals = {
        "a new computer needs an agency": lambda: record_edits.add_computer(
            machines, actor=LAN, values={"asset_tag": "X-1"}
        ),
        "another computer has this asset tag": lambda: record_edits.add_computer(
            machines, actor=LAN,
            values={"asset_tag": "DV-01", "agency_id": agency_id(machines, "H026")},
        ),
        "asset tag is missing": lambda: record_edits.add_computer(
            machines, actor=LAN, values={"asset_tag": "  ", "agency_id": 1}
        ),
        "retire it with the day it left service": lambda: record_edits.edit_computer(
            machines, actor=LAN, tag="LC-01", started_from=started(machines, "LC-01"),
            values={"status": "thanh lý"},
        ),
        "in the future": lambda: record_edits.retire_computer(
            machines, actor=LAN, tag="LC-01", started_from=started(machines, "LC-01"),
            retired_on=date(2100, 1, 1),
        ),
        "a new point needs a address (Địa chỉ IP)": lambda: record_edits.add_point(
            machines, actor=LAN, values={"code": "P-9", "name": "X", "unit_code": "00715"}
        ),
    }  # fmt: skip
    for reason, write in refusals.items():
        with pytest.raises(RecordError, match="nothing was saved") as refused:
            write()
        assert refused.value.reason == reason
    assert change_sets(machines) == before


def test_an_edit_that_does_not_say_what_it_started_from_is_refused(machines: Engine) -> None:
    # Without the values it was opened with, an edit could overwrite anyone's: refused.
    with pytest.raises(IctrError, match=r"the edit does not say what it started from \(\['kind'"):
        record_edits.edit_computer(
            machines, actor=LAN, tag="LC-01", started_from={"os": "Windows 10"},
            values={"os": "Windows 11"},
        )  # fmt: skip
    assert stored(machines, "LC-01").os == "Windows 10"
