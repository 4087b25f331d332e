"""What an import found and did: every bad row, ignored columns, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from inventory.upsert import UpsertCounts

# One broken sheet can hold a million bad cells: the report lists the first ones and counts
# the rest, so it stays readable (and small) whatever the file.
MAX_LISTED_ERRORS = 1_000
MAX_LISTED_COLUMNS = 50
# A cell is quoted in the report up to this many characters.
MAX_SHOWN_VALUE = 200


@dataclass(frozen=True, order=True)
class RowError:
    row: int  # as Excel shows it
    column: str  # the header as written in the file
    value: str
    reason: str

    def describe(self) -> str:
        value = f" value {self.value!r}" if self.value else " empty"
        column = f", column {self.column!r}" if self.column else ""
        return f"row {self.row}{column},{value}: {self.reason}"


def shown(value: object) -> str:
    """A cell as the user would recognise it in the report."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clipped(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


@dataclass
class ImportReport:
    entity: str
    source: str
    dry_run: bool = False
    header_row: int = 1
    rows_read: int = 0
    encoding: str = ""
    delimiter: str = ""
    snipeit: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # header -> canonical name
    ignored: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    created_agencies: list[str] = field(default_factory=list)
    era: int | None = None  # the structure the file's units were read in, when it names any
    era_reason: str = ""
    websites_added: int = 0  # websites an agencies file's website column added to the checks

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str, value: object, reason: str) -> None:
        self.errors.append(RowError(row, _clipped(column), _clipped(shown(value)), reason))

    def sorted_errors(self) -> list[RowError]:
        """By row, then by the column's place in the file."""
        place = {header: n for n, header in enumerate(self.columns)}
        return sorted(self.errors, key=lambda e: (e.row, place.get(e.column, -1), e.reason))

    def listed_errors(self) -> list[RowError]:
        """The errors a report shows: the first MAX_LISTED_ERRORS of `sorted_errors`."""
        return self.sorted_errors()[:MAX_LISTED_ERRORS]

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def failure(self) -> str:
        """One line saying why nothing was imported, naming the file and the first problem."""
        first = self.sorted_errors()[0].describe()
        if len(self.errors) == 1:
            return f"{self.source}: {first}; nothing was imported"
        return (
            f"{self.source}: {self.bad_rows} bad rows ({len(self.errors)} problems), first: "
            f"{first}; nothing was imported"
        )

    def lines(self) -> list[str]:
        out = []
        how = f"CSV {self.encoding}, separator {self.delimiter!r}, " if self.encoding else ""
        out.append(
            f"{self.entity} from {self.source} ({how}header on row {self.header_row}): "
            f"{self.rows_read} rows"
        )
        if self.snipeit:
            out.append("recognised a Snipe-IT asset file (dates read as M/D/YY)")
        if self.columns:
            mapped = ", ".join(f"{_clipped(h)!r} -> {n}" for h, n in self.columns.items())
            out.append(f"columns: {mapped}")
        if self.ignored:
            listed = ", ".join(repr(_clipped(h)) for h in self.ignored[:MAX_LISTED_COLUMNS])
            more = len(self.ignored) - MAX_LISTED_COLUMNS
            out.append(f"ignored columns: {listed}" + (f" and {more} more" if more > 0 else ""))
        if self.era_reason:
            out.append(f"units: {self.era_reason}")
        out.extend(f"warning: {w}" for w in self.warnings)
        if self.errors:
            out.append(
                f"{self.bad_rows} bad rows ({len(self.errors)} problems); nothing was imported:"
            )
            out.extend(f"  {e.describe()}" for e in self.listed_errors())
            if len(self.errors) > MAX_LISTED_ERRORS:
                out.append(f"  ... and {len(self.errors) - MAX_LISTED_ERRORS:,} more problems")
            return out
        c = self.counts
        if self.created_agencies:
            verb = "would create" if self.dry_run else "created"
            out.append(
                f"{verb} {len(self.created_agencies)} agencies: " + ", ".join(self.created_agencies)
            )
        prefix = "dry run, nothing written: would be " if self.dry_run else ""
        out.append(f"{prefix}new {c.new}, updated {c.updated}, unchanged {c.unchanged}")
        if self.websites_added:
            verb = "would add" if self.dry_run else "added"
            out.append(f"{verb} {self.websites_added} websites to check (ictr websites)")
        return out
