"""Where a probe agent keeps its local files (scheduler lock, spool) for a given database."""

from __future__ import annotations

import hashlib
from pathlib import Path

import platformdirs
from sqlalchemy import make_url

from inventory.db import describe_url


def local_file(database_url: str, kind: str, extension: str, agent: str = "") -> Path:
    """Next to a SQLite file (`ictr.sqlite.<kind>[-agent].<ext>`); for a server database, in
    the per-user data folder, one file per database (`<kind>-<hash>[-agent].<ext>`)."""
    suffix = f"-{agent}" if agent else ""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        db_file = Path(database)
        return db_file.with_name(f"{db_file.name}.{kind}{suffix}.{extension}")
    digest = hashlib.sha256(describe_url(database_url).encode()).hexdigest()[:12]
    folder = Path(platformdirs.user_data_dir("ictr", appauthor=False))
    return folder / f"{kind}-{digest}{suffix}.{extension}"
