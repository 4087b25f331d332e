"""Benchmark: validated import of 100,000 certificates from a province-style XLSX list
(title rows above the header, Excel date cells and dd/mm/yyyy text, serials with colons)
against a baseline, in the same run and on the same file.

Baseline: pandas reads the sheet (read_excel, calamine when installed, else openpyxl), the
columns are mapped with vectorised lookups (agency by name, serial upper-cased without
colons, dates parsed), and the rows go in with one bulk INSERT: no validation, no report,
no matching of stored rows. Ours: `run_import`, what `ictr import certificates FILE` runs.
Target: validated import within 3x the baseline's time.

    .venv/bin/python bench/import_certificates.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
from sqlalchemy import insert
from sqlmodel import Session, select

from inventory.admin_units import load_units
from inventory.db import dispose_engines, get_engine, session_scope
from inventory.importing import ImportOptions, run_import
from inventory.migrate import upgrade
from inventory.models import AdminUnit, Agency, AgencyKind, Certificate, UnitLevel

TITLE = [
    ["DANH SÁCH CHỨNG THƯ SỐ ĐÃ CẤP CHO CÁC CƠ QUAN NHÀ NƯỚC"],
    ["(Kèm theo Báo cáo số 45/BC-STTTT ngày 30/11/2026)"],
    [],
]
HEADER = [
    "STT",
    "Họ và tên",
    "Chức vụ",
    "Cơ quan/đơn vị",
    "Số hiệu chứng thư",
    "Loại chứng thư",
    "Ngày hiệu lực",
    "Ngày hết hạn",
    "Tình trạng",
    "Email",
    "Token",
]
KINDS = {"Cá nhân": "personal", "Tổ chức": "organisation"}
STATUSES = {"Đang hoạt động": "active", "Tạm dừng": "suspended", "Đã thu hồi": "revoked"}
AGENCIES = 200
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vàng", "Lò", "Giàng", "Sùng", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Seo", "Mí", "Đức", "Minh", "Thu"]
GIVEN = ["An", "Bình", "Chứ", "Dung", "Giang", "Hạnh", "Khánh", "Lan", "Say", "Tùng"]


def generate_rows(n: int) -> list[list[object]]:
    rng = random.Random(2026)
    rows: list[list[object]] = []
    serial = 0x5404_0000_0000
    for i in range(n):
        serial += rng.randint(1, 4096)
        issued = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2500))
        expires = issued + timedelta(days=5 * 365)
        text = f"{serial:X}"
        written = ":".join(text[j : j + 2] for j in range(0, len(text), 2)) if i % 3 else text
        rows.append(
            [
                i + 1,
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                rng.choice(["Giám đốc", "Phó Giám đốc", "Chủ tịch", "Chánh Văn phòng", ""]),
                f"Cơ quan thử {rng.randrange(AGENCIES):03d}",
                written.lower() if i % 5 == 0 else written,
                rng.choices(list(KINDS), weights=[90, 10])[0],
                issued,  # an Excel date cell
                expires.strftime("%d/%m/%Y"),  # text, as typed
                rng.choices(list(STATUSES), weights=[92, 5, 3])[0],
                f"user{i}@hagiang.gov.vn" if rng.random() < 0.6 else "",
                f"TK-{i:06d}",
            ]
        )
    return rows


def write_xlsx(folder: Path, rows: list[list[object]]) -> Path:
    path = folder / "chung-thu-so.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    for row in [*TITLE, HEADER, *rows]:
        sheet.append(row)
    workbook.save(path)
    return path


def make_template(path: Path) -> None:
    engine = get_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_scope(engine) as session:
        load_units(session, province_code="02")
        communes = list(
            session.exec(select(AdminUnit.code).where(AdminUnit.level == UnitLevel.commune))
        )
        for i in range(AGENCIES):
            session.add(
                Agency(
                    code=f"BA-{i:03d}",
                    name=f"Cơ quan thử {i:03d}",
                    kind=AgencyKind.commune_committee,
                    unit_code=communes[i % len(communes)],
                    officials=500,
                    signing_officials=400,
                )
            )
    dispose_engines()


def fresh_db(template: Path, folder: Path, name: str) -> str:
    target = folder / f"{name}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def validated_import(url: str, path: Path) -> int:
    report = run_import(
        engine=get_engine(url), entity="certificates", path=path, options=ImportOptions()
    )
    assert report.ok, report.lines()[:5]
    return report.counts.new


BASELINE_ENGINE = "calamine" if importlib.util.find_spec("python_calamine") else "openpyxl"


def baseline_import(url: str, path: Path) -> int:
    frame = pd.read_excel(path, header=3, dtype=str, keep_default_na=False, engine=BASELINE_ENGINE)
    engine = get_engine(url)
    with Session(engine) as session:
        agency_ids = dict(session.exec(select(Agency.name, Agency.id)).all())
        serials = frame["Số hiệu chứng thư"].str.replace(":", "").str.upper().str.lstrip("0")
        out = pd.DataFrame(
            {
                "serial": serials,
                "holder": frame["Họ và tên"],
                "title": frame["Chức vụ"].replace("", None),
                "kind": frame["Loại chứng thư"].map(KINDS),
                "status": frame["Tình trạng"].map(STATUSES),
                "agency_id": frame["Cơ quan/đơn vị"].map(agency_ids),
                "issued_on": pd.to_datetime(frame["Ngày hiệu lực"].str[:10]).dt.date,
                "expires_on": pd.to_datetime(frame["Ngày hết hạn"], format="%d/%m/%Y").dt.date,
                "email": frame["Email"].replace("", None),
                "token": frame["Token"],
            }
        )
        records = out.astype(object).where(out.notna(), None).to_dict("records")
        session.execute(insert(Certificate), records)
        session.commit()
    return len(records)


def median_time(runs: int, action: Callable[[int], int]) -> tuple[float, int]:
    times = []
    count = 0
    for run in range(runs):
        started = time.perf_counter()
        count = action(run)
        times.append(time.perf_counter() - started)
        dispose_engines()
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ictr-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        path = write_xlsx(folder, generate_rows(args.rows))
        template = folder / "template.sqlite"
        make_template(template)
        took = time.perf_counter() - started
        print(f"generated {args.rows:,} certificates as XLSX in {took:.1f} s")
        print(f"median of {args.runs} runs each, fresh SQLite database per run\n")
        print(f"{'what':44} {'seconds':>8} {'rows/s':>10} {'x baseline':>11}")
        base, n_base = median_time(
            args.runs, lambda r: baseline_import(fresh_db(template, folder, f"b{r}"), path)
        )
        ours, n_ours = median_time(
            args.runs, lambda r: validated_import(fresh_db(template, folder, f"v{r}"), path)
        )
        assert n_base == n_ours == args.rows, (n_base, n_ours)
        label = f"baseline: pandas read_excel ({BASELINE_ENGINE}) + INSERT"
        print(f"{label:44} {base:8.2f} {args.rows / base:10,.0f} {1:11.2f}")
        print(
            f"{'ictr import certificates (validated)':44} {ours:8.2f} "
            f"{args.rows / ours:10,.0f} {ours / base:11.2f}  (target <= 3)"
        )

        url = fresh_db(template, folder, "again")
        validated_import(url, path)
        again, _ = median_time(1, lambda r: _unchanged(url, path))
        print(f"{'the same file again (all unchanged)':44} {again:8.2f} {args.rows / again:10,.0f}")


def _unchanged(url: str, path: Path) -> int:
    report = run_import(
        engine=get_engine(url), entity="certificates", path=path, options=ImportOptions()
    )
    assert report.ok and report.counts.unchanged == report.rows_read, report.lines()[-1]
    return report.counts.unchanged


if __name__ == "__main__":
    main()
