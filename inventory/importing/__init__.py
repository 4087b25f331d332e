"""Import agencies, computers and connection points from CSV or Excel files.

`import_file` validates every row first; only a file without a single bad row is written,
inside the caller's transaction (the caller commits, or rolls back for a dry run).
"""

from inventory.importing.importer import ENTITIES, import_file, run_import
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport, RowError

__all__ = ["ENTITIES", "ImportOptions", "ImportReport", "RowError", "import_file", "run_import"]
