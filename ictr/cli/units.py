"""`ictr units map` and `ictr units unresolved`: the 2020 -> 2025 correspondence, and what it
leaves ambiguous at a date."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

import typer
from sqlmodel import Session, col, func, or_, select

from inventory.db import get_engine, session_scope
from inventory.eras import era_at
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.models import AdminUnit, UnitCorrespondence, UnitLevel
from inventory.settings import get_settings
from inventory.structure_at import StructureAt

units_app = typer.Typer(
    help="Administrative units of the two eras (2020 and 2025) and their correspondence.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

FORMATS = ("table", "json")
_KIND_LABEL = {
    "divided_commune": "xã bị chia / divided commune",
    "no_successor": "không có đơn vị kế thừa / no successor",
    "no_unit": "không có đơn vị 2025 / no 2025 unit",
}


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise IctrError(f"--format {fmt!r}: use table or json")
    return fmt


def _parse_at(text: str | None) -> date:
    if text is None:
        return datetime.now(get_settings().zone).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise IctrError(f"--at {text!r}: write the date as YYYY-MM-DD") from None


def _print_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _correspondence(session: Session, code: str | None) -> list[UnitCorrespondence]:
    query = select(UnitCorrespondence)
    if code is not None:
        unit = session.get(AdminUnit, code)
        if unit is None:
            raise IctrError(
                f"--from {code!r}: no such unit in the database (a 2020 unit is written by its "
                "GSO code, e.g. 00688; a 2025 one with @2025, e.g. 00691@2025; run `ictr init`)"
            )
        if unit.level == UnitLevel.district:
            # Districts have no 2025 unit: show where their communes went.
            communes = select(AdminUnit.code).where(AdminUnit.parent_code == code)
            query = query.where(col(UnitCorrespondence.old_code).in_(communes))
        else:
            query = query.where(
                or_(UnitCorrespondence.old_code == code, UnitCorrespondence.new_code == code)
            )
    order = (
        col(UnitCorrespondence.old_code),
        col(UnitCorrespondence.is_default).desc(),
        col(UnitCorrespondence.new_code),
    )
    return list(session.exec(query.order_by(*order)))


def units_map(
    code: str | None = typer.Option(
        None,
        "--from",
        help="Only this unit: a 2020 commune or province (e.g. 00688), a 2020 district (its "
        "communes), or a 2025 unit (e.g. 00691@2025: where it came from).",
    ),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Where each 2020 commune and province went on 1 July 2025 (a divided commune: every
    part, its default marked)."""
    _check_format(fmt)
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        links = _correspondence(session, code.strip() if code is not None else None)
        keys = {c for link in links for c in (link.old_code, link.new_code)}
        units = {
            u.code: u for u in session.exec(select(AdminUnit).where(col(AdminUnit.code).in_(keys)))
        }
        # Divided or not is a fact about all of a unit's rows, not the ones --from picked.
        old_code = col(UnitCorrespondence.old_code)
        parts = dict(
            session.exec(
                select(old_code, func.count())
                .where(old_code.in_({link.old_code for link in links}))
                .group_by(old_code)
            ).all()
        )
        rows = [
            {
                "old_code": link.old_code,
                "old_gso_code": units[link.old_code].gso_code,
                "old_name": units[link.old_code].name,
                "new_code": link.new_code,
                "new_gso_code": units[link.new_code].gso_code,
                "new_name": units[link.new_code].name,
                "is_default": link.is_default,
                "divided": parts[link.old_code] > 1,
            }
            for link in links
        ]
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        typer.echo("không có dòng tương ứng / no correspondence rows (run `ictr init`)")
        return
    _print_columns(
        ("2020", "tên 2020 / 2020 name", "2025", "tên 2025 / 2025 name", "mặc định / default"),
        [
            (
                str(r["old_code"]),
                str(r["old_name"]),
                str(r["new_code"]),
                str(r["new_name"]),
                ("có / yes" if r["is_default"] else "không / no") if r["divided"] else "",
            )
            for r in rows
        ],
    )
    divided = len({r["old_code"] for r in rows if r["divided"]})
    typer.echo(f"{len(rows)} dòng / rows; {divided} đơn vị bị chia / divided units")


def units_unresolved(
    at: str | None = typer.Option(
        None, "--at", help="Date of the structure, YYYY-MM-DD (default today)."
    ),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """What cannot be placed for certain at a date: records in a divided 2020 commune
    (counted in its default part), agencies gone with no successor, units with no 2025
    unit. Nothing here is guessed silently."""
    _check_format(fmt)
    day = _parse_at(at)
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        found = StructureAt.load(session, at=day).unresolved()
    if fmt == "json":
        typer.echo(
            json.dumps(
                {
                    "at": day.isoformat(),
                    "era": era_at(day).year,
                    "unresolved": [u.as_dict() for u in found],
                },
                ensure_ascii=False,
            )
        )
        return
    typer.echo(f"cơ cấu ngày / structure at {day.isoformat()} (era {era_at(day).year})")
    if not found:
        typer.echo("không có gì chưa xác định / nothing unresolved")
        return
    _print_columns(
        (
            "loại / kind",
            "bản ghi / record",
            "tên / name",
            "đơn vị / unit",
            "tính vào / counted in",
            "các phần / parts",
            "số bản ghi / records",
        ),
        [
            (
                _KIND_LABEL.get(u.kind, u.kind),
                u.record,
                u.name,
                u.unit_code,
                u.mapped_to or "-",
                ", ".join(u.candidates),
                str(u.records) if u.record.startswith("agency") else "",
            )
            for u in found
        ],
    )
    typer.echo(f"{len(found)} chưa xác định / unresolved")


def register(app: typer.Typer) -> None:
    units_app.command("map")(units_map)
    units_app.command("unresolved")(units_unresolved)
    app.add_typer(units_app, name="units")
