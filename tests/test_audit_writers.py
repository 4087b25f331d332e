"""Every kind of writer gets the audit trail by opening its transaction as a change: a
process killed at the commit leaves neither the change nor its record; record edits through
the ORM; boundary imports; the demo reset; `ictr db prune` (counts only, and it never
removes the trail)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, bindparam, delete, func, update
from sqlmodel import Session, select
from typer.testing import CliRunner

from dashboard.demo_reset import reset_demo
from ictr.cli.main import app
from inventory.actor import Actor, Role
from inventory.audit import Change
from inventory.models import ChangeRow, ChangeSet, Computer, ComputerKind, ComputerStatus
from inventory.write_lock import locked_session
from tests.import_fixtures import (
    agency_id,
    computers,
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    table_counts,
    write_csv,
)
from tests.netns_fixtures import add_points
from tests.test_retention import put, row

runner = CliRunner()
EDITOR = Actor(name="lan.nt", role=Role.editor, scope="026")
HEADER = ["Mã tài sản", "Cơ quan", "Loại máy", "Hệ điều hành"]


def ictr(*args: str | Path) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def history(*args: str) -> list[dict]:
    return json.loads(ictr("history", "--format", "json", *args))


def trail(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(ChangeSet)).one(),
            session.exec(select(func.count()).select_from(ChangeRow)).one(),
        )


def test_a_process_killed_at_the_commit_leaves_neither_the_change_nor_its_record(
    hg_engine: Engine, tmp_path: Path, db_url: str
) -> None:
    """SIGKILL after the rows and their change set are written, before COMMIT."""
    rows = [HEADER, *([f"K-{n:05d}", "STTTT", "PC", "Windows 10"] for n in range(3000))]
    path = write_csv(tmp_path / "k.csv", rows)
    do_import(hg_engine, "computers", write_csv(tmp_path / "one.csv", [HEADER, rows[1]]))
    before = (table_counts(hg_engine), trail(hg_engine))
    assert before[1][0] == 1
    hg_engine.dispose()
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from sqlalchemy import event, text
        from sqlalchemy.orm import Session
        from inventory.db import get_engine
        from inventory.importing import ImportOptions, run_import

        # Added after the audit trail's own listener, so it runs once the change set is
        # written in the transaction.
        @event.listens_for(Session, "before_commit")
        def killed(session):
            connection = session.connection()
            sets = connection.execute(text("SELECT count(*) FROM change_set")).scalar_one()
            rows = connection.execute(text("SELECT count(*) FROM change_row")).scalar_one()
            print("recorded", sets, rows, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        run_import(
            engine=get_engine({db_url!r}),
            entity="computers",
            path=Path({str(path)!r}),
            options=ImportOptions(),
        )
        """
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    # Inside the transaction: the earlier change set plus this one, with its 2,999 new rows
    # and the earlier first row unchanged (not recorded).
    assert "recorded 2 3000" in done.stdout
    assert (table_counts(hg_engine), trail(hg_engine)) == before
    assert set(computers(hg_engine)) == {"K-00000"}


def test_record_edits_through_the_orm_are_recorded_and_undone(hg_engine: Engine) -> None:
    sttt = agency_id(hg_engine, "STTTT")
    with Session(hg_engine) as session:
        session.add(Computer(asset_tag="E-1", agency_id=sttt, os="Windows 7", ram_gb=4))
        session.add(Computer(asset_tag="E-2", agency_id=sttt, os="Windows 10"))
        session.commit()
    start = {tag: c.model_dump() for tag, c in computers(hg_engine).items()}
    assert trail(hg_engine) == (0, 0)  # a session opened without a change records nothing

    with locked_session(hg_engine, "edit", change=Change(EDITOR, "edit computer")) as session:
        edited = session.exec(select(Computer).where(Computer.asset_tag == "E-1")).one()
        edited.os, edited.status = "Windows 11", ComputerStatus.spare
        session.add(edited)
        session.delete(session.exec(select(Computer).where(Computer.asset_tag == "E-2")).one())
        session.add(Computer(asset_tag="E-3", agency_id=sttt, kind=ComputerKind.laptop))
        session.commit()

    [edit] = history("--user", "lan.nt")
    assert edit["command"] == "edit computer"
    assert edit["counts"]["computer"] == {"updated": 1, "deleted": 1, "inserted": 1}
    with Session(hg_engine) as session:
        rows = {r.key: r for r in session.exec(select(ChangeRow)).all()}
    assert rows["E-1"].before == {"os": "Windows 7", "status": "in_use"}
    assert rows["E-1"].after == {"os": "Windows 11", "status": "spare"}
    assert rows["E-2"].after is None and rows["E-2"].before is not None
    assert rows["E-2"].before["os"] == "Windows 10"
    assert rows["E-3"].before is None and rows["E-3"].after is not None
    assert rows["E-3"].after["kind"] == "laptop"
    assert [s["id"] for s in history("--key", "E-1")] == [edit["id"]]

    ictr("undo", str(edit["id"]))
    assert {tag: c.model_dump() for tag, c in computers(hg_engine).items()} == start
    # The undo is a change set too: undoing it makes the edit again.
    undo = history()[0]
    assert undo["counts"]["computer"] == {"inserted": 1, "updated": 1, "deleted": 1}
    ictr("undo", str(undo["id"]))
    again = computers(hg_engine)
    assert set(again) == {"E-1", "E-3"}
    assert (again["E-1"].os, again["E-1"].status) == ("Windows 11", ComputerStatus.spare)


def test_a_boundary_import_is_recorded_and_can_be_undone(db_url: str, tmp_path: Path) -> None:
    ictr("init")
    shapes = tmp_path / "huyen.geojson"
    ictr("boundaries", "export", shapes, "--level", "district")
    assert history() == []  # `ictr init` loads reference data, not a change
    ictr("boundaries", "import", shapes)
    [imported] = history()
    assert (imported["command"], imported["file"]) == ("ictr boundaries import", "huyen.geojson")
    assert imported["counts"]["unit_boundary"]["updated"] >= 11
    assert "11 imported from huyen.geojson" in ictr("boundaries", "status")
    ictr("undo", str(imported["id"]))
    assert "0 imported from -" in ictr("boundaries", "status").splitlines()[1]


def test_a_demo_reset_is_one_change_set_and_keeps_the_trail(
    demo_engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, ["R-1", "HG-H024", "PC", "Windows 10"]])
    ictr("import", "computers", path)
    before = trail(demo_engine)
    machines = table_counts(demo_engine)["computer"]
    reset_demo(demo_engine, province_code="02", actor=Actor(name="editor", role=Role.editor))
    [reset, imported] = history()
    assert (reset["user"], reset["command"]) == ("editor", "demo reset")
    assert reset["counts"]["computer"] == {"deleted": machines, "inserted": machines - 1}
    assert imported["file"] == "a.csv"
    with Session(demo_engine) as session:
        kept = session.exec(
            select(func.count()).select_from(ChangeRow).where(ChangeRow.change_set_id < reset["id"])
        ).one()
    assert kept == before[1]


def test_prune_records_counts_only_and_never_removes_the_trail(engine: Engine) -> None:
    points = add_points(engine, [{"code": "A", "address": "127.10.0.1"}])
    with locked_session(engine, "edit", change=Change(EDITOR, "edit point")) as session:
        from inventory.models import ConnectionPoint

        point = session.get(ConnectionPoint, points["A"])
        assert point is not None
        point.name = "Điểm A"
        session.add(point)
        session.commit()
    put(engine, [row(points["A"], datetime.now(UTC) - timedelta(days=100), rtt=1.0)])
    before = trail(engine)
    assert before == (1, 1)

    figures = json.loads(ictr("db", "prune", "--json"))
    assert figures["raw_rows"] == 1
    pruned = history()[0]
    assert pruned["command"] == "ictr db prune"
    assert pruned["counts"]["probe_result"] == {"deleted": 1}
    assert pruned["counts"]["rows_recorded"] is False
    assert trail(engine) == (before[0] + 1, before[1])  # no row recorded, none removed
    refused = runner.invoke(app, ["undo", str(pruned["id"])])
    assert refused.exit_code == 2
    assert "recorded counts only, not rows: it cannot be undone" in refused.output

    ictr("db", "prune")  # nothing left to fold: no empty change set
    assert trail(engine) == (before[0] + 1, before[1])


def test_core_statements_through_the_session_are_recorded_and_undone(hg_engine: Engine) -> None:
    """What a future writer may send: a bulk UPDATE by primary key, an UPDATE run for many
    parameter sets, a DELETE; each row is recorded, and the undo puts them all back."""
    sttt = agency_id(hg_engine, "STTTT")
    with Session(hg_engine) as session:
        for n in range(3):
            session.add(Computer(asset_tag=f"S-{n}", agency_id=sttt, os="Windows 7"))
        session.commit()
    start = {tag: c.model_dump() for tag, c in computers(hg_engine).items()}
    table = Computer.__table__  # type: ignore[attr-defined]
    with locked_session(hg_engine, "edit", change=Change(EDITOR, "bulk edit")) as session:
        ids = {tag: c["id"] for tag, c in start.items()}
        session.execute(
            update(Computer), [{"id": ids["S-0"], "notes": "a"}, {"id": ids["S-1"], "notes": "b"}]
        )
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(os=bindparam("b_os")),
            [{"b_id": ids["S-0"], "b_os": "Linux"}, {"b_id": ids["S-1"], "b_os": "BSD"}],
        )
        session.execute(delete(table).where(table.c.asset_tag == "S-2"))
        session.commit()
    with Session(hg_engine) as session:
        rows = [(r.key, r.before, r.after) for r in session.exec(select(ChangeRow)).all()]
    assert sorted(rows, key=str) == sorted(
        [
            ("S-0", {"notes": None}, {"notes": "a"}),
            ("S-1", {"notes": None}, {"notes": "b"}),
            ("S-0", {"os": "Windows 7"}, {"os": "Linux"}),
            ("S-1", {"os": "Windows 7"}, {"os": "BSD"}),
            ("S-2", start["S-2"] | {"kind": "desktop", "status": "in_use"}, None),
        ],
        key=str,
    )
    [edit] = history()
    ictr("undo", str(edit["id"]))
    assert {tag: c.model_dump() for tag, c in computers(hg_engine).items()} == start


def test_ictr_demo_on_an_empty_database_is_one_change_set_without_the_units(db_url: str) -> None:
    """`ictr demo` on a new database also loads the units and their 2020 -> 2025
    correspondence (a two-column key): reference data, not recorded; the demo's rows are."""
    ictr("demo")
    [loaded] = history()
    assert loaded["command"] == "ictr demo"
    assert "admin_unit" not in loaded["counts"] and "unit_correspondence" not in loaded["counts"]
    assert loaded["counts"]["agency"]["inserted"] > 200
