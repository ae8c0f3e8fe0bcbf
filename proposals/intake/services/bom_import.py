"""Bill-of-materials import: read a CSV or XLSX of line items, check every row, add them all or none.

The parser reports every problem at once, by spreadsheet row (the header is row 1) and column, so a
consortium fixes its file in one pass. A file with any bad row imports nothing.

The file comes from anyone with an editor's role, so reading it is bounded whatever it holds:
- rows are read one at a time and the file is refused at the row limit + 1, never read whole;
- only the first MAX_COLUMNS columns of a row are kept (the template has nine);
- a CSV line longer than MAX_LINE_CHARS is refused before it is split into cells;
- an XLSX is checked as a zip first (member count, each member's and the total uncompressed size),
  then its first sheet is read as a stream of XML events: no sheet dimension is trusted, no row is
  padded to a claimed width, and cells past MAX_COLUMNS are skipped unread;
- numbers are checked as text (digits, exponent, decimal places) before any conversion, so no
  `1e1000000` ever reaches Decimal arithmetic;
- the whole read has a CPU budget (BOM_IMPORT_CPU_SECONDS of this thread's time), past which the
  file is refused rather than holding a process.

Only small files are read during the web request (BOM_IMPORT_INLINE_MAX_BYTES of bytes to parse,
`bom_measure`); larger ones are stored and read by the intake worker (`services.bom_jobs`), which
reports its progress through `bom_parse`'s `progress` callback.
"""

import codecs
import csv
import io
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction

from proposals.commerce.policy.eccn import is_valid_eccn, normalize_eccn
from proposals.core.enums import Layer
from proposals.core.errors import ApplicationError, InvalidInput
from proposals.core.models.reference import Country
from proposals.documents.services.uploads import upload_size_check
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

# --- Bounds on what is read ---------------------------------------------------------------------
MAX_COLUMNS = 26  # A to Z: the template's nine columns in any order, with room for blank ones
MAX_CELL_CHARS = 2000  # the longest text column (description) takes 300
MAX_LINE_CHARS = 64 * 1024  # one CSV line
MAX_REPORTED_ERRORS = 200  # every problem is counted; the first ones are listed
CSV_CHUNK_BYTES = 64 * 1024
XLSX_CHUNK_BYTES = 64 * 1024
XLSX_MAX_MEMBERS = 200
XLSX_MAX_TOTAL_BYTES = 64 * 1024 * 1024  # all members, uncompressed (a zip bomb is refused unread)
XLSX_MAX_SHEET_BYTES = 16 * 1024 * 1024  # the first sheet's XML; 5,000 rows of the template take ~2.5 MB
XLSX_MAX_STRINGS_BYTES = 8 * 1024 * 1024  # the shared strings' XML
XLSX_MAX_PART_BYTES = 1024 * 1024  # workbook.xml and the relationship files
# Money columns hold 16 digits before the cents; quantities are bounded far lower by the model.
MAX_INTEGER_DIGITS = 16
# A number as text: optional sign, digits, optional decimals, optional exponent (Excel writes 1E+20).
# Its size is worked out from the digit counts and the exponent as integers, never by expanding it.
_NUMBER = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d+)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[-+]?\d{1,7}))?$")
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


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


# progress(rows read so far, bytes of the file read so far, bytes to read in all)
Progress = Callable[[int, int, int], None]
# How many rows (blank ones included) pass between two calls of `progress`.
PROGRESS_EVERY_ROWS = 256


class _Budget:
    """CPU seconds this thread may spend reading one file, checked between rows and XML chunks; and the
    bytes read so far out of those to read (what a progress bar shows)."""

    def __init__(self) -> None:
        self.seconds = settings.BOM_IMPORT_CPU_SECONDS
        self.started = time.thread_time()
        self.done = 0
        self.total = 0

    def check(self) -> None:
        if time.thread_time() - self.started > self.seconds:
            raise _refuse(
                f"The file takes more than {self.seconds:g} seconds to read; nothing was imported. "
                "Remove empty rows, extra columns and formatting, or split it into smaller files."
            )


# --- Reading the upload -------------------------------------------------------------------------


def _kind(upload: File) -> str:
    """ "csv" or "xlsx": the kind comes from the first bytes, and the name must agree."""
    name = PurePath((upload.name or "").replace("\\", "/")).name
    claimed = PurePath(name).suffix.lower().lstrip(".")
    upload_size_check(upload, refuse=_refuse)
    upload.seek(0)
    guessed = filetype.guess(upload.read(8192))
    if guessed is None:
        kind = "csv"  # plain text has no signature; the CSV reader decides whether it is one
    elif guessed.extension in ("xlsx", "zip"):
        kind = "xlsx"
    else:
        raise _refuse(f"The file's content is {guessed.extension.upper()}; upload a CSV or XLSX file.")
    if claimed != kind:
        raise _refuse(f"The file's content is {kind.upper()}, not what its name says (.{claimed or '?'}).")
    upload.seek(0)
    return kind


def _csv_lines(stream: IO[bytes], budget: _Budget) -> Iterator[str]:
    """The file's lines (with their ends, as the csv module wants them), each at most MAX_LINE_CHARS."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    while True:
        chunk = stream.read(CSV_CHUNK_BYTES)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise _refuse(
                "The CSV file is not UTF-8 text; save it as “CSV UTF-8” and upload it again."
            ) from exc
        if "\x00" in text:
            raise _refuse("The file is not a CSV text file.")
        *complete, pending = (pending + text).split("\n")
        for line in complete:
            budget.done += len(line) + 1  # characters as bytes: close enough for a progress bar
            yield line + "\n"
        if len(pending) > MAX_LINE_CHARS:
            raise _refuse(f"A line of the file is longer than {MAX_LINE_CHARS:,} characters.")
        budget.check()
        if not chunk:
            break
    if pending:
        yield pending


def _csv_rows(stream: IO[bytes], budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, row in enumerate(csv.reader(_csv_lines(stream, budget)), start=1):
            yield number, row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise _refuse(f"The CSV file cannot be read: {exc}.") from exc


_XLSX_UNREADABLE = "The XLSX file cannot be read; save it again from your spreadsheet program."
_OFFICE_DOCUMENT = "/officeDocument"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_feed(
    archive: zipfile.ZipFile, name: str, limit: int, target: Any, budget: _Budget
) -> Iterator[None]:
    """Feed one member's XML to a parser `target` (start/end/data callbacks, no tree is built) in
    chunks, yielding after each chunk so the caller takes what the target completed meanwhile."""
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise _refuse(_XLSX_UNREADABLE) from exc
    if info.file_size > limit:
        raise _refuse(f"The XLSX file's sheet data is larger than {limit // (1024 * 1024)} MB uncompressed.")
    parser = ElementTree.XMLParser(target=target)
    read = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(XLSX_CHUNK_BYTES):
                read += len(chunk)
                budget.done += len(chunk)
                if read > limit:  # the zip's declared size bounds the output; this is belt and braces
                    raise _refuse(_XLSX_UNREADABLE)
                if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
                    raise _refuse(_XLSX_UNREADABLE)  # no spreadsheet declares entities
                parser.feed(chunk)
                yield
                budget.check()
            parser.close()
            yield
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _refuse(_XLSX_UNREADABLE) from exc


def _xml_part(archive: zipfile.ZipFile, name: str) -> Any:
    """A small part (workbook, relationships) as one element tree."""
    try:
        info = archive.getinfo(name)
        if info.file_size > XLSX_MAX_PART_BYTES:
            raise _refuse(_XLSX_UNREADABLE)
        raw = archive.read(info)
        if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
            raise _refuse(_XLSX_UNREADABLE)
        return ElementTree.fromstring(raw)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _refuse(_XLSX_UNREADABLE) from exc


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, member name) of a part's relationships (targets resolved against the part)."""
    folder, _, filename = part.rpartition("/")
    rels = f"{folder}/_rels/{filename}.rels" if folder else f"_rels/{filename}.rels"
    if rels not in archive.namelist():
        return {}
    found: dict[str, tuple[str, str]] = {}
    for element in _xml_part(archive, rels):
        target = element.get("Target", "")
        if element.get("TargetMode") == "External":
            continue
        parts = (target.lstrip("/") if target.startswith("/") else f"{folder}/{target}".lstrip("/")).split(
            "/"
        )
        resolved: list[str] = []
        for piece in parts:
            if piece == "..":
                if resolved:
                    resolved.pop()
            elif piece and piece != ".":
                resolved.append(piece)
        found[element.get("Id", "")] = (element.get("Type", ""), "/".join(resolved))
    return found


class _TextTarget:
    """Collects the text of <t> elements (not inside <rPh> pronunciation runs), at most MAX_CELL_CHARS + 1."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.capture = False
        self.phonetic = 0

    def text_start(self, local: str) -> None:
        if local == "rPh":
            self.phonetic += 1
        elif local == "t" and not self.phonetic:
            self.capture = True

    def text_end(self, local: str) -> None:
        if local == "rPh":
            self.phonetic -= 1
        elif local == "t":
            self.capture = False

    def data(self, text: str) -> None:
        if self.capture and self.size <= MAX_CELL_CHARS:
            self.parts.append(text)
            self.size += len(text)

    def take(self) -> str:
        text = "".join(self.parts)[: MAX_CELL_CHARS + 1]
        self.parts, self.size = [], 0
        return text

    def close(self) -> None:
        return None


class _StringsTarget(_TextTarget):
    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.text_start(_local(tag))

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "si":
            self.strings.append(self.take())
        else:
            self.text_end(local)


def _shared_strings(archive: zipfile.ZipFile, name: str | None, budget: _Budget) -> list[str]:
    if not name:
        return []
    target = _StringsTarget()
    for _ in _xml_feed(archive, name, XLSX_MAX_STRINGS_BYTES, target, budget):
        pass
    return target.strings


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _cell_text(kind: str, value: str, strings: list[str]) -> str:
    if kind == "s":
        try:
            return strings[int(value)]
        except (ValueError, IndexError):
            return ""
    if kind == "b":
        return "TRUE" if value == "1" else "FALSE"
    if kind in ("", "n") and value.endswith(".0") and value[:-2].lstrip("-").isdigit():
        return value[:-2]  # 16.0 is how some writers store 16
    return value


def _xlsx_rows(stream: IO[bytes], budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as text cells, from its XML; the sheet's claimed dimension is ignored."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _refuse(_XLSX_UNREADABLE) from exc
    with archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            raise _refuse(
                f"The XLSX file has more than {XLSX_MAX_MEMBERS} parts; save it again as a plain sheet."
            )
        if sum(m.file_size for m in members) > XLSX_MAX_TOTAL_BYTES:
            raise _refuse(
                f"The XLSX file is larger than {XLSX_MAX_TOTAL_BYTES // (1024 * 1024)} MB uncompressed."
            )
        workbook = next(
            (
                target
                for kind, target in _relationships(archive, "").values()
                if kind.endswith(_OFFICE_DOCUMENT)
            ),
            "xl/workbook.xml",
        )
        related = _relationships(archive, workbook)
        sheets = [el for el in _xml_part(archive, workbook).iter() if _local(el.tag) == "sheet"]
        if not sheets:
            raise _refuse(_XLSX_UNREADABLE)
        rel_id = next((v for k, v in sheets[0].attrib.items() if _local(k) == "id"), "")
        sheet = related.get(rel_id, ("", ""))[1]
        strings_part = next((t for k, t in related.values() if k.endswith("/sharedStrings")), None)
        budget.total = sum(info.file_size for info in members if info.filename in (sheet, strings_part))
        strings = _shared_strings(archive, strings_part, budget)
        yield from _sheet_rows(archive, sheet, strings, budget)


class _SheetTarget(_TextTarget):
    """Turns a worksheet's XML into (row number, text cells): only the first MAX_COLUMNS cells of a row
    are kept, rows are numbered from their own r attribute, and nothing is padded or filled in."""

    def __init__(self, strings: list[str]) -> None:
        super().__init__()
        self.strings = strings
        self.done: list[tuple[int, list[str]]] = []
        self.row_number = 0
        self.cells: list[str] = []
        self.column = 0
        self.kind = ""
        self.in_cell = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "c":
            match = _CELL_REF.match(attrs.get("r", ""))
            self.column = _column_number(match.group(1)) if match else self.column + 1
            self.in_cell = self.column <= MAX_COLUMNS
            self.kind = attrs.get("t", "")
            self.parts, self.size = [], 0
        elif local == "row":
            r = attrs.get("r", "")
            self.row_number = int(r) if r.isascii() and r.isdigit() and len(r) <= 7 else self.row_number + 1
            self.cells, self.column = [], 0
        elif self.in_cell:
            if local == "v":
                self.capture = True
            else:
                self.text_start(local)

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "c":
            if self.in_cell:
                value = self.take()
                text = value if self.kind == "inlineStr" else _cell_text(self.kind, value, self.strings)
                if len(self.cells) < self.column:
                    self.cells.extend([""] * (self.column - 1 - len(self.cells)))
                    self.cells.append(text[: MAX_CELL_CHARS + 1])
            self.in_cell = self.capture = False
        elif local == "row":
            self.done.append((self.row_number, self.cells))
            self.cells = []
        elif local == "v":
            self.capture = False
        else:
            self.text_end(local)


def _sheet_rows(
    archive: zipfile.ZipFile, sheet: str, strings: list[str], budget: _Budget
) -> Iterator[tuple[int, list[str]]]:
    target = _SheetTarget(strings)
    for _ in _xml_feed(archive, sheet, XLSX_MAX_SHEET_BYTES, target, budget):
        done, target.done = target.done, []
        yield from done


# --- Checking rows ------------------------------------------------------------------------------


def _header(cells: list[str]) -> tuple[dict[str, int], list[RowError]]:
    names = [c.strip().lower().replace(" ", "_").replace("-", "_") for c in cells]
    errors: list[RowError] = []
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if not name:
            continue
        if name not in BOM_COLUMNS:
            errors.append(
                RowError(1, name[:40], f"Unknown column; the columns are: {', '.join(BOM_COLUMNS)}.")
            )
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


@dataclass(frozen=True)
class _Number:
    value: Decimal | None = None
    problem: str = ""  # "not_a_number", "too_large", "too_precise" or "negative"


def number_from_text(raw: str, *, places: int) -> _Number:
    """A number written as text, checked on the text before any conversion.

    Thousands separators and a leading $ are allowed. At most MAX_INTEGER_DIGITS digits before the
    point and `places` after it (trailing zeros aside), exponent included: "1e3" is 1000, "1e1000000"
    is too large, and neither is ever expanded.
    """
    text = raw.replace(",", "").strip().removeprefix("$").strip()
    match = _NUMBER.match(text)
    if match is None:
        return _Number(problem="not_a_number")
    fraction = match["frac"] or ""
    digits = (match["int"] + fraction).lstrip("0")
    if not digits:
        return _Number(value=Decimal(0))
    if match["sign"] == "-":
        return _Number(problem="negative")
    significant = digits.rstrip("0")
    # The number is int(significant) x 10^exponent.
    exponent = int(match["exp"] or 0) - len(fraction) + (len(digits) - len(significant))
    if len(significant) + exponent > MAX_INTEGER_DIGITS:
        return _Number(problem="too_large")
    if -exponent > places:
        return _Number(problem="too_precise")
    # Bounded now: at most MAX_INTEGER_DIGITS digits before the point and `places` after it.
    return _Number(value=Decimal(int(significant)).scaleb(exponent).quantize(Decimal(1).scaleb(-places)))


def _row(number: int, raw: dict[str, str], look: _Lookups) -> tuple[dict[str, Any], list[RowError]]:
    """Turn one row's text into LineItem fields; collect every problem rather than stop at the first."""
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for column, text in raw.items():
        if len(text) > MAX_CELL_CHARS:
            bad(column, f"Longer than {MAX_CELL_CHARS:,} characters.")
            raw[column] = ""
    if errors:
        return values, errors
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
    if not raw["quantity"]:
        bad("quantity", REQUIRED)
    else:
        quantity = number_from_text(raw["quantity"], places=0)
        if quantity.problem == "not_a_number":
            bad("quantity", f"“{raw['quantity']}” is not a number.")
        elif quantity.problem == "too_large":
            bad("quantity", "The number is too large.")
        elif quantity.problem or quantity.value is None or quantity.value < 1:
            bad("quantity", "Enter a whole number, 1 or more.")
        else:
            values["quantity"] = int(quantity.value)
    for column in ("unit_value", "us_origin_value"):
        if not raw[column]:
            bad(column, REQUIRED)
            continue
        amount = number_from_text(raw[column], places=2)
        if amount.problem == "not_a_number":
            bad(column, f"“{raw[column]}” is not an amount in US dollars.")
        elif amount.problem == "negative":
            bad(column, "Enter an amount of zero or more.")
        elif amount.problem == "too_precise":
            bad(column, "Use at most two decimal places (cents).")
        elif amount.problem == "too_large":
            bad(column, "The amount is too large.")
        else:
            values[column] = amount.value
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
    """The model's own validation (lengths, digits, bounds) for what the row parser accepted."""
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


def bom_parse(*, proposal: Proposal, upload: File, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Every row of the file as LineItem fields, or InvalidInput listing errors by row and column.

    `progress`, when given, is called every PROGRESS_EVERY_ROWS rows with the rows read and the
    file's bytes read out of those to read."""
    budget = _Budget()
    kind = _kind(upload)
    stream = upload.file if hasattr(upload, "file") else upload
    budget.total = upload.size or 0  # an XLSX's reader replaces it with its sheet's unpacked size
    rows = _xlsx_rows(stream, budget) if kind == "xlsx" else _csv_rows(stream, budget)
    limit = settings.BOM_IMPORT_MAX_ROWS
    index: dict[str, int] | None = None
    look: _Lookups | None = None
    parsed: list[dict[str, Any]] = []
    errors: list[RowError] = []
    problems, bad_rows = 0, 0
    for seen, (number, cells) in enumerate(rows, start=1):
        if progress is not None and not seen % PROGRESS_EVERY_ROWS:
            progress(len(parsed), budget.done, budget.total)
        # Blank rows are common in spreadsheets (trailing ones above all) and carry nothing to import.
        if not any(c.strip() for c in cells):
            continue
        if index is None:
            index, header_errors = _header(cells)
            if header_errors:
                raise _refuse("The file's header row does not match the template.", header_errors)
            look = _Lookups(proposal)
            continue
        if len(parsed) == limit:
            raise _refuse(f"The file has more than {limit:,} line items; the limit is {limit:,}.")
        raw = {name: cells[pos].strip() if pos < len(cells) else "" for name, pos in index.items()}
        assert look is not None
        values, row_errors = _row(number, raw, look)
        if values:  # empty when a cell was too long to look at
            row_errors += _model_errors(number, values, {e.column for e in row_errors})
        if row_errors:
            problems += len(row_errors)
            bad_rows += 1
            errors += row_errors[: max(0, MAX_REPORTED_ERRORS - len(errors))]
        parsed.append(values)
        budget.check()
    if index is None:
        raise _refuse("The file is empty.")
    if not parsed:
        raise _refuse("The file has a header but no line items.")
    if problems:
        listed = "" if problems <= len(errors) else f" The first {len(errors)} are listed."
        raise _refuse(
            f"Nothing was imported: {problems} problem(s) in {bad_rows} row(s). "
            f"Correct the file and upload it again.{listed}",
            errors,
        )
    if progress is not None:
        progress(len(parsed), budget.total, budget.total)
    return parsed


def bom_measure(upload: File) -> tuple[str, int | None]:
    """The file's kind ("csv" or "xlsx") and, for a small XLSX, its members' uncompressed bytes.

    What `policy.imports.bom_import_in_background` decides on. Cheap whatever the file holds: its
    first bytes, and for an XLSX of at most BOM_IMPORT_INLINE_MAX_BYTES, its zip directory (a larger
    one goes to the worker unopened). Refuses what is no CSV or XLSX at all, as the import would.
    """
    kind = _kind(upload)
    if kind != "xlsx" or (upload.size or 0) > settings.BOM_IMPORT_INLINE_MAX_BYTES:
        return kind, None
    try:
        with zipfile.ZipFile(upload.file if hasattr(upload, "file") else upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _refuse(_XLSX_UNREADABLE) from exc
    finally:
        upload.seek(0)
    return kind, unpacked


class ImportsBusy(ApplicationError):
    """Every import slot is taken (HTTP 429): the file was not read; send it again in a moment."""

    status_code = 429
    code = "busy"


# A slot is held for at most this long, so one left by a process that died frees itself; an import
# ends well within it (its reading is bounded by BOM_IMPORT_CPU_SECONDS).
IMPORT_SLOT_SECONDS = 60


@contextmanager
def import_slot() -> Iterator[None]:
    """One of BOM_IMPORT_CONCURRENCY slots shared by every web process (through the cache), so that
    however many imports arrive at once, most web workers stay free for everything else (sign-in)."""
    token = uuid.uuid4().hex
    for slot in range(settings.BOM_IMPORT_CONCURRENCY):
        key = f"bom-import-slot:{slot}"
        if cache.add(key, token, timeout=IMPORT_SLOT_SECONDS):
            try:
                yield
            finally:
                if cache.get(key) == token:
                    cache.delete(key)
            return
    raise ImportsBusy(
        "Other bills of materials are being imported right now; nothing was read. "
        "Send the file again in a minute."
    )


def bom_import(*, proposal_id: int, actor: Any, upload: File) -> int:
    """Check the actor may edit, parse the whole file, then add every line item in one transaction."""
    with transaction.atomic():
        proposal = locked_editable_proposal(proposal_id=proposal_id, actor=actor)
    with import_slot():
        rows = bom_parse(proposal=proposal, upload=upload)
    return line_items_replace_from_import(proposal_id=proposal_id, actor=actor, rows=rows)
