"""Bill-of-materials import: read a CSV or XLSX of line items, check every row, add them all or none.

The parser reports every problem at once, by spreadsheet row (the header is row 1) and column, so a
consortium fixes its file in one pass. A file with any bad row imports nothing.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from proposals.commerce.policy.eccn import is_valid_eccn, normalize_eccn
from proposals.core.enums import Layer
from proposals.core.errors import InvalidInput
from proposals.core.models.reference import Country
from proposals.documents.services.uploads import upload_read
from proposals.intake.models.proposal import LineItem, Proposal
from proposals.intake.services.drafting import line_items_replace_from_import, locked_editable_proposal

# The columns of the template, in order. `site_name` names one of the proposal's sites.
BOM_COLUMNS = (
    "layer",
    "description",
    "manufacturer",
    "origin_country",
    "eccn",
    "quantity",
    "unit_value",
    "us_origin_value",
    "site_name",
)
BOM_COLUMN_HELP = {
    "layer": f"One of: {', '.join(Layer.values)}.",
    "description": "What the item is (up to 300 characters).",
    "manufacturer": "Who makes or provides it.",
    "origin_country": "ISO code (US) or country name; may be blank.",
    "eccn": "Export Control Classification Number (such as 3A090) or EAR99.",
    "quantity": "A whole number, 1 or more.",
    "unit_value": "US dollars per unit, such as 30000 or 30000.00.",
    "us_origin_value": "US dollars of US-origin content for the whole line.",
    "site_name": "The name of one of the proposal's sites, exactly as entered; may be blank.",
}
BOM_EXAMPLE_ROW = (
    "chips",
    "Data-center AI accelerator",
    "Example Silicon Inc.",
    "US",
    "3A090.a",
    "16",
    "30000.00",
    "432000.00",
    "Abu Dhabi AI Campus 1",
)
# Where a model field's validation error belongs in the file.
_FIELD_TO_COLUMN = {"site": "site_name", "origin_country": "origin_country"}

REQUIRED = "Required."


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row: 1 is the header, data starts at 2
    column: str  # a BOM column, or "" for the whole file
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def bom_template_csv() -> str:
    """The downloadable template: the header row and one example line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BOM_COLUMNS)
    writer.writerow(BOM_EXAMPLE_ROW)
    return out.getvalue()


def _refuse(message: str, errors: list[RowError] | None = None) -> InvalidInput:
    return InvalidInput(
        message,
        extra={"fields": {"file": [message]}, "rows": [e.as_dict() for e in errors or []]},
    )


def _read_upload(upload: File) -> tuple[str, bytes]:
    """Return ("csv" | "xlsx", content); the kind comes from the bytes, the name must agree."""
    name = PurePath((upload.name or "").replace("\\", "/")).name
    claimed = PurePath(name).suffix.lower().lstrip(".")
    content = upload_read(upload, refuse=_refuse)
    guessed = filetype.guess(content)
    if guessed is None:
        kind = "csv"  # plain text has no signature; the CSV reader decides whether it is one
    elif guessed.extension in ("xlsx", "zip"):
        kind = "xlsx"
    else:
        raise _refuse(f"The file's content is {guessed.extension.upper()}; upload a CSV or XLSX file.")
    if claimed != kind:
        raise _refuse(f"The file's content is {kind.upper()}, not what its name says (.{claimed or '?'}).")
    return kind, content


def _cells_csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse("The CSV file is not UTF-8 text; save it as “CSV UTF-8” and upload it again.") from exc
    if "\x00" in text:
        raise _refuse("The file is not a CSV text file.")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise _refuse(f"The CSV file cannot be read: {exc}.") from exc


def _cells_xlsx(content: bytes) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _refuse("The XLSX file cannot be read; save it again from your spreadsheet program.") from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store 16 as 16.0
    return str(value).strip()


def _header(cells: list[Any]) -> tuple[dict[str, int], list[RowError]]:
    names = [_text(c).lower().replace(" ", "_").replace("-", "_") for c in cells]
    errors: list[RowError] = []
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if not name:
            continue
        if name not in BOM_COLUMNS:
            errors.append(RowError(1, name, f"Unknown column; the columns are: {', '.join(BOM_COLUMNS)}."))
        elif name in index:
            errors.append(RowError(1, name, "This column appears twice."))
        else:
            index[name] = position
    errors += [RowError(1, name, "Missing column.") for name in BOM_COLUMNS if name not in index]
    return index, errors


class _Lookups:
    """The names a row may use for layers, countries and the proposal's sites."""

    def __init__(self, proposal: Proposal) -> None:
        self.layers = {v.lower(): v for v in Layer.values} | {
            label.lower(): value for value, label in Layer.choices
        }
        self.countries: dict[str, str] = {}
        for code, name in Country.objects.values_list("code", "name"):
            self.countries[code.lower()] = code
            self.countries[name.lower()] = code
        self.sites: dict[str, list[Any]] = {}
        for site in proposal.sites.all():
            self.sites.setdefault(site.name.strip().lower(), []).append(site)


def _decimal(raw: str) -> Decimal:
    value = Decimal(raw.replace(",", "").removeprefix("$").strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


def _row(number: int, raw: dict[str, str], look: _Lookups) -> tuple[dict[str, Any], list[RowError]]:
    """Turn one row's text into LineItem fields; collect every problem rather than stop at the first."""
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    layer = raw["layer"].lower()
    if not layer:
        bad("layer", REQUIRED)
    elif layer not in look.layers:
        bad("layer", f"“{raw['layer']}” is not a layer; use one of: {', '.join(Layer.values)}.")
    else:
        values["layer"] = look.layers[layer]
    for column in ("description", "manufacturer"):
        if not raw[column]:
            bad(column, REQUIRED)
        values[column] = raw[column]
    country = raw["origin_country"]
    if country and country.lower() not in look.countries:
        bad("origin_country", f"Unknown country “{country}”; use its two-letter ISO code.")
    values["origin_country_id"] = look.countries.get(country.lower()) if country else None
    eccn = normalize_eccn(raw["eccn"])
    if not eccn:
        bad("eccn", "Required: the item's ECCN (such as 3A090) or EAR99.")
    elif not is_valid_eccn(eccn):
        bad("eccn", f"“{raw['eccn']}” is not an ECCN; use the form 3A090 or 5A992.c, or EAR99.")
    values["eccn"] = eccn
    try:
        quantity = _decimal(raw["quantity"]) if raw["quantity"] else None
        if quantity is None:
            bad("quantity", REQUIRED)
        elif quantity != quantity.to_integral_value() or quantity < 1:
            bad("quantity", "Enter a whole number, 1 or more.")
        else:
            values["quantity"] = int(quantity)
    except InvalidOperation:
        bad("quantity", f"“{raw['quantity']}” is not a number.")
    for column in ("unit_value", "us_origin_value"):
        if not raw[column]:
            bad(column, REQUIRED)
            continue
        try:
            amount = _decimal(raw[column])
        except InvalidOperation:
            bad(column, f"“{raw[column]}” is not an amount in US dollars.")
            continue
        if amount < 0:
            bad(column, "Enter an amount of zero or more.")
        elif amount != amount.quantize(Decimal("0.01")):
            bad(column, "Use at most two decimal places (cents).")
        else:
            values[column] = amount
    site_name = raw["site_name"]
    values["site"] = None
    if site_name:
        matches = look.sites.get(site_name.lower(), [])
        if len(matches) == 1:
            values["site"] = matches[0]
        elif not matches:
            bad("site_name", f"No site named “{site_name}”; add the site first or correct the name.")
        else:
            bad("site_name", f"Several sites are named “{site_name}”; rename them so each is unique.")
    return values, errors


def _model_errors(number: int, values: dict[str, Any], already: set[str]) -> list[RowError]:
    """The model's own validation (lengths, digits) for what the row parser accepted."""
    # Foreign keys were resolved from the lookups already; validating them again costs a query a row.
    skip = ["proposal", "origin_country", "site", *(c for c in already if c in BOM_COLUMNS)]
    try:
        LineItem(**values).full_clean(exclude=skip)
    except ValidationError as exc:
        return [
            RowError(number, _FIELD_TO_COLUMN.get(field, field), message)
            for field, messages in exc.message_dict.items()
            if _FIELD_TO_COLUMN.get(field, field) not in already
            for message in messages
        ]
    return []


def bom_parse(*, proposal: Proposal, upload: File) -> list[dict[str, Any]]:
    """Every row of the file as LineItem fields, or InvalidInput listing every error by row and column."""
    kind, content = _read_upload(upload)
    cells = _cells_xlsx(content) if kind == "xlsx" else _cells_csv(content)
    # Trailing blank rows are common in spreadsheets; blank rows anywhere carry nothing to import.
    numbered = [(n, row) for n, row in enumerate(cells, start=1) if any(_text(c) for c in row)]
    if not numbered:
        raise _refuse("The file is empty.")
    header_cells = numbered[0][1]
    index, errors = _header(header_cells)
    if errors:
        raise _refuse("The file's header row does not match the template.", errors)
    data = numbered[1:]
    if not data:
        raise _refuse("The file has a header but no line items.")
    if len(data) > settings.BOM_IMPORT_MAX_ROWS:
        raise _refuse(f"The file has {len(data)} line items; the limit is {settings.BOM_IMPORT_MAX_ROWS}.")
    look = _Lookups(proposal)
    rows: list[dict[str, Any]] = []
    for number, row in data:
        raw = {name: _text(row[pos]) if pos < len(row) else "" for name, pos in index.items()}
        values, row_errors = _row(number, raw, look)
        row_errors += _model_errors(number, values, {e.column for e in row_errors})
        errors += row_errors
        rows.append(values)
    if errors:
        bad_rows = len({e.row for e in errors})
        raise _refuse(
            f"Nothing was imported: {len(errors)} problem(s) in {bad_rows} row(s). "
            "Correct the file and upload it again.",
            errors,
        )
    return rows


def bom_import(*, proposal_id: int, actor: Any, upload: File) -> int:
    """Check the actor may edit, parse the whole file, then add every line item in one transaction."""
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
    rows = bom_parse(proposal=proposal, upload=upload)
    return line_items_replace_from_import(proposal_id=proposal_id, actor=actor, rows=rows)
