"""Commands that create, fill and describe the database: init, demo, db upgrade, status."""

from __future__ import annotations

import json

import typer
from sqlmodel import Session, col, select

from inventory.actor import Actor
from inventory.admin_units import load_units, province_family
from inventory.audit import Change, begin
from inventory.db import describe_url, get_engine, session_scope
from inventory.demo import load_demo
from inventory.demo.targets import PROVINCE_CODE as DEMO_PROVINCE_CODE
from inventory.migrate import require_current_schema, upgrade
from inventory.models import AdminUnit
from inventory.settings import get_settings
from inventory.status import database_status

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True, rich_markup_mode=None)


def _ensure_boundaries(session: Session, province_code: str) -> None:
    # Imported here: geometry needs geopandas, which the other commands should not wait for.
    from readiness.geometry import ensure_approximate_boundaries

    ensure_approximate_boundaries(session, province_code)


def initialise() -> None:
    """Create or upgrade the schema, then load the configured province's units.

    The province comes with its successor (2020) or predecessors (2025) and the 2020 -> 2025
    correspondence, so records of either era find their unit.
    """
    settings = get_settings()
    engine = get_engine()
    revision = upgrade(engine)
    with session_scope(engine) as session:
        loaded = load_units(session, province_code=settings.province_code)
        _ensure_boundaries(session, settings.province_code)
        provinces = session.exec(
            select(AdminUnit.name, AdminUnit.era)
            .where(col(AdminUnit.code).in_(province_family(settings.province_code)))
            .order_by(col(AdminUnit.era), col(AdminUnit.gso_code))
        ).all()
    typer.echo(
        f"database {describe_url(settings.database_url)} at revision {revision}; "
        f"{loaded.units} administrative units and {loaded.correspondence} correspondence rows "
        f"added or updated ({', '.join(f'{name} {era}' for name, era in provinces)})"
    )


def init() -> None:
    """Create the database or upgrade it, and load the province's administrative units."""
    initialise()


def demo(
    force: bool = typer.Option(
        False, "--force", help="Load even if the database holds other data."
    ),
) -> None:
    """Load the synthetic Hà Giang demo dataset (idempotent)."""
    engine = get_engine()
    upgrade(engine)
    with session_scope(engine) as session:
        begin(session, Change(actor=Actor.cli(), command="ictr demo"))
        report = load_demo(session, force=force)
        _ensure_boundaries(session, DEMO_PROVINCE_CODE)
    for name, counts in vars(report).items():
        typer.echo(
            f"{name:16} new {counts.new:6}  updated {counts.updated:6}  "
            f"unchanged {counts.unchanged:6}"
        )
    typer.echo("synthetic demo dataset for Hà Giang (calibrated to December 2020 figures) loaded")


def db_upgrade(
    revision: str = typer.Option("head", help="Alembic revision to upgrade to."),
) -> None:
    """Apply schema migrations up to REVISION (default: the newest)."""
    settings = get_settings()
    now = upgrade(get_engine(), revision)
    typer.echo(f"database {describe_url(settings.database_url)} at revision {now}")


def status(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Counts of units, agencies, officials, computers, points and certificates."""
    settings = get_settings()
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        figures = database_status(session)
    figures = {"database": describe_url(settings.database_url), **figures}
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False))
        return
    for key, value in figures.items():
        if key == "other_eras":
            for year, counts in value.items():
                listed = ", ".join(f"{n} {what}" for what, n in counts.items() if what != "units")
                typer.echo(f"{'era ' + year:16} {listed}")
            continue
        typer.echo(f"{key:16} {value}")
    if figures["synthetic_demo"]:
        typer.echo("note: this database holds the SYNTHETIC demo dataset, not real figures")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(demo)
    app.command()(status)
    db_app.command("upgrade")(db_upgrade)
    app.add_typer(db_app, name="db")
