"""`ictr indicators`, `ictr indicators snapshot` and `ictr report`: readiness figures out."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from inventory.db import get_engine, session_scope
from inventory.demo import is_demo
from inventory.eras import era_at
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.settings import get_settings
from inventory.spreadsheet_text import frame_to_csv
from inventory.structure_at import StructureAt
from readiness.index import load_config
from readiness.indicators import INDICATORS, LEVELS
from readiness.periods import period_date, quarter_of

if TYPE_CHECKING:
    import pandas as pd

    from readiness.compare import Comparison

# pandas, openpyxl and the computation are imported inside the commands, so that other
# `ictr` commands do not wait for them.

indicators_app = typer.Typer(
    help="Readiness indicators and the composite index.", rich_markup_mode=None
)

LEVEL_HELP = (
    f"Level: {', '.join(LEVELS)} (default: the level below the province on the date, "
    "district up to 2025-06-30, commune from 2025-07-01; no districts after)."
)
CONFIG_HELP = "Index configuration TOML (default: data/readiness_index.toml)."


def _today() -> date:
    return datetime.now(get_settings().zone).date()


def _parse_date(text: str | None, option: str = "--at") -> date:
    if text is None:
        return _today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise IctrError(f"{option} {text!r}: write the date as YYYY-MM-DD") from None


def _check_level(level: str | None, at: date) -> str:
    """The level asked for, or the one below the province on `at`; a level the structure of
    `at` does not have (districts after 2025-06-30) is refused with the reason."""
    from readiness.indicators.placement import check_level
    from readiness.table import default_level

    if level is None:
        return default_level(at)
    level = level.strip()
    if level not in LEVELS:
        raise IctrError(f"--level {level!r}: use one of {', '.join(LEVELS)}")
    check_level(level, at)
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
    level: str | None = typer.Option(None, help=LEVEL_HELP),
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

    day = _parse_date(at)
    chosen = _check_level(level, day)
    engine = get_engine()
    require_current_schema(engine)
    cfg = load_config(config)
    with session_scope(engine) as session:
        table = readiness_table(
            session,
            level=chosen,
            at=day,
            config=cfg,
            within=within.strip() if within else None,
        )
        synthetic = is_demo(session)
        unresolved = (
            len(StructureAt.load(session, at=day).unresolved()) if output_format == "table" else 0
        )
    if output_format == "json":
        typer.echo(json.dumps(_records(table), ensure_ascii=False, indent=1))
    elif output_format == "csv":
        typer.echo(frame_to_csv(table.drop(columns=["parent_code"])), nl=False)
    else:
        _print_table(table)
        if unresolved:
            # Counted in a default part, or nowhere: say so rather than let it pass unseen.
            typer.echo(
                f"note: {unresolved} agencies or points are not placed for certain on "
                f"{day.isoformat()} (a divided commune, an agency with no successor): "
                f"ictr units unresolved --at {day.isoformat()}"
            )
        if synthetic:
            typer.echo("note: figures from the SYNTHETIC demo dataset")


@indicators_app.command("snapshot")
def snapshot(
    period: str | None = typer.Option(
        None, help="2026Q4, 2026 or 2026-11 (default: this quarter)."
    ),
    levels: str | None = typer.Option(
        None,
        help="Comma-separated levels to store (default: province and the level below it on "
        "the period's date: district up to 2025-06-30, commune after).",
    ),
    config: Path | None = typer.Option(None, help=CONFIG_HELP),
) -> None:
    """Store the figures of a period for trends; rerunning replaces that period."""
    today = _today()
    period = (period or quarter_of(today)).strip().upper()
    at = period_date(period, today)
    if levels is None:
        chosen = ["province", _check_level(None, at)]
    else:
        chosen = [_check_level(level, at) for level in levels.split(",") if level.strip()]
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


@indicators_app.command("compare")
def compare(
    start: str = typer.Option(
        ..., "--from", help="The earlier date, YYYY-MM-DD (e.g. 2020-12-31)."
    ),
    end: str | None = typer.Option(
        None, "--to", help="The later date, YYYY-MM-DD (default today); its units are compared."
    ),
    level: str | None = typer.Option(None, help=LEVEL_HELP + " Of the --to date's structure."),
    indicator: str = typer.Option(
        "index", help="Table: the figure shown (an indicator key, pillar_<name> or index)."
    ),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    config: Path | None = typer.Option(None, help=CONFIG_HELP),
    within: str | None = typer.Option(
        None, help="Only the units of the level under this unit code (e.g. 08@2025)."
    ),
) -> None:
    """The --from date's figures re-aggregated onto the --to date's units (2020's records onto
    the 2025 communes through the correspondence), beside the --to date's, with the change."""
    if output_format not in ("table", "csv", "json"):
        raise IctrError(f"--format {output_format!r}: use table, csv or json")
    first, last = _parse_date(start, "--from"), _parse_date(end, "--to")
    chosen = _check_level(level, last)
    from readiness.compare import compare_dates

    engine = get_engine()
    require_current_schema(engine)
    cfg = load_config(config)
    with session_scope(engine) as session:
        result = compare_dates(
            session,
            level=chosen,
            start=first,
            end=last,
            config=cfg,
            within=within.strip() if within else None,
        )
        synthetic = is_demo(session)
    if indicator not in result.keys:
        raise IctrError(
            f"--indicator {indicator!r}: use index, a pillar_<name> or an indicator key "
            f"({', '.join(INDICATORS)})"
        )
    if output_format == "json":
        typer.echo(json.dumps(comparison_json(result), ensure_ascii=False, indent=1))
        return
    if output_format == "csv":
        typer.echo(frame_to_csv(result.table.drop(columns=["parent_code"])), nl=False)
        return
    shown = result.table[["code", "name", f"{indicator}_from", f"{indicator}_to"]].copy()
    shown[f"{indicator}_change"] = result.table[f"{indicator}_change"]
    shown.columns = ["code", "name", first.isoformat(), last.isoformat(), "change"]
    typer.echo(f"{indicator}: {first.isoformat()} on the units of {last.isoformat()} ({chosen})")
    typer.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="no data"))
    for line in divided_notes(result):
        typer.echo(line)
    if synthetic:
        typer.echo("note: figures from the SYNTHETIC demo dataset")


def divided_notes(result: Comparison) -> list[str]:
    """One line per divided unit whose records all went to its default part."""
    return [
        f"note: {row.code} {row.name} was divided among {', '.join(row.parts)}; its "
        f"{result.start.isoformat()} records count in its default part {row.default_code} "
        f"{row.default_name}"
        for row in result.divided.itertuples()
    ]


def comparison_json(result: Comparison) -> dict[str, object]:
    """{from, to, level, divided: [...], units: [{code, name, from: {...}, to, change}]}."""

    def clean(value: object) -> object:
        return None if isinstance(value, float) and math.isnan(value) else value

    units = []
    for row in result.table.to_dict("records"):
        units.append(
            {
                "code": row["code"],
                "name": row["name"],
                **{
                    part: {key: clean(row[f"{key}_{part}"]) for key in result.keys}
                    for part in ("from", "to", "change")
                },
            }
        )
    return {
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "level": result.level,
        "divided": [
            {
                "code": row.code,
                "name": row.name,
                "default_code": row.default_code,
                "default_name": row.default_name,
                "parts": list(row.parts),
            }
            for row in result.divided.itertuples()
        ],
        "units": units,
    }


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
    # The sheets of the levels of that date's structure: no districts after 2025-06-30.
    sheets = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}
    levels = [str(getattr(lv, "value", lv)) for lv in era_at(at).levels]
    with session_scope(engine) as session:
        tables = {
            sheets[level]: readiness_table(session, level=level, at=at, config=cfg)
            for level in levels
        }
        synthetic = is_demo(session)
    provinces = tables["Cấp tỉnh"]["name"]
    write_report(
        output,
        year=year,
        at=at,
        province_name=str(provinces.iloc[0]) if len(provinces) else "",
        tables=tables,
        synthetic=synthetic,
    )
    typer.echo(f"report {year} (figures at {at.isoformat()}) written to {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(indicators_app, name="indicators")
    app.command()(report)
