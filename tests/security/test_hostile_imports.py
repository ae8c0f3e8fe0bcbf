"""Bill-of-materials imports are bounded: hostile files are refused (or read) within their limits.

The files are the ones `make bench` measures (tests/security/hostile_files.py); here, each must end in
the right answer. CPU and memory figures are the bench's, never asserted here.
"""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from proposals.core.errors import InvalidInput
from proposals.intake.models.proposal import LineItem
from proposals.intake.services import bom_import as bom
from proposals.intake.services.bom_import import ImportsBusy, bom_import, number_from_text
from tests.factories import open_call
from tests.security import hostile_files as files

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(consortium, lead):
    from proposals.intake.services.drafting import proposal_create

    return proposal_create(
        consortium=consortium, call=open_call(), actor=lead, title="Kenya AI Hub", target_countries=["KE"]
    )


def _import(draft, lead, name: str, content: bytes) -> int:
    return bom_import(proposal_id=draft.pk, actor=lead, upload=SimpleUploadedFile(name, content))


def _refused(draft, lead, name: str, content: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        _import(draft, lead, name, content)
    assert LineItem.objects.count() == 0
    return refused.value


# --- numbers, checked as text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "places", "value"),
    [
        ("1e3", 2, Decimal("1000.00")),
        ("1E+3", 0, Decimal("1000")),
        ("100e-2", 0, Decimal("1")),
        ("$30,000.50", 2, Decimal("30000.50")),
        ("9999999999999999.99", 2, Decimal("9999999999999999.99")),
        ("0.10", 2, Decimal("0.10")),
        ("-0", 2, Decimal("0.00")),
        ("16.0", 0, Decimal("16")),
    ],
)
def test_number_from_text_reads_plain_and_exponent_forms(text, places, value):
    number = number_from_text(text, places=places)
    assert (number.value, number.problem) == (value, "")


@pytest.mark.parametrize(
    ("text", "places", "problem"),
    [
        ("1e1000000", 2, "too_large"),
        ("1e17", 2, "too_large"),
        ("99999999999999999", 2, "too_large"),
        ("1e-1000000", 2, "too_precise"),
        ("0.001", 2, "too_precise"),
        ("1.5", 0, "too_precise"),
        ("-1", 2, "negative"),
        ("-1e1000000", 2, "negative"),
        ("1e99999999", 2, "not_a_number"),  # an eight-digit exponent is not even looked at
        ("NaN", 2, "not_a_number"),
        ("Infinity", 2, "not_a_number"),
        ("1" * 1900, 2, "too_large"),
        ("0." + "0" * 1900 + "1", 2, "too_precise"),
        ("²", 0, "not_a_number"),
    ],
)
def test_number_from_text_refuses_out_of_range_before_converting(text, places, problem):
    assert number_from_text(text, places=places).problem == problem


def test_an_exponent_in_a_unit_value_is_read_when_in_range(draft, lead):
    content = files.HEADER_CSV + "chips,d,m,US,EAR99,2,1E+3,0,\n"
    assert _import(draft, lead, "bom.csv", content.encode()) == 1
    assert LineItem.objects.get().unit_value == Decimal("1000.00")


def test_huge_numbers_are_row_errors_without_conversion(draft, lead):
    refused = _refused(draft, lead, "bom.csv", files.huge_numbers_csv(rows=1))

    assert refused.extra["rows"] == [
        {"row": 2, "column": "quantity", "message": "The number is too large."},
        {"row": 2, "column": "unit_value", "message": "Use at most two decimal places (cents)."},
        {"row": 2, "column": "us_origin_value", "message": "The amount is too large."},
    ]


def test_line_total_over_the_bound_is_a_row_error(draft, lead):
    content = files.HEADER_CSV + "chips,d,m,US,EAR99,10000000,200000,0,\n"
    refused = _refused(draft, lead, "bom.csv", content.encode())

    assert [(e["column"], "total" in e["message"]) for e in refused.extra["rows"]] == [("unit_value", True)]


# --- rows and cells -----------------------------------------------------------------------------


def test_rows_are_refused_at_the_limit_plus_one_without_reading_further(draft, lead, settings):
    settings.BOM_IMPORT_MAX_ROWS = 2
    good = "chips,d,m,US,EAR99,1,1,0,\n"
    # Past the third line item the file is not even UTF-8: it is never read that far.
    content = (files.HEADER_CSV + good * 3 + "\n" * 100_000).encode() + b"\xff\xfe not text"

    refused = _refused(draft, lead, "bom.csv", content)

    assert refused.message == "The file has more than 2 line items; the limit is 2."


def test_a_file_at_the_row_limit_imports(draft, lead, settings):
    settings.BOM_IMPORT_MAX_ROWS = 2
    assert (
        _import(draft, lead, "bom.csv", (files.HEADER_CSV + "chips,d,m,US,EAR99,1,1,0,\n" * 2).encode()) == 2
    )


def test_cells_over_the_length_limit_are_row_errors_and_only_some_are_listed(draft, lead):
    refused = _refused(draft, lead, "bom.csv", files.long_cells_csv()[:2_000_000])

    rows = refused.extra["rows"]
    assert len(rows) == bom.MAX_REPORTED_ERRORS
    assert rows[0] == {"row": 2, "column": "description", "message": "Longer than 2,000 characters."}
    assert refused.message.endswith(f"The first {bom.MAX_REPORTED_ERRORS} are listed.")


def test_a_csv_line_over_the_length_limit_is_refused(draft, lead):
    content = (files.HEADER_CSV + "a," * (bom.MAX_LINE_CHARS // 2 + 1)).encode()
    refused = _refused(draft, lead, "bom.csv", content)

    assert refused.message == f"A line of the file is longer than {bom.MAX_LINE_CHARS:,} characters."


def test_the_cpu_budget_refuses_a_file_that_takes_too_long(draft, lead, settings):
    settings.BOM_IMPORT_CPU_SECONDS = 0
    refused = _refused(draft, lead, "bom.csv", files.blank_lines_csv()[:1_000_000])

    assert refused.message.startswith("The file takes more than 0 seconds to read")


# --- XLSX ---------------------------------------------------------------------------------------


def test_a_sheet_dimension_claiming_every_cell_is_ignored(draft, lead):
    assert _import(draft, lead, "bom.xlsx", files.claimed_dimension_xlsx()) == 1


def test_cells_past_the_template_width_are_not_read(draft, lead):
    far = b'<c r="ZZ2" t="inlineStr"><is><t>' + b"x" * 5000 + b"</t></is></c>"
    sheet = files.HEADER_ROW + files.good_row_xml(2)[: -len(b"</row>")] + far + b"</row>"

    assert _import(draft, lead, "bom.xlsx", files.xlsx_with(sheet)) == 1


def test_rows_are_numbered_from_the_sheet_and_gaps_are_not_filled(draft, lead):
    sheet = files.HEADER_ROW + files.good_row_xml(1_000_000, unit_value="1.234")
    refused = _refused(draft, lead, "bom.xlsx", files.xlsx_with(sheet))

    assert refused.extra["rows"] == [
        {"row": 1_000_000, "column": "unit_value", "message": "Use at most two decimal places (cents)."}
    ]


def test_shared_strings_and_exponent_numbers_are_read(draft, lead):
    strings = b"".join(b"<si><t>" + t.encode() + b"</t></si>" for t in ("chips", "Accelerator", "Chip Co"))
    row = (
        b'<row r="2"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c>'
        + files.inline("US")
        + files.inline("EAR99")
        + b"<c><v>2</v></c><c><v>1.5E+3</v></c><c><v>0</v></c></row>"
    )
    assert _import(draft, lead, "bom.xlsx", files.xlsx_with(files.HEADER_ROW + row, strings=strings)) == 1
    item = LineItem.objects.get()
    assert (item.layer, item.description, item.unit_value) == ("chips", "Accelerator", Decimal("1500.00"))


def test_a_zip_bomb_is_refused_from_its_directory(draft, lead):
    refused = _refused(draft, lead, "bom.xlsx", files.zip_bomb_xlsx())

    assert refused.message == "The XLSX file is larger than 64 MB uncompressed."


def test_a_zip_of_too_many_members_is_refused(draft, lead):
    extra = [(f"xl/media/{i}.bin", b"") for i in range(bom.XLSX_MAX_MEMBERS)]
    refused = _refused(draft, lead, "bom.xlsx", files.xlsx_with(files.HEADER_ROW, extra=extra))

    assert refused.message.startswith(f"The XLSX file has more than {bom.XLSX_MAX_MEMBERS} parts")


def test_a_sheet_over_its_uncompressed_limit_is_refused(draft, lead, monkeypatch):
    monkeypatch.setattr(bom, "XLSX_MAX_SHEET_BYTES", 1024 * 1024)
    refused = _refused(draft, lead, "bom.xlsx", files.wide_row_xlsx())

    assert refused.message == "The XLSX file's sheet data is larger than 1 MB uncompressed."


def test_a_sheet_declaring_entities_is_refused(draft, lead):
    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    content = files.xlsx_with(files.HEADER_ROW)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<worksheet", laughs + b"<worksheet", 1)
            target.writestr(item.filename, body)

    refused = _refused(draft, lead, "bom.xlsx", out.getvalue())
    assert refused.message == "The XLSX file cannot be read; save it again from your spreadsheet program."


@pytest.mark.parametrize("make", [files.wide_row_xlsx, files.empty_rows_xlsx])
def test_large_hostile_sheets_end_in_a_refusal(draft, lead, make):
    # Refused by their content or by the CPU budget, whichever comes first on this machine.
    refused = _refused(draft, lead, "bom.xlsx", make())
    assert refused.extra["fields"]["file"]


def test_many_shared_strings_are_within_the_content_limits(draft, lead, settings):
    # 380,000 distinct strings (8 MB) are under every size limit, so the file is read and its row
    # imported. Whether reading them fits the production CPU budget is a speed question, measured in
    # bench/bench_bom_import.py: with the budget on, this test failed on a loaded CI machine.
    settings.BOM_IMPORT_CPU_SECONDS = 300
    assert _import(draft, lead, "bom.xlsx", files.shared_strings_xlsx()) == 1


def test_the_api_answers_a_hostile_import_with_a_400(api_client, lead, draft, settings):
    # Read during the request here (the worker's reading of the same file: tests/intake/test_bom_import_jobs).
    settings.BOM_IMPORT_INLINE_MAX_BYTES = files.UPLOAD_LIMIT
    settings.BOM_IMPORT_CPU_SECONDS = 300  # refused for its rows, not its time, on a loaded machine
    api_client.force_authenticate(lead)
    response = api_client.post(
        f"/api/proposals/{draft.pk}/line-items/import/",
        {"file": SimpleUploadedFile("bom.csv", files.huge_numbers_csv())},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["message"] == "The file has more than 5,000 line items; the limit is 5,000."


# --- concurrency --------------------------------------------------------------------------------


@pytest.fixture
def one_slot(settings):
    settings.BOM_IMPORT_CONCURRENCY = 1
    cache.delete("bom-import-slot:0")
    yield "bom-import-slot:0"
    cache.delete("bom-import-slot:0")


GOOD_CSV = (files.HEADER_CSV + "chips,d,m,US,EAR99,1,1,0,\n").encode()


def test_import_slot_taken_refuses_the_import_unread(draft, lead, one_slot):
    cache.add(one_slot, "another import", timeout=60)

    with pytest.raises(ImportsBusy):
        _import(draft, lead, "bom.csv", GOOD_CSV)

    assert LineItem.objects.count() == 0
    assert cache.get(one_slot) == "another import"  # the other import's slot is left alone


def test_import_slot_is_given_back_after_an_import_and_after_a_refusal(draft, lead, one_slot):
    assert _import(draft, lead, "bom.csv", GOOD_CSV) == 1
    with pytest.raises(InvalidInput):
        _import(draft, lead, "bom.csv", files.huge_numbers_csv(rows=1))

    assert cache.get(one_slot) is None
    assert _import(draft, lead, "bom.csv", GOOD_CSV) == 1


def test_import_slot_taken_is_a_429_on_the_api_and_a_field_error_on_the_web(
    api_client, lead, draft, one_slot
):
    cache.add(one_slot, "another import", timeout=60)
    api_client.force_authenticate(lead)
    response = api_client.post(
        f"/api/proposals/{draft.pk}/line-items/import/",
        {"file": SimpleUploadedFile("bom.csv", GOOD_CSV)},
        format="multipart",
    )
    web = Client()
    web.force_login(lead)
    page = web.post(
        reverse("proposal-items-import", kwargs={"pk": draft.pk}),
        {"file": SimpleUploadedFile("bom.csv", GOOD_CSV)},
    )

    assert (response.status_code, response.json()["code"]) == (429, "busy")
    assert page.status_code == 200
    assert "Other bills of materials are being imported right now" in page.content.decode()
