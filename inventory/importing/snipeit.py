"""Snipe-IT's asset CSV (its import sample and its exports), recognised by its header.

Snipe-IT writes dates as M/D/YY and costs with a decimal point. Its Company, or else its
Location, names the agency; its Category gives the kind when it says laptop, desktop or
server, and otherwise the model name may ("MacBook", "ThinkPad"...).
"""

from __future__ import annotations

from inventory.importing.values import BadValue, computer_kind
from inventory.models import ComputerKind
from inventory.text_keys import compact, fold

# Columns only Snipe-IT writes; two of them beside "Asset Tag" identify its files.
_SIGNATURE = {
    compact(h)
    for h in (
        "Checkout Type",
        "Checked Out To: Username",
        "Checked Out To",
        "Asset EOL Date",
        "Model Number",
        "Model No.",
        "Order Number",
        "Supplier",
        "Asset Name",
    )
}

LOCATION = "agency_if_no_company"

# compact(header) -> canonical name; "" means known but not stored here.
COLUMNS: dict[str, str] = {
    compact(header): name
    for header, name in {
        "Asset Tag": "asset_tag",
        "Serial": "serial",
        "Model": "model",
        "Manufacturer": "manufacturer",
        "Category": "kind",
        "Purchase Date": "purchase_date",
        "Purchase Cost": "purchase_cost",
        "Company": "agency",
        "Location": LOCATION,
        "Status": "status",
        "Asset Notes": "notes",
        "Notes": "notes",
    }.items()
}

_LAPTOP_WORDS = (
    "macbook",
    "thinkpad",
    "latitude",
    "elitebook",
    "probook",
    "zbook",
    "ideapad",
    "vivobook",
    "zenbook",
    "xps",
    "inspiron 14",
    "inspiron 15",
    "notebook",
    "laptop",
    "surface laptop",
)
_SERVER_WORDS = ("poweredge", "proliant", "primergy", "server", "thinksystem")
_DESKTOP_WORDS = ("optiplex", "thinkcentre", "elitedesk", "prodesk", "imac", "desktop", "vostro")


def is_snipeit(headers: list[str]) -> bool:
    keys = {compact(h) for h in headers}
    return compact("Asset Tag") in keys and len(keys & _SIGNATURE) >= 2


def kind_from(category: object, model: object) -> tuple[ComputerKind, str | None]:
    """The kind, and a warning when it had to be guessed from the model or defaulted."""
    category_text = str(category or "").strip()
    if category_text:
        try:
            return computer_kind(category_text), None
        except BadValue:
            pass
    model_text = fold(str(model or ""))
    for words, kind in (
        (_LAPTOP_WORDS, ComputerKind.laptop),
        (_SERVER_WORDS, ComputerKind.server),
        (_DESKTOP_WORDS, ComputerKind.desktop),
    ):
        if any(w in model_text for w in words):
            return kind, None
    return ComputerKind.other, (
        f"category {category_text!r} and model {str(model or '')!r} do not say laptop, "
        "desktop or server: stored as other"
    )
