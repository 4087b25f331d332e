"""Import agencies, computers and connection points from CSV or Excel files.

`run_import` validates every row first; only a file without a single bad row is written,
in one transaction (`import_table` does the same inside the caller's transaction).
"""

from inventory.importing.importer import ENTITIES, import_table, run_import
from inventory.importing.options import ImportOptions
from inventory.importing.report import ImportReport, RowError

__all__ = ["ENTITIES", "ImportOptions", "ImportReport", "RowError", "import_table", "run_import"]
