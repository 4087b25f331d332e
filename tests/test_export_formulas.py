"""No text from the database becomes a spreadsheet formula in an export, and the exported
file re-imports exactly (issue 12, item 2).

Each writer is driven the way a user drives it: `ictr export computers`, `ictr plan -o`,
`ictr report`, `ictr indicators --format csv` and the inventory page's CSV download.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.db import session_scope
from inventory.models import AdminUnit, Agency, AgencyKind, Computer
from tests.conftest import PROJECT_ROOT
from tests.dashboard_browser import app_server, free_port, in_namespace, network_namespace
from tests.import_fixtures import computers, hg_engine_fixture  # noqa: F401 (hg_engine)
from tests.test_dashboard_e2e import browser_ready  # noqa: F401 (fixture used by name)

# Text as stored -> the CSV cell the export must write for it. Formula-like text (OWASP's
# = + - @ tab CR, and the full-width forms) gets one leading apostrophe; so does text that
# is apostrophes before formula-like text, so that the importer can remove exactly one.
CSV_CELL = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\t=1": "'\t=1",
    "\r=1": "'\r=1",
    " =1": "' =1",
    "'=1": "''=1",
    "''-1": "'''-1",
    "＝1+1": "'＝1+1",
    "＠A1": "'＠A1",
    "-": "'-",
    "'": "'",
    "'abc": "'abc",
    "#N/A": "#N/A",
    "a=1": "a=1",
    "Dell": "Dell",
}
# The importer trims the spaces around every cell, so these never come from an import and
# come back trimmed; the round trip is exact for every other text.
SURROUNDED_BY_SPACE = {"\t=1", "\r=1", " =1"}
ROUND_TRIP = [t for t in CSV_CELL if t not in SURROUNDED_BY_SPACE]
TEXT_FIELDS = ("serial", "manufacturer", "model", "cpu", "os", "os_upgrade_blocker", "notes")
HOSTILE_AGENCY = {"code": "@A1", "name": '=HYPERLINK("http://x","y")'}
CSV_HEADERS = {  # `--headers en`: the canonical names
    "asset_tag": "asset_tag",
    **{f: f for f in TEXT_FIELDS},
    "agency_code": "agency_code",
    "agency": "agency",
}


def _seed(engine: Engine, texts: list[str]) -> None:
    """For each text a computer holding it in every text field, its asset tag "T<i>"; one
    more computer whose asset tag is each text (where it can be a key); all of an agency
    with a formula-like code and name."""
    with session_scope(engine) as session:
        agency = Agency(
            code=HOSTILE_AGENCY["code"],
            name=HOSTILE_AGENCY["name"],
            kind=AgencyKind.commune_committee,
            unit_code="00715",
            officials=5,
        )
        session.add(agency)
        session.flush()
        for i, value in enumerate(texts):
            fields = dict.fromkeys(TEXT_FIELDS, value)
            session.add(
                Computer(asset_tag=f"T{i:02}", agency_id=agency.id, purchase_year=2015, **fields)
            )
            if value.strip() and value not in SURROUNDED_BY_SPACE:
                session.add(
                    Computer(
                        asset_tag=value, agency_id=agency.id, purchase_year=2016, purchase_cost=9.5
                    )
                )


@pytest.fixture
def hostile(hg_engine: Engine) -> Engine:
    _seed(hg_engine, list(CSV_CELL))
    return hg_engine


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _snapshot(engine: Engine) -> dict[str, dict[str, object]]:
    return {tag: c.model_dump() for tag, c in computers(engine).items()}


def _stored(engine: Engine, tag: str) -> Computer:
    with Session(engine) as session:
        return session.exec(select(Computer).where(Computer.asset_tag == tag)).one()


def test_csv_export_marks_formula_text_with_an_apostrophe(hostile: Engine, tmp_path: Path) -> None:
    out = tmp_path / "may.csv"
    _invoke("export", "computers", "-o", str(out), "--headers", "en")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["asset_tag"]: r for r in csv.DictReader(handle)}
    for i, (text, cell) in enumerate(CSV_CELL.items()):
        row = rows[f"T{i:02}"]
        assert {f: row[f] for f in TEXT_FIELDS} == dict.fromkeys(TEXT_FIELDS, cell), text
        if text.strip() and text not in SURROUNDED_BY_SPACE:
            assert cell in rows, text  # the asset tag column too
    assert rows["T00"]["agency_code"] == "'@A1"
    assert rows["T00"]["agency"] == '\'=HYPERLINK("http://x","y")'
    # Numbers are not text: written as they are.
    assert rows["'-2+3"]["purchase_cost"] == "9.5" and rows["T00"]["purchase_date"] == "2015"


def _sheet_cells(path: Path) -> Iterator[Any]:
    # Not read-only and not data_only: the cell types as written.
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_formula(path: Path) -> list[Any]:
    cells = list(_sheet_cells(path))
    formulas = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == []
    errors = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "e"]
    assert errors == []
    return cells


def test_xlsx_export_writes_every_text_as_a_string_cell(hostile: Engine, tmp_path: Path) -> None:
    out = tmp_path / "may.xlsx"
    _invoke("export", "computers", "-o", str(out), "--headers", "en")
    _assert_no_formula(out)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)}
    for i, text in enumerate(CSV_CELL):
        row = rows[f"T{i:02}"]
        # XML reads a carriage return back as a line feed (openpyxl writes it raw): not a
        # formula matter, and no import stores a text that starts with one.
        expected = text.replace("\r", "\n")
        for field in TEXT_FIELDS:
            assert (row[field].value, row[field].data_type) == (expected, "s"), (text, field)
    assert rows["T00"]["agency"].value == HOSTILE_AGENCY["name"]
    # Excel's own mark for "typed as text", so that editing the cell keeps it text.
    assert rows["T00"]["notes"].quotePrefix and not rows["T17"]["notes"].quotePrefix
    assert rows["-2+3"]["purchase_cost"].data_type == "n"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_is_exact(hg_engine: Engine, tmp_path: Path, fmt: str) -> None:
    _seed(hg_engine, ROUND_TRIP)
    before = _snapshot(hg_engine)
    out = tmp_path / f"may.{fmt}"
    _invoke("export", "computers", "-o", str(out))
    result = _invoke("import", "computers", str(out))
    assert f"new 0, updated 0, unchanged {len(before)}" in result.output
    assert _snapshot(hg_engine) == before
    for i, text in enumerate(ROUND_TRIP):
        assert _stored(hg_engine, f"T{i:02}").notes == text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_short_text_of_quotes_and_formula_starts_round_trips(
    hg_engine: Engine, tmp_path: Path, fmt: str
) -> None:
    """All 1- to 4-character texts over apostrophe, formula starts and a letter: the
    apostrophe rule must give back each one exactly, whatever it begins with."""
    alphabet = ["'", "=", "-", "＠", "a"]
    texts = ["".join(p) for n in range(1, 5) for p in itertools.product(alphabet, repeat=n)]
    _seed(hg_engine, texts)
    before = _snapshot(hg_engine)
    out = tmp_path / f"may.{fmt}"
    _invoke("export", "computers", "-o", str(out))
    result = _invoke("import", "computers", str(out))
    assert f"new 0, updated 0, unchanged {len(before)}" in result.output
    assert _snapshot(hg_engine) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_text_with_spaces_around_comes_back_trimmed_never_as_a_formula(
    hg_engine: Engine, tmp_path: Path, fmt: str
) -> None:
    _seed(hg_engine, sorted(SURROUNDED_BY_SPACE))
    out = tmp_path / f"may.{fmt}"
    _invoke("export", "computers", "-o", str(out))
    _invoke("import", "computers", str(out))
    assert {_stored(hg_engine, f"T{i:02}").notes for i in range(3)} == {"=1"}


def test_the_importer_removes_one_apostrophe_and_only_before_formula_text(
    hg_engine: Engine, tmp_path: Path
) -> None:
    # As someone could type them: the cell on the left is stored as the text on the right.
    read_as = {
        "'=1": "=1",
        "''=1": "'=1",
        "'-": "-",
        "'＠x": "＠x",
        "'abc": "'abc",
        "'": "'",
        "''": "''",
        "'1": "'1",
        "=1": "=1",
    }
    path = tmp_path / "tay.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã tài sản", "Mã cơ quan", "Ghi chú"])
        writer.writerows([f"M{i}", "X00715", cell] for i, cell in enumerate(read_as))
    _invoke("import", "computers", str(path))
    stored = {tag: c.notes for tag, c in computers(hg_engine).items()}
    assert stored == {f"M{i}": text for i, text in enumerate(read_as.values())}


def test_plan_xlsx_writes_text_not_formulas(hostile: Engine, tmp_path: Path) -> None:
    out = tmp_path / "ke-hoach.xlsx"
    _invoke("plan", "--from", "2027", "--years", "2", "-o", str(out))
    cells = _assert_no_formula(out)
    texts = {c.value for c in cells if c.data_type == "s"}
    assert {HOSTILE_AGENCY["name"], HOSTILE_AGENCY["code"]} <= texts
    assert set(ROUND_TRIP) <= texts  # asset tags and OS names of the due computers


def _ictr(*args: str) -> subprocess.CompletedProcess[str]:
    """`ictr` in its own process: what it prints up to its exit, tracebacks included."""
    return subprocess.run(
        [sys.executable, "-m", "ictr.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_control_character_an_xlsx_cannot_hold_is_one_clear_error(
    hg_engine: Engine, tmp_path: Path
) -> None:
    _seed(hg_engine, ["Windows\x07 10"])
    out = tmp_path / "may.xlsx"
    done = _ictr("export", "computers", "-o", str(out))
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "error: cannot write may.xlsx: T00, column Số serial: 'Windows\\x07 10' holds the "
        "control character U+0007, which an .xlsx file cannot hold: correct the value, or "
        "export as CSV"
    ]
    assert not out.exists()
    plan = tmp_path / "ke-hoach.xlsx"
    done = _ictr("plan", "--from", "2027", "-o", str(plan))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "cannot write ke-hoach.xlsx: 'Windows\\x07 10' holds the control character U+0007" in (
        done.stderr
    )
    assert not plan.exists()
    # CSV holds any text, and gives it back.
    before = _snapshot(hg_engine)
    _invoke("export", "computers", "-o", str(tmp_path / "may.csv"))
    _invoke("import", "computers", str(tmp_path / "may.csv"))
    assert _snapshot(hg_engine) == before


@pytest.fixture
def hostile_district(hostile: Engine) -> str:
    """Đồng Văn (026) renamed to a formula, as a database could hold it."""
    name = '=HYPERLINK("http://x","Đồng Văn")'
    with session_scope(hostile) as session:
        unit = session.exec(select(AdminUnit).where(AdminUnit.code == "026")).one()
        unit.name = name
    return name


def test_report_xlsx_writes_unit_names_as_text(hostile_district: str, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    _invoke("report", "--year", "2024", "-o", str(out))  # a year with districts
    cells = _assert_no_formula(out)
    named = [c for c in cells if c.value == hostile_district]
    assert named and all(c.data_type == "s" and c.quotePrefix for c in named)


def test_indicators_csv_marks_formula_names(hostile_district: str) -> None:
    # Districts exist up to 2025-06-30 (the two-level structure has none).
    result = _invoke("indicators", "--level", "district", "--at", "2025-06-30", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    names = {r["code"]: r["name"] for r in rows}
    assert names["026"] == "'" + hostile_district
    assert len(rows) == 11


class _KeptMedia(MemoryMediaFileStorage):
    """The test app's media store, kept so that a download's bytes can be read after a run."""

    files: dict[str, bytes] = {}

    def load_and_get_id(self, path_or_data: Any, mimetype: str, kind: Any, filename: Any = None):  # type: ignore[no-untyped-def]
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        self.files[file_id] = self._files_by_id[file_id].content
        return file_id


def test_inventory_page_csv_download_marks_formula_text(
    hostile: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", _KeptMedia)
    monkeypatch.setattr(_KeptMedia, "files", {})
    page = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    page.switch_page("dashboard/pages/inventory.py")
    page.run()
    assert not page.exception, [e.message for e in page.exception]
    button = next(b for b in page.get("download_button") if b.key == "inv_csv")
    file_id = Path(button.proto.url).stem
    text = _KeptMedia.files[file_id].decode("utf-8-sig")
    rows = {r["asset_tag"]: r for r in csv.DictReader(io.StringIO(text))}
    for i, (value, cell) in enumerate(CSV_CELL.items()):
        row = rows[f"T{i:02}"]
        assert (row["manufacturer"], row["model"], row["os"]) == (cell, cell, cell), value
    assert rows["T00"]["agency_name"] == '\'=HYPERLINK("http://x","y")'
    assert rows["T00"]["purchase_year"] == "2015"


# The server runs in a namespace of its own, which cannot reach a PostgreSQL server on the
# host's loopback; what the browser is shown does not depend on the engine.
@pytest.mark.sqlite_only
@pytest.mark.usefixtures("browser_ready")
def test_tables_offer_no_download_that_writes_cells_raw(
    hostile: Engine, db_url: str, tmp_path: Path
) -> None:
    """Streamlit's own table download writes each cell as it is (=HYPERLINK... live): the
    dashboard turns it off, as `ictr up` starts it; the page's CSV button stays."""
    with network_namespace() as namespace:
        with app_server(
            database_url=db_url,
            port=free_port(),
            namespace=namespace,
            log_path=tmp_path / "streamlit.log",
        ) as url:
            done = subprocess.run(
                in_namespace(
                    namespace,
                    [sys.executable, "-m", "tests.table_toolbar_browser", f"{url}inventory"],
                ),
                cwd=PROJECT_ROOT,
                env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                capture_output=True,
                text=True,
                timeout=180,
            )
    assert done.returncode == 0, done.stderr[-4000:]
    labels = json.loads(done.stdout.strip().splitlines()[-1])["labels"]
    assert "Search" in labels  # the toolbar was there
    assert "Download as CSV" not in labels
