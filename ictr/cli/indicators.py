"""`ictr indicators`, `ictr indicators snapshot` and `ictr report`: readiness figures out."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from sqlmodel import select

from inventory.db import get_engine, session_scope
from inventory.demo import is_demo
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.models import AdminUnit, UnitLevel
from inventory.settings import get_settings
from inventory.spreadsheet_text import frame_to_csv
from readiness.index import load_config
from readiness.indicators import INDICATORS, LEVELS
from readiness.periods import period_date, quarter_of

if TYPE_CHECKING:
    import pandas as pd

# pandas, openpyxl and the computation are imported inside the commands, so that other
# `ictr` commands do not wait for them.

indicators_app = typer.Typer(
    help="Readiness indicators and the composite index.", rich_markup_mode=None
)

LEVEL_HELP = f"Level: {', '.join(LEVELS)}."
CONFIG_HELP = "Index configuration TOML (default: data/readiness_index.toml)."


def _today() -> date:
    return datetime.now(get_settings().zone).date()


def _parse_date(text: str | None) -> date:
    if text is None:
        return _today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise IctrError(f"--at {text!r}: write the date as YYYY-MM-DD") from None


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise IctrError(f"--level {level!r}: use one of {', '.join(LEVELS)}")
    return level


def _records(table: pd.DataFrame) -> list[dict[str, object]]:
    import pandas as pd

    out = []
    for record in table.to_dict("records"):
        clean: dict[str, object] = {}
        for key, value in record.items():
            if key == "parent_code":
                continue
            if isinstance(value, float) and math.isnan(value) or value is pd.NA:
                clean[key] = None
            elif key == "rank":
                clean[key] = None if pd.isna(value) else int(value)
            else:
                clean[key] = value
        out.append(clean)
    return out


def _print_table(table: pd.DataFrame) -> None:
    if len(table) <= 12:  # few units: one column per unit, one row per indicator
        shown = table.set_index("code")[list(INDICATORS) + ["index", "rank"]].T
        shown.columns = [f"{code}" for code in shown.columns]
        typer.echo(shown.to_string(float_format=lambda v: f"{v:.2f}", na_rep="no data"))
    else:
        shown = table[
            [
                "code",
                "name",
                "pillar_infrastructure",
                "pillar_human_resources",
                "pillar_services",
                "index",
                "rank",
            ]
        ]
        typer.echo(
            shown.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="no data")
        )


@indicators_app.callback(invoke_without_command=True)
def indicators(
    ctx: typer.Context,
    level: str = typer.Option("district", help=LEVEL_HELP),
    at: str | None = typer.Option(None, help="Date of the figures, YYYY-MM-DD (default today)."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    config: Path | None = typer.Option(None, help=CONFIG_HELP),
    within: str | None = typer.Option(
        None,
        help="Only the units of the level under this unit code (e.g. province 02), "
        "compared and ranked among themselves (default: every unit).",
    ),
) -> None:
    """Indicators, pillar scores, index and rank for every unit of a level."""
    if ctx.invoked_subcommand is not None:
        return
    if output_format not in ("table", "csv", "json"):
        raise IctrError(f"--format {output_format!r}: use table, csv or json")
    from readiness.table import readiness_table

    engine = get_engine()
    require_current_schema(engine)
    cfg = load_config(config)
    with session_scope(engine) as session:
        table = readiness_table(
            session,
            level=_check_level(level),
            at=_parse_date(at),
            config=cfg,
            within=within.strip() if within else None,
        )
        synthetic = is_demo(session)
    if output_format == "json":
        typer.echo(json.dumps(_records(table), ensure_ascii=False, indent=1))
    elif output_format == "csv":
        typer.echo(frame_to_csv(table.drop(columns=["parent_code"])), nl=False)
    else:
        _print_table(table)
        if synthetic:
            typer.echo("note: figures from the SYNTHETIC demo dataset")


@indicators_app.command("snapshot")
def snapshot(
    period: str | None = typer.Option(
        None, help="2026Q4, 2026 or 2026-11 (default: this quarter)."
    ),
    levels: str = typer.Option("province,district", help="Comma-separated levels to store."),
    config: Path | None = typer.Option(None, help=CONFIG_HELP),
) -> None:
    """Store the figures of a period for trends; rerunning replaces that period."""
    today = _today()
    period = (period or quarter_of(today)).strip().upper()
    at = period_date(period, today)
    chosen = [_check_level(level.strip()) for level in levels.split(",") if level.strip()]
    from readiness.snapshots import take_snapshot

    engine = get_engine()
    require_current_schema(engine)
    cfg = load_config(config)
    with session_scope(engine) as session:
        written = take_snapshot(session, period=period, at=at, levels=chosen, config=cfg)
    typer.echo(
        f"snapshot {period} (figures at {at.isoformat()}): {written} values stored "
        f"for {', '.join(chosen)}"
    )


def report(
    year: int = typer.Option(..., help="Report year, e.g. 2026."),
    output: Path = typer.Option(..., "-o", "--output", help="XLSX file to write."),
    config: Path | None = typer.Option(None, help=CONFIG_HELP),
) -> None:
    """Write the annual ICT readiness report (XLSX, Vietnamese headers)."""
    today = _today()
    at = period_date(str(year), today)
    from readiness.report_xlsx import write_report
    from readiness.table import readiness_table

    engine = get_engine()
    require_current_schema(engine)
    cfg = load_config(config)
    with session_scope(engine) as session:
        province_name = session.exec(
            select(AdminUnit.name).where(AdminUnit.level == UnitLevel.province)
        ).first()
        tables = {
            "Cấp tỉnh": readiness_table(session, level="province", at=at, config=cfg),
            "Cấp huyện": readiness_table(session, level="district", at=at, config=cfg),
            "Cấp xã": readiness_table(session, level="commune", at=at, config=cfg),
        }
        synthetic = is_demo(session)
    write_report(
        output,
        year=year,
        at=at,
        province_name=province_name or "",
        tables=tables,
        synthetic=synthetic,
    )
    typer.echo(f"report {year} (figures at {at.isoformat()}) written to {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(indicators_app, name="indicators")
    app.command()(report)
