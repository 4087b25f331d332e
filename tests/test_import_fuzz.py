"""Hundreds of generated hostile files per importer, through `ictr import` in-process.

Whatever the bytes, the command ends with exit code 0 or 2 and never a traceback. Exit code 2
leaves the database exactly as it was and says why in one stderr line naming the file. Exit
code 0 happens only for a file that really is valid: one not built to be refused, whose
import stored only records of the valid file it was made from.

The files come from a seeded generator, so every case is rebuilt the same way each run and a
failure names it (`points #87 xlsx-truncated`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from ictr.cli.main import app
from tests.hostile_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    KEYS,
    NUMBER_CELL,
    NUMBER_COLUMN,
    SHARED_STRINGS,
    SHEET,
    TEXT_COLUMN,
    UNDEFINED_ENTITY,
    VALID,
    csv_bytes,
    database_dump,
    rewrite_member,
    with_number_cell,
    xlsx_bytes,
)
from tests.import_fixtures import hg_engine_fixture, to_cp1258  # noqa: F401

SEED = 20261201
KINDS = ["computers", "agencies", "points"]
KEY_COLUMN = {"computers": "asset_tag", "agencies": "code", "points": "code"}
TABLE = {"computers": "computer", "agencies": "agency", "points": "connection_point"}

# Refused in any number column of any kind: beyond every limit, or no number at all.
BAD_NUMBERS: list[object] = [
    10**13,
    10**20,
    10**40,
    10**400,
    "9" * 20,
    "9" * 400,
    "1e400",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-5",
    "²",
    "٣",
    "1e-400",
    "12\x0034",
    "\x00",
]
# Refused in the text column of every kind: a NUL, or longer than any text limit.
BAD_TEXTS: list[object] = ["a\x00b", "\x00", "x" * 5000, "Đồng Văn " * 600]
# Odd but maybe acceptable somewhere: what a column makes of them decides.
ODD_VALUES: list[object] = [
    *BAD_NUMBERS,
    *BAD_TEXTS,
    "🙂",
    "\u202etxet",
    "e\u0301",
    "\ufeffx",
    "\u200b",
    "=1+1",
    "=cmd|' /C calc'!A0",
    "'",
    '"',
    "\r\n",
    "\t",
    " ",
    "",
    0,
    -1,
    1.5,
    2**63,
    -(2**63) - 1,
    "0x1F",
    "1_000",
]


@dataclass(frozen=True)
class Case:
    name: str
    suffix: str
    data: bytes
    hostile: bool  # built to be refused; otherwise it may import, but only VALID's records


def _random_bytes(rng: random.Random, size: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(size))


def _mangled(rng: random.Random, data: bytes) -> bytes:
    """1 to 6 random edits: flip, insert, delete, duplicate a run, insert a NUL."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(out)) if out else 0
        edit = rng.choice(["flip", "insert", "delete", "duplicate", "nul"])
        if edit == "flip" and out:
            out[at] ^= 1 << rng.randrange(8)
        elif edit == "insert":
            out[at:at] = _random_bytes(rng, rng.randint(1, 8))
        elif edit == "delete":
            del out[at : at + rng.randint(1, 8)]
        elif edit == "duplicate":
            out[at:at] = out[at : at + rng.randint(1, 64)]
        else:
            out[at:at] = b"\x00"
    return bytes(out)


def _in_xml(value: object) -> bool:
    """Whether openpyxl can write the value: XML has no NUL (nor most control characters),
    and a number cell is a double (the "number-cell" cases below write bigger ones raw)."""
    if isinstance(value, int):
        return abs(value) < 2**1023
    return not (isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value))


def _with_cell(kind: str, row: int, column: int, value: object) -> list[list[object]]:
    rows = [list(r) for r in VALID[kind]]
    rows[row][column] = value
    return rows


def cases(kind: str) -> list[Case]:
    rng = random.Random(f"{SEED}-{kind}")
    text_form = csv_bytes(VALID[kind])
    workbook = xlsx_bytes(VALID[kind])
    out: list[Case] = []

    def add(name: str, suffix: str, data: bytes | str, hostile: bool) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        out.append(Case(f"{kind} #{len(out)} {name}", suffix, raw, hostile))

    for _ in range(20):
        add("random-bytes", ".csv", _random_bytes(rng, rng.choice([0, 1, 7, 300, 4000])), True)
    for _ in range(10):
        add("random-bytes", ".xlsx", _random_bytes(rng, rng.choice([0, 22, 300, 4000])), True)
    for _ in range(5):
        junk = "\n".join(
            rng.choice([",", ";", "\t"]).join(
                "".join(chr(rng.randint(32, 0x2FF)) for _ in range(rng.randint(0, 12)))
                for _ in range(rng.randint(1, 8))
            )
            for _ in range(rng.randint(1, 30))
        )
        add("random-text", ".csv", junk, True)

    # The valid file in encodings the importer does not read, or broken in those it does.
    for encoding in ["utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]:
        add(f"encoding-{encoding}", ".csv", text_form.encode(encoding), False)
    for encoding in ["cp1252", "latin-1", "shift_jis", "gb18030", "koi8-r", "cp1251", "big5"]:
        add(f"encoding-{encoding}", ".csv", text_form.encode(encoding, "replace"), False)
    utf16 = b"\xff\xfe" + text_form.encode("utf-16-le")
    for cut in (1, 3, 5):
        add("utf-16-cut", ".csv", utf16[:-cut], True)
    add("utf-16-lone-surrogate", ".csv", utf16[:20] + b"\x00\xd8" + utf16[20:24], True)
    for byte in (0x81, 0x8A, 0x8D, 0x8E, 0x8F, 0x90, 0x9A, 0x9D, 0x9E):
        legacy = to_cp1258(text_form)
        at = rng.randrange(len(legacy))
        add(f"cp1258-undefined-{byte:02X}", ".csv", legacy[:at] + bytes([byte]) + legacy[at:], True)
    for _ in range(25):
        add("csv-mangled", ".csv", _mangled(rng, text_form.encode()), False)

    # The valid file with one cell no column of its kind can take.
    for value in BAD_NUMBERS:
        rows = _with_cell(kind, rng.choice([1, 2]), NUMBER_COLUMN[kind], value)
        add(f"bad-number {value!r:.20}", ".csv", csv_bytes(rows), True)
        if _in_xml(value):
            add(f"bad-number {value!r:.20}", ".xlsx", xlsx_bytes(rows), True)
    for value in BAD_TEXTS:
        rows = _with_cell(kind, rng.choice([1, 2]), TEXT_COLUMN[kind], value)
        add(f"bad-text {value!r:.20}", ".csv", csv_bytes(rows), True)
    for value in rng.sample(ODD_VALUES, 25):
        column = rng.randrange(1, len(VALID[kind][0]))  # not the key: it would name a new record
        rows = _with_cell(kind, rng.choice([1, 2]), column, value)
        if _in_xml(value) and rng.random() < 0.5:
            add(f"odd-cell {value!r:.20}", ".xlsx", xlsx_bytes(rows), False)
        else:
            add(f"odd-cell {value!r:.20}", ".csv", csv_bytes(rows), False)

    # Cells the importer would drop without a word, and files with nothing to import.
    add("right-of-header", ".csv", csv_bytes([*VALID[kind][:2], [*VALID[kind][2], "", "x"]]), True)
    add("right-of-header", ".xlsx", xlsx_bytes([*VALID[kind][:2], [*VALID[kind][2], "x"]]), True)
    add("header-only", ".csv", csv_bytes(VALID[kind][:1]), True)
    add("header-only", ".xlsx", xlsx_bytes(VALID[kind][:1]), True)
    add("no-header", ".csv", csv_bytes(VALID[kind][1:]), True)
    add("empty", ".csv", b"", True)
    add("blank-lines", ".csv", b" \r\n\t\r\n;;;\r\n", True)
    add("twice-the-header", ".csv", csv_bytes([VALID[kind][0] * 2, *VALID[kind][1:]]), True)

    # Damaged workbooks.
    for _ in range(15):
        add("xlsx-truncated", ".xlsx", workbook[: rng.randrange(len(workbook))], True)
    for _ in range(15):
        add("xlsx-mangled", ".xlsx", _mangled(rng, workbook), False)
    members: list[tuple[str, str, Callable[[bytes], bytes] | None]] = [
        ("billion-laughs", SHARED_STRINGS, lambda _: BILLION_LAUGHS.encode()),
        ("undefined-entity", SHARED_STRINGS, lambda _: UNDEFINED_ENTITY.encode()),
        ("external-entity", SHARED_STRINGS, lambda _: EXTERNAL_ENTITY.encode()),
        ("strings-random", SHARED_STRINGS, lambda _: _random_bytes(rng, 500)),
        ("strings-cut", SHARED_STRINGS, lambda x: x[: rng.randrange(len(x))]),
        ("strings-cut", SHARED_STRINGS, lambda x: x[: rng.randrange(len(x))]),
        ("strings-too-few", SHARED_STRINGS, lambda x: x[: x.index(b"<si>")] + b"</sst>"),
        ("strings-removed", SHARED_STRINGS, None),
        ("sheet-cut", SHEET, lambda x: x[: rng.randrange(len(x))]),
        ("sheet-cut", SHEET, lambda x: x[: rng.randrange(len(x))]),
        ("sheet-random", SHEET, lambda _: _random_bytes(rng, 800)),
        ("sheet-laughs", SHEET, lambda x: b'<!DOCTYPE w [<!ENTITY a "a">]>' + x),
        ("sheet-removed", SHEET, None),
        ("workbook-random", "xl/workbook.xml", lambda _: _random_bytes(rng, 300)),
        ("content-types-removed", "[Content_Types].xml", None),
        ("string-index", SHEET, lambda x: x.replace(b't="s"><v>1</v>', b't="s"><v>x</v>', 1)),
        ("string-index", SHEET, lambda x: x.replace(b't="s"><v>1</v>', b't="s"><v>99</v>', 1)),
    ]
    for name, member, change in members:
        add(f"xlsx-{name}", ".xlsx", rewrite_member(workbook, member, change), True)
    for raw, hostile in [
        ("NaN", True),
        ("inf", True),
        ("-Infinity", True),
        ("1E+400", True),
        ("-1E+400", True),
        ("9" * 30, True),
        ("9" * 5000, True),
        ("0x1F", True),
        ("abc", True),
        ("", False),
        (" 12 ", False),
        ("1_0", False),
        ("1e-400", False),
        ("-0", False),
    ]:
        add(
            f"number-cell {raw:.20}",
            ".xlsx",
            with_number_cell(workbook, NUMBER_CELL[kind], raw),
            hostile,
        )
    return out


def stored_keys(engine: Engine, kind: str) -> set[str]:
    with engine.connect() as connection:
        query = text(f"SELECT {KEY_COLUMN[kind]} FROM {TABLE[kind]}")
        return {str(key) for (key,) in connection.execute(query)}


def problems(engine: Engine, kind: str, case: Case, path: Path) -> list[str]:
    """What is wrong with how `ictr import` handled the case (nothing, ideally)."""
    path.write_bytes(case.data)
    before, keys_before = database_dump(engine), stored_keys(engine, kind)
    result = CliRunner().invoke(app, ["import", kind, str(path)])
    found = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        found.append(f"raised {result.exception!r}")
    if "Traceback" in result.output:
        found.append("printed a traceback")
    if len(result.output) > 300_000:
        found.append(f"printed {len(result.output):,} characters")
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith("error: ") or path.name not in lines[0]:
            found.append(f"stderr is not one line naming the file: {result.stderr[:300]!r}")
        if database_dump(engine) != before:
            found.append("refused, yet the database changed")
    elif result.exit_code == 0:
        if case.hostile:
            found.append(f"accepted: {result.output[-300:]!r}")
        # A mangled file can still be a well-formed one (a header with an unknown column,
        # one record fewer); what it stores must be records of the file it was made from.
        added = stored_keys(engine, kind) - keys_before
        if not added <= KEYS[kind]:
            found.append(f"accepted, storing keys {sorted(added)!r:.200}")
    else:
        found.append(f"exit code {result.exit_code}: {result.output[-300:]!r}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_no_file_ends_in_a_traceback(hg_engine: Engine, tmp_path: Path, kind: str) -> None:
    generated = cases(kind)
    assert len(generated) >= 150
    failures = []
    for number, case in enumerate(generated):
        found = problems(hg_engine, kind, case, tmp_path / f"f{number}{case.suffix}")
        failures += [f"{case.name}: {p}" for p in found]
    assert not failures, "\n".join(failures)
