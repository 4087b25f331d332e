"""The audit trail through the command line: every import is a change set naming who, when,
the file and its rows; `ictr undo` puts an import back so exactly that the exports before
and after are identical; a later change to the same rows stops an undo unless forced."""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.actor import Actor, Role
from inventory.models import ChangeRow, ChangeSet
from tests.import_fixtures import (
    computers,
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
)

runner = CliRunner()
GOOD_HEADER = ["Mã tài sản", "Cơ quan", "Loại máy", "Hệ điều hành", "RAM (GB)", "Tình trạng"]
CLI_USER = f"cli:{getpass.getuser()}"


def ictr(*args: str | Path) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def history(*args: str) -> list[dict]:
    return json.loads(ictr("history", "--format", "json", *args))


def exported(kind: str, path: Path) -> bytes:
    ictr("export", kind, "-o", path)
    return path.read_bytes()


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def edited(source: Path, target: Path, change: dict[int, str], copy_as: dict[int, str]) -> Path:
    """The first rows of an export with `change` (column: value) made to its first data row
    and a second data row copied as a new row with `copy_as` (column: value)."""
    header, first, second, *_ = read_rows(source)
    first = list(first)
    for column, value in change.items():
        first[column] = value
    new = list(second)
    for column, value in copy_as.items():
        new[column] = value
    return write_csv(target, [header, first, second, new])


def test_undo_after_imports_gives_byte_identical_exports(
    demo_engine: Engine, tmp_path: Path
) -> None:
    before = {
        kind: exported(kind, tmp_path / f"{kind}-0.csv")
        for kind in ("computers", "services", "certificates")
    }
    # Computers: a new OS for one, a new one in a new agency (created by the import).
    machines = edited(
        tmp_path / "computers-0.csv",
        tmp_path / "may.csv",
        {7: "Windows 11"},
        {0: "AUDIT-0001", 10: "", 11: "Trường Mới", 12: "00715"},
    )
    # Services: new figures for one agency and a period it had none for.
    services = edited(tmp_path / "services-0.csv", tmp_path / "dv.csv", {4: "999"}, {3: "2019"})
    certificates = edited(
        tmp_path / "certificates-0.csv",
        tmp_path / "cts.csv",
        {1: "Nguyễn Văn Sửa"},
        {0: "54FFFFFFFF01"},
    )
    ictr("import", "computers", machines, "--create-agencies")
    ictr("import", "services", services)
    ictr("import", "certificates", certificates)
    sets = history()
    assert [s["command"] for s in sets[:3]] == [
        "ictr import certificates",
        "ictr import services",
        "ictr import computers",
    ]
    imports = {s["command"].split()[-1]: s for s in sets[:3]}
    assert imports["computers"]["counts"]["computer"] == {"inserted": 1, "updated": 1}
    assert imports["computers"]["counts"]["agency"] == {"inserted": 1}
    assert imports["services"]["counts"]["service_figure"] == {"inserted": 1, "updated": 1}
    assert imports["certificates"]["counts"]["certificate"] == {"inserted": 1, "updated": 1}
    assert imports["computers"]["sha256"] == hashlib.sha256(machines.read_bytes()).hexdigest()
    changed = {
        kind: exported(kind, tmp_path / f"{kind}-1.csv")
        for kind in ("computers", "services", "certificates")
    }
    assert all(changed[k] != before[k] for k in before)

    # Newest first, so that no undo conflicts with a later import.
    for kind in ("certificates", "services", "computers"):
        out = ictr("undo", str(imports[kind]["id"]))
        assert f"undid change set {imports[kind]['id']}" in out
    after = {
        kind: exported(kind, tmp_path / f"{kind}-2.csv")
        for kind in ("computers", "services", "certificates")
    }
    assert after == before
    undos = history("--user", CLI_USER)[:3]
    assert [u["command"] for u in undos] == [
        f"ictr undo {imports[k]['id']}" for k in ("computers", "services", "certificates")
    ]


def test_undo_of_an_update_restores_the_old_values(hg_engine: Engine, tmp_path: Path) -> None:
    first = write_csv(
        tmp_path / "a.csv",
        [GOOD_HEADER, ["U-1", "STTTT", "PC", "Windows 7", "8", "Đang sử dụng"]],
    )
    second = write_csv(
        tmp_path / "b.csv",
        [GOOD_HEADER, ["U-1", "STTTT", "Laptop", "Windows 11", "16", "Hỏng"]],
    )
    ictr("import", "computers", first)
    stored = computers(hg_engine)["U-1"].model_dump()
    ictr("import", "computers", second)
    update = history()[0]
    assert update["counts"]["computer"] == {"updated": 1}
    changed = computers(hg_engine)["U-1"]
    assert (changed.os, changed.ram_gb, changed.kind.value) == ("Windows 11", 16, "laptop")

    shown = ictr("history", "--change-set", str(update["id"]))
    assert "~ computer U-1: " in shown
    assert "os: 'Windows 7' -> 'Windows 11'" in shown
    [detail] = history("--change-set", str(update["id"]))
    assert detail["rows"] == [
        {
            "table": "computer",
            "key": "U-1",
            "before": {"kind": "desktop", "os": "Windows 7", "ram_gb": 8, "status": "in_use"},
            "after": {"kind": "laptop", "os": "Windows 11", "ram_gb": 16, "status": "broken"},
        }
    ]
    ictr("undo", str(update["id"]))
    assert computers(hg_engine)["U-1"].model_dump() == stored


def test_an_undo_conflicting_with_a_later_change_is_refused_naming_the_rows(
    hg_engine: Engine, tmp_path: Path
) -> None:
    ictr(
        "import",
        "computers",
        write_csv(tmp_path / "a.csv", [GOOD_HEADER, ["C-1", "STTTT", "PC", "Windows 7", "8", ""]]),
    )
    ictr(
        "import",
        "computers",
        write_csv(tmp_path / "b.csv", [GOOD_HEADER, ["C-2", "STTTT", "PC", "Windows 7", "8", ""]]),
    )
    ictr(
        "import",
        "computers",
        write_csv(tmp_path / "c.csv", [GOOD_HEADER, ["C-1", "STTTT", "PC", "Linux", "8", ""]]),
    )
    first, second, third = (s["id"] for s in reversed(history()))

    refused = runner.invoke(app, ["undo", str(first)])
    assert refused.exit_code == 2
    assert "Traceback" not in refused.output
    assert f"change set {first} cannot be undone" in refused.output
    assert f"computer C-1 (change set {third}, {CLI_USER}" in refused.output
    assert "C-2" not in refused.output
    assert set(computers(hg_engine)) == {"C-1", "C-2"}
    assert len(history()) == 3  # a refused undo records nothing

    # An undo without a conflict goes through while the other is refused.
    ictr("undo", str(second))
    assert set(computers(hg_engine)) == {"C-1"}

    forced = runner.invoke(app, ["undo", str(first), "--force"])
    assert forced.exit_code == 0, forced.output
    assert f"computer C-1 (change set {third}" in forced.output  # shown before undoing
    assert computers(hg_engine) == {}


def test_history_json_shape_and_filters(hg_engine: Engine, tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", [GOOD_HEADER, ["H-1", "STTTT", "PC", "Windows 7", "8", ""]])
    b = write_csv(tmp_path / "b.csv", [GOOD_HEADER, ["H-2", "H026", "PC", "Windows 10", "8", ""]])
    ictr("import", "computers", a)
    editor = Actor(name="lan.nt", role=Role.editor, scope="026")
    from inventory.importing import ImportOptions, run_import

    report = run_import(
        engine=hg_engine, entity="computers", path=b, options=ImportOptions(), actor=editor
    )
    assert report.ok
    sets = history()
    assert [set(s) for s in sets] == [
        {"id", "user", "at", "command", "file", "sha256", "counts"}
    ] * 2
    assert [(s["user"], s["file"]) for s in sets] == [("lan.nt", "b.csv"), (CLI_USER, "a.csv")]
    assert all(s["at"].endswith("+00:00") for s in sets)  # UTC in JSON
    assert [s["file"] for s in history("--user", "lan.nt")] == ["b.csv"]
    assert [s["file"] for s in history("--key", "H-1")] == ["a.csv"]
    assert [s["file"] for s in history("--table", "computer", "--key", "H-2")] == ["b.csv"]
    assert history("--table", "certificate") == []
    assert history("--user", "nobody") == []
    table = ictr("history")
    assert "lan.nt" in table and "ictr import computers b.csv" in table
    missing = runner.invoke(app, ["history", "--change-set", "99"])
    assert missing.exit_code == 2
    assert "no change set 99" in missing.output


def test_dry_runs_and_refused_files_record_nothing(hg_engine: Engine, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "a.csv", [GOOD_HEADER, ["D-1", "STTTT", "PC", "Win", "8", ""]])
    bad = write_csv(tmp_path / "b.csv", [GOOD_HEADER, ["D-2", "STTTT", "PC", "Win", "lots", ""]])
    ictr("import", "computers", good, "--dry-run")
    assert runner.invoke(app, ["import", "computers", str(bad)]).exit_code == 2
    assert history() == []
    report = do_import(hg_engine, "computers", good)
    assert report.ok
    with Session(hg_engine) as session:
        assert session.exec(select(func.count()).select_from(ChangeSet)).one() == 1
        rows = session.exec(select(ChangeRow)).all()
    assert [(r.table_name, r.key, r.before) for r in rows] == [("computer", "D-1", None)]
    assert rows[0].after is not None and rows[0].after["os"] == "Win"


def test_undo_of_an_unknown_change_set_is_one_line(engine: Engine) -> None:
    result = runner.invoke(app, ["undo", "7"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: no change set 7 (`ictr history` lists them)"
