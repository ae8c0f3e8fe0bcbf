"""Hostile bills of materials, built in memory: the tests and `make bench` use the same files."""

import io
import zipfile

from openpyxl import Workbook

from proposals.intake.services.bom_import import BOM_COLUMNS

UPLOAD_LIMIT = 20 * 1024 * 1024
HEADER_CSV = ",".join(BOM_COLUMNS) + "\n"
_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + _NS + b">"
_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    b'<Relationship Id="rId9" Target="sharedStrings.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    b"</Relationships>"
)


def inline(text: str) -> bytes:
    return b'<c t="inlineStr"><is><t>' + text.encode() + b"</t></is></c>"


HEADER_ROW = b'<row r="1">' + b"".join(inline(c) for c in BOM_COLUMNS) + b"</row>"


def good_row_xml(number: int, unit_value: str = "30000") -> bytes:
    texts = b"".join(inline(t) for t in ("chips", f"Accelerator {number}", "Chip Co", "US", "3A090"))
    return (
        f'<row r="{number}">'.encode()
        + texts
        + f"<c><v>16</v></c><c><v>{unit_value}</v></c><c><v>0</v></c>".encode()
        + b"</row>"
    )


def template_xlsx(rows: int = 0) -> bytes:
    """A real workbook from openpyxl: the header and `rows` good lines."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(BOM_COLUMNS))
    for i in range(rows):
        sheet.append(["chips", f"Accelerator {i}", "Chip Co", "US", "3A090", 16, 30000.0, 0, ""])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def good_csv(rows: int, *, site: str = "") -> bytes:
    """The header and `rows` good lines (each destined for the site named `site`, if any)."""
    return (HEADER_CSV + f"chips,Accelerator,Chip Co,US,3A090,16,30000.00,0,{site}\n" * rows).encode()


# A line with three problems (its layer, quantity and unit value): a file with it imports nothing.
BAD_ROW_CSV = b"quantum,x,y,US,3A090,0,ten,0,\n"


def xlsx_with(
    sheet_data: bytes, *, dimension: str = "A1:I2", strings: bytes | None = None, extra=()
) -> bytes:
    """template_xlsx() with its first sheet's rows replaced; optionally shared strings, more members."""
    sheet = _SHEET_HEAD + f'<dimension ref="{dimension}"/>'.encode() + b"<sheetData>"
    sheet += sheet_data + b"</sheetData></worksheet>"
    replace = {"xl/worksheets/sheet1.xml": sheet}
    added = list(extra)
    if strings is not None:
        replace["xl/_rels/workbook.xml.rels"] = _RELS
        added.append(
            ("xl/sharedStrings.xml", b'<?xml version="1.0"?><sst ' + _NS + b">" + strings + b"</sst>")
        )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template_xlsx())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, body in added:
            target.writestr(name, body)
    return out.getvalue()


# --- The worst files under the upload limit, by what they aim at ----------------------------------


def claimed_dimension_xlsx() -> bytes:
    """5 KB whose dimension claims every cell of a sheet (3,000 x 16,384 took 500 MB before)."""
    return xlsx_with(HEADER_ROW + good_row_xml(2), dimension="A1:XFD1048576")


def wide_row_xlsx() -> bytes:
    """One row of a million cells (15 MB of XML, 40 KB zipped): one row is never read whole."""
    return xlsx_with(HEADER_ROW + b'<row r="2">' + b"<c><v>1</v></c>" * 1_000_000 + b"</row>")


def empty_rows_xlsx() -> bytes:
    """800,000 empty rows after the header: blank rows count against the CPU budget."""
    return xlsx_with(HEADER_ROW + b"".join(b'<row r="%d"/>' % i for i in range(2, 800_000)))


def shared_strings_xlsx() -> bytes:
    """8 MB of shared strings, 380,000 distinct ones (one-letter strings would be shared objects)."""
    strings = b"".join(b"<si><t>%x</t></si>" % i for i in range(380_000))
    return xlsx_with(HEADER_ROW + good_row_xml(2), strings=strings)


def zip_bomb_xlsx() -> bytes:
    """A 70 MB member of zeros, 70 KB zipped: refused from the zip's directory, never inflated."""
    return xlsx_with(
        HEADER_ROW + good_row_xml(2), extra=[("xl/media/image1.bin", b"\0" * (70 * 1024 * 1024))]
    )


def blank_lines_csv() -> bytes:
    """The header and ten million blank lines, up to the upload limit."""
    return (HEADER_CSV + ",\n" * ((UPLOAD_LIMIT - 200) // 2)).encode()


def huge_numbers_csv(rows: int = 5001) -> bytes:
    """Numbers whose conversion would take minutes ("1e1000000"), one more row than the limit."""
    line = "chips,d,m,US,EAR99,1e1000000,1e-1000000," + "9" * 61 + ",\n"
    return (HEADER_CSV + line * rows).encode()


def long_cells_csv() -> bytes:
    """5,000 rows each with a 4,000-character description, up to the upload limit."""
    line = "chips," + "x" * 3900 + ",m,US,EAR99,1,1,1,\n"
    return (HEADER_CSV + line * 5000).encode()[:UPLOAD_LIMIT]


WORST_FILES = {
    "bom.xlsx: dimension claims A1:XFD1048576": claimed_dimension_xlsx,
    "bom.xlsx: one row of 1M cells": wide_row_xlsx,
    "bom.xlsx: 800,000 empty rows": empty_rows_xlsx,
    "bom.xlsx: 8 MB of shared strings": shared_strings_xlsx,
    "bom.xlsx: 70 MB zip bomb": zip_bomb_xlsx,
    "bom.csv: 10M blank lines": blank_lines_csv,
    "bom.csv: 1e1000000 in every number": huge_numbers_csv,
    "bom.csv: 4,000-character cells": long_cells_csv,
}
