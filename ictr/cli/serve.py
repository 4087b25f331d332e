"""`ictr up`: the main job: database ready (demo data when empty), then the dashboard."""

from __future__ import annotations

import os
import sys

import typer
from sqlmodel import func, select

from dashboard.assets import ensure_leaflet_assets
from ictr.cli.database import initialise
from inventory.db import get_engine, session_scope
from inventory.demo import load_demo
from inventory.models import Agency
from inventory.settings import PROJECT_ROOT

APP_FILE = PROJECT_ROOT / "app.py"


def streamlit_argv(port: int, address: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        # The government network has no internet: nothing may phone home.
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        # Leaflet is served from ./static (dashboard/assets.py), never from a CDN.
        "--server.enableStaticServing",
        "true",
        # Users see an error's type; the details (paths, SQL) go to the server log only.
        "--client.showErrorDetails",
        "type",
        # No CSV download or copy from a table's toolbar: Streamlit writes the cells as they
        # are, formulas included; the pages' own download buttons make text safe.
        "--client.disableDataExport",
        "true",
        # A server does not reload its code: without this, every new browser session walks
        # every imported module's files to watch them (about 0.3 s of the server's time,
        # during which it serves nothing else).
        "--server.fileWatcherType",
        "none",
        # Nor a full garbage collection after every page run: it holds the interpreter
        # for ~0.1 s just as the browser asks for the page's scripts. Python still
        # collects on its own schedule.
        "--runner.postScriptGC",
        "false",
    ]


def up(
    port: int = typer.Option(8501, help="Port of the dashboard."),
    address: str = typer.Option(
        "127.0.0.1",
        "--address",
        help="Address to listen on: this machine only by default; 0.0.0.0 (or one address) "
        "opens it to the network, behind TLS (docs/deploy.md).",
    ),
    demo_if_empty: bool = typer.Option(
        True, "--demo-if-empty/--no-demo", help="Load the demo dataset into an empty database."
    ),
) -> None:
    """Prepare the database (demo data if it is empty) and start the dashboard."""
    initialise()
    if demo_if_empty:
        engine = get_engine()
        with session_scope(engine) as session:
            empty = session.exec(select(func.count()).select_from(Agency)).one() == 0
            if empty:
                load_demo(session)
                typer.echo("empty database: loaded the synthetic Hà Giang demo dataset")
    ensure_leaflet_assets()
    typer.echo(f"dashboard on http://{address}:{port} (Ctrl+C to stop)")
    argv = streamlit_argv(port, address)
    os.execv(argv[0], argv)


def register(app: typer.Typer) -> None:
    app.command()(up)
