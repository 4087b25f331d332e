"""Benchmark: validated import of 100,000 computers (CSV and XLSX) against a baseline, and
the replacement plan for 100,000 computers.

Baseline, in the same run and on the same rows: pandas reads the file (read_csv, or
read_excel with calamine and with openpyxl), the columns are renamed and mapped with
vectorised lookups, and the rows go in with one bulk INSERT: no validation, no report, no
matching of existing rows. XLSX files are also imported and read (read_table alone) with
openpyxl, the reader ictr used before calamine and still uses for what calamine reads
differently (see inventory/importing/workbook_scan.py).
Targets: validated import within 3x the baseline's time (the faster pandas reader for XLSX);
XLSX import at 10,000 rows/s or more; plan under 2 s.

    .venv/bin/python bench/import_computers.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
from sqlalchemy import insert
from sqlmodel import Session, select

from inventory.admin_units import load_units
from inventory.db import dispose_engines, get_engine, session_scope
from inventory.importing import ImportOptions, readers, run_import
from inventory.lifecycle.plan import build_plan
from inventory.lifecycle.policy import load_policy
from inventory.migrate import upgrade
from inventory.models import AdminUnit, Agency, AgencyKind, Computer, UnitLevel

HEADER = [
    "Mã tài sản",
    "Số serial",
    "Loại máy",
    "Hãng sản xuất",
    "Model",
    "CPU",
    "RAM (GB)",
    "Hệ điều hành",
    "Ngày mua",
    "Nguyên giá",
    "Mã cơ quan",
    "Kết nối Internet",
    "Tình trạng",
    "Ghi chú",
]
KINDS = {"Máy bàn": "desktop", "Máy xách tay": "laptop", "Máy chủ": "server"}
STATUSES = {"Đang sử dụng": "in_use", "Dự phòng": "spare", "Hỏng": "broken", "Thanh lý": "retired"}
AGENCIES = 200


def generate_rows(n: int) -> list[list[object]]:
    rng = random.Random(2027)
    rows = []
    for i in range(n):
        year = rng.randint(2008, 2025)
        kind = rng.choices(list(KINDS), weights=[80, 18, 2])[0]
        precision = rng.random()
        bought = (
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
            if precision < 0.7
            else str(year)
            if precision < 0.93
            else ""
        )
        rows.append(
            [
                f"BM-{i:06d}",
                f"SN{rng.getrandbits(40):010X}",
                kind,
                rng.choice(["Dell", "HP", "Lenovo", "Asus"]),
                rng.choice(["OptiPlex 3080", "ProDesk 400 G7", "ThinkCentre M70", "VivoBook 15"]),
                rng.choice(["Intel Core i3-3220", "Intel Core i5-8500", "Intel Core 2 Duo"]),
                rng.choice([2, 4, 8, 16]),
                rng.choice(["Windows 7", "Windows 10", "Windows 11", "Windows XP"]),
                bought,
                f"{rng.randint(10, 25)}.{rng.choice(['000', '500'])}.000",
                f"BA-{rng.randrange(AGENCIES):03d}",
                rng.choice(["Có", "Không"]),
                rng.choices(list(STATUSES), weights=[85, 5, 6, 4])[0],
                rng.choice(["", "", "", "Phòng một cửa", "Máy dùng chung"]),
            ]
        )
    return rows


def write_files(folder: Path, rows: list[list[object]]) -> tuple[Path, Path]:
    import csv

    csv_path = folder / "computers.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    xlsx_path = folder / "computers.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Máy tính")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


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
        engine=get_engine(url), entity="computers", path=path, options=ImportOptions()
    )
    assert report.ok, report.lines()[:5]
    return report.counts.new


def with_openpyxl() -> mock._patch[Callable[..., str]]:
    """ictr's XLSX reading as before calamine: openpyxl for every workbook."""
    return mock.patch.object(readers, "calamine_obstacle", lambda path, sheet: "bench")


def read_only(path: Path) -> int:
    return len(readers.read_table(path).rows) - 1  # the header


def baseline_import(url: str, path: Path, engine: str = "calamine") -> int:
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine=engine)
    engine = get_engine(url)
    with Session(engine) as session:
        agency_ids = dict(session.exec(select(Agency.code, Agency.id)).all())
        dates = pd.to_datetime(frame["Ngày mua"], format="%d/%m/%Y", errors="coerce")
        years = pd.to_numeric(frame["Ngày mua"].str[-4:], errors="coerce")
        out = pd.DataFrame(
            {
                "asset_tag": frame["Mã tài sản"],
                "serial": frame["Số serial"],
                "kind": frame["Loại máy"].map(KINDS),
                "manufacturer": frame["Hãng sản xuất"],
                "model": frame["Model"],
                "cpu": frame["CPU"],
                "ram_gb": pd.to_numeric(frame["RAM (GB)"]),
                "os": frame["Hệ điều hành"],
                "purchase_year": years.astype("Int64"),
                "purchase_date": dates.dt.date,
                "purchase_cost": pd.to_numeric(frame["Nguyên giá"].str.replace(".", "")),
                "agency_id": frame["Mã cơ quan"].map(agency_ids),
                "internet": frame["Kết nối Internet"] == "Có",
                "status": frame["Tình trạng"].map(STATUSES),
                "notes": frame["Ghi chú"].replace("", None),
            }
        )
        records = out.astype(object).where(out.notna(), None).to_dict("records")
        session.execute(insert(Computer), records)
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
        csv_path, xlsx_path = write_files(folder, generate_rows(args.rows))
        template = folder / "template.sqlite"
        make_template(template)
        print(
            f"generated {args.rows:,} rows as CSV and XLSX in {time.perf_counter() - started:.1f} s"
        )
        print(f"median of {args.runs} runs each, fresh SQLite database per run\n")
        print(f"{'file':6} {'what':48} {'seconds':>8} {'rows/s':>10} {'x baseline':>11}")

        def line(kind: str, what: str, seconds: float, base: float, note: str = "") -> None:
            print(
                f"{kind:6} {what:48} {seconds:8.2f} {args.rows / seconds:10,.0f} "
                f"{seconds / base:11.2f}{note}"
            )

        for path in (csv_path, xlsx_path):
            kind = path.suffix.lstrip(".")
            base, n_base = median_time(
                args.runs, lambda r, p=path: baseline_import(fresh_db(template, folder, f"b{r}"), p)
            )
            ours, n_ours = median_time(
                args.runs,
                lambda r, p=path: validated_import(fresh_db(template, folder, f"v{r}"), p),
            )
            assert n_base == n_ours == args.rows, (n_base, n_ours)
            if kind == "csv":
                line(kind, "baseline: pandas read_csv + INSERT", base, base)
                line(kind, "ictr import computers (validated)", ours, base, "  (target <= 3)")
                continue
            slow_base, n_slow = median_time(
                args.runs,
                lambda r, p=path: baseline_import(
                    fresh_db(template, folder, f"o{r}"), p, engine="openpyxl"
                ),
            )
            with with_openpyxl():
                before, n_before = median_time(
                    args.runs,
                    lambda r, p=path: validated_import(fresh_db(template, folder, f"w{r}"), p),
                )
                read_before, n_read_before = median_time(args.runs, lambda r, p=path: read_only(p))
            read_now, n_read = median_time(args.runs, lambda r, p=path: read_only(p))
            assert n_slow == n_before == n_read == n_read_before == args.rows
            line(kind, "baseline: pandas read_excel (calamine) + INSERT", base, base)
            line(kind, "baseline: pandas read_excel (openpyxl) + INSERT", slow_base, base)
            line(
                kind,
                "ictr import computers (calamine reader)",
                ours,
                base,
                "  (target <= 3, >= 10,000 rows/s)",
            )
            line(kind, "ictr import computers (openpyxl reader)", before, base, "  (before)")
            line(kind, "read_table only (calamine reader)", read_now, base)
            line(kind, "read_table only (openpyxl reader)", read_before, base, "  (before)")

        url = fresh_db(template, folder, "plan")
        validated_import(url, csv_path)
        policy = load_policy()

        def plan_once(_: int) -> int:
            gc.collect()  # the imports' garbage is not the plan's to collect
            with Session(get_engine(url)) as session:
                plan = build_plan(session, policy, start=2027, years=5)
            return plan.computers

        seconds, considered = median_time(max(5, args.runs), plan_once)
        print(
            f"\nplan 2027-2031 for {args.rows:,} computers ({considered:,} not retired): "
            f"median {seconds:.2f} s (target < 2 s)"
        )


if __name__ == "__main__":
    main()
