"""BOM import: a good file adds every row; with any bad row, nothing is added and every error is listed."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from proposals.core.errors import InvalidInput, NotEditable
from proposals.intake.models.proposal import LineItem
from proposals.intake.services.bom_import import BOM_COLUMNS, bom_import, bom_template_csv
from proposals.intake.services.drafting import child_save
from proposals.intake.services.transitions import proposal_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _read_in_the_request(settings) -> None:
    """These tests are about what an import accepts and refuses, read in the request; an XLSX unpacks
    past the 8 KB default and would go to the worker (tests/intake/test_bom_import_jobs.py)."""
    settings.BOM_IMPORT_INLINE_MAX_BYTES = 256 * 1024


GOOD_ROWS = [
    ["chips", "AI accelerator", "Chip Co", "US", "3A090.a", "16", "30,000.00", "432000", "Nairobi Campus"],
    ["Cloud services", "Managed cloud", "Cloud Co", "United States", "EAR99", "1", "$1200000", "1200000", ""],
    ["application", "Language model", "Model Co", "", "ear99", "1", "500000", "500000.5", "nairobi campus"],
]
BAD_ROWS = [
    ["chips", "AI accelerator", "Chip Co", "US", "3A090", "16", "30000", "432000", "Nairobi Campus"],  # good
    ["quantum", "", "Chip Co", "Atlantis", "3A090", "1.5", "ten", "-1", "Mombasa Campus"],
    ["servers", "Server", "", "US", "not-an-eccn", "0", "10.123", "", ""],
]


@pytest.fixture
def nairobi(draft, lead):
    return child_save(
        proposal_id=draft.pk,
        actor=lead,
        kind="site",
        data={"name": "Nairobi Campus", "country_id": "KE", "city": "Nairobi"},
    )


def csv_file(rows, *, header=BOM_COLUMNS, name="bom.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, *, name="bom.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(BOM_COLUMNS))
    for row in rows:
        # Spreadsheets hold numbers as numbers: write them that way where the text is numeric.
        sheet.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


EXPECTED_BAD = [
    {
        "row": 3,
        "column": "layer",
        "message": "“quantum” is not a layer; use one of: "
        "chips, servers, storage, cloud, networking, application.",
    },
    {"row": 3, "column": "description", "message": "Required."},
    {
        "row": 3,
        "column": "origin_country",
        "message": "Unknown country “Atlantis”; use its two-letter ISO code.",
    },
    {"row": 3, "column": "quantity", "message": "Enter a whole number, 1 or more."},
    {"row": 3, "column": "unit_value", "message": "“ten” is not an amount in US dollars."},
    {"row": 3, "column": "us_origin_value", "message": "Enter an amount of zero or more."},
    {
        "row": 3,
        "column": "site_name",
        "message": "No site named “Mombasa Campus”; add the site first or correct the name.",
    },
    {"row": 4, "column": "manufacturer", "message": "Required."},
    {
        "row": 4,
        "column": "eccn",
        "message": "“not-an-eccn” is not an ECCN; use the form 3A090 or 5A992.c, or EAR99.",
    },
    {"row": 4, "column": "quantity", "message": "Enter a whole number, 1 or more."},
    {"row": 4, "column": "unit_value", "message": "Use at most two decimal places (cents)."},
    {"row": 4, "column": "us_origin_value", "message": "Required."},
]


def test_good_csv_imports_every_row(draft, lead, nairobi):
    assert bom_import(proposal_id=draft.pk, actor=lead, upload=csv_file(GOOD_ROWS)) == 3
    items = list(
        LineItem.objects.filter(proposal=draft)
        .order_by("pk")
        .values_list("layer", "origin_country", "eccn", "quantity", "unit_value", "us_origin_value", "site")
    )
    assert [(i[0], i[1], i[2], i[3], str(i[4]), str(i[5]), i[6]) for i in items] == [
        ("chips", "US", "3A090.a", 16, "30000.00", "432000.00", nairobi.pk),
        ("cloud", "US", "EAR99", 1, "1200000.00", "1200000.00", None),
        ("application", None, "EAR99", 1, "500000.00", "500000.50", nairobi.pk),
    ]


def test_bad_csv_lists_every_error_by_row_and_column_and_imports_nothing(draft, lead, nairobi):
    with pytest.raises(InvalidInput) as exc:
        bom_import(proposal_id=draft.pk, actor=lead, upload=csv_file(BAD_ROWS))
    assert exc.value.extra["rows"] == EXPECTED_BAD
    assert exc.value.message == (
        "Nothing was imported: 12 problem(s) in 2 row(s). Correct the file and upload it again."
    )
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_good_xlsx_imports_every_row(draft, lead, nairobi):
    assert bom_import(proposal_id=draft.pk, actor=lead, upload=xlsx_file(GOOD_ROWS)) == 3
    assert list(
        LineItem.objects.filter(proposal=draft).order_by("pk").values_list("quantity", flat=True)
    ) == [16, 1, 1]


def test_bad_xlsx_lists_the_same_errors_and_imports_nothing(draft, lead, nairobi):
    with pytest.raises(InvalidInput) as exc:
        bom_import(proposal_id=draft.pk, actor=lead, upload=xlsx_file(BAD_ROWS))
    assert exc.value.extra["rows"] == EXPECTED_BAD
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_header_must_match_the_template(draft, lead):
    header = [c for c in BOM_COLUMNS if c != "eccn"] + ["colour"]
    with pytest.raises(InvalidInput) as exc:
        bom_import(proposal_id=draft.pk, actor=lead, upload=csv_file([], header=header))
    assert exc.value.extra["rows"] == [
        {
            "row": 1,
            "column": "colour",
            "message": f"Unknown column; the columns are: {', '.join(BOM_COLUMNS)}.",
        },
        {"row": 1, "column": "eccn", "message": "Missing column."},
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bom.csv", b"", "The file is empty."),
        ("bom.xlsx", b"layer,description\n", "The file's content is CSV, not what its name says (.xlsx)."),
        ("bom.csv", b"%PDF-1.7\n1 0 obj\n", "The file's content is PDF; upload a CSV or XLSX file."),
        (
            "bom.csv",
            "layer\n".encode("utf-16"),
            "The CSV file is not UTF-8 text; save it as “CSV UTF-8” and upload it again.",
        ),
        ("bom.csv", ",".join(BOM_COLUMNS).encode() + b"\n", "The file has a header but no line items."),
    ],
)
def test_unreadable_files_are_refused(draft, lead, name, content, message):
    with pytest.raises(InvalidInput) as exc:
        bom_import(proposal_id=draft.pk, actor=lead, upload=SimpleUploadedFile(name, content))
    assert exc.value.extra["fields"] == {"file": [message]}
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_too_many_rows_are_refused(draft, lead, nairobi, settings):
    settings.BOM_IMPORT_MAX_ROWS = 2
    with pytest.raises(InvalidInput) as exc:
        bom_import(proposal_id=draft.pk, actor=lead, upload=csv_file(GOOD_ROWS))
    assert exc.value.message == "The file has more than 2 line items; the limit is 2."


def test_import_into_a_submitted_proposal_is_refused(complete_proposal, lead):
    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    before = complete_proposal.line_items.count()
    with pytest.raises(NotEditable):
        bom_import(proposal_id=complete_proposal.pk, actor=lead, upload=csv_file(GOOD_ROWS))
    assert complete_proposal.line_items.count() == before


def test_template_download_has_the_columns_and_imports_as_is(lead_client, complete_proposal, lead):
    response = lead_client.get(reverse("bom-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="bill-of-materials-template.csv"'
    body = response.content.decode()
    assert body == bom_template_csv()
    assert body.splitlines()[0] == ",".join(BOM_COLUMNS)
    # The example row names the complete proposal's site, so the template itself is a valid file.
    before = complete_proposal.line_items.count()
    upload = SimpleUploadedFile("template.csv", response.content)
    assert bom_import(proposal_id=complete_proposal.pk, actor=lead, upload=upload) == 1
    assert complete_proposal.line_items.count() == before + 1


def test_web_import_good_file_redirects_with_count(lead_client, draft, nairobi):
    url = reverse("proposal-items-import", kwargs={"pk": draft.pk})
    assert lead_client.get(url).status_code == 200
    response = lead_client.post(url, {"file": csv_file(GOOD_ROWS)})
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal-items", kwargs={"pk": draft.pk})
    assert LineItem.objects.filter(proposal=draft).count() == 3
    assert "Imported 3 line items." in lead_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file])
def test_web_import_bad_file_lists_every_error_and_imports_nothing(lead_client, draft, nairobi, make_file):
    response = lead_client.post(
        reverse("proposal-items-import", kwargs={"pk": draft.pk}), {"file": make_file(BAD_ROWS)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    table = html[html.index('id="import-errors"') :]
    assert table.count("<tr><td>") == len(EXPECTED_BAD)
    assert "<tr><td>4</td><td><code>eccn</code></td>" in table
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_viewer_cannot_import(viewer_client, draft, nairobi):
    response = viewer_client.post(
        reverse("proposal-items-import", kwargs={"pk": draft.pk}), {"file": csv_file(GOOD_ROWS)}
    )
    assert response.status_code == 403
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_api_import_good_file(api_client, lead, draft, nairobi):
    api_client.force_authenticate(lead)
    response = api_client.post(
        f"/api/proposals/{draft.pk}/line-items/import/", {"file": xlsx_file(GOOD_ROWS)}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json() == {"imported": 3}
    assert LineItem.objects.filter(proposal=draft).count() == 3


def test_api_import_bad_file_is_400_with_row_errors(api_client, lead, draft, nairobi):
    api_client.force_authenticate(lead)
    response = api_client.post(
        f"/api/proposals/{draft.pk}/line-items/import/", {"file": csv_file(BAD_ROWS)}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["extra"]["rows"] == EXPECTED_BAD
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_api_import_without_a_file_is_400(api_client, lead, draft):
    api_client.force_authenticate(lead)
    response = api_client.post(f"/api/proposals/{draft.pk}/line-items/import/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"file": ["No file was submitted."]}


def test_api_import_into_another_consortiums_proposal_is_404(api_client, outsider, draft, nairobi):
    api_client.force_authenticate(outsider)
    response = api_client.post(
        f"/api/proposals/{draft.pk}/line-items/import/", {"file": csv_file(GOOD_ROWS)}, format="multipart"
    )
    assert response.status_code == 404
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_api_import_by_viewer_is_403(api_client, viewer, draft, nairobi):
    api_client.force_authenticate(viewer)
    response = api_client.post(
        f"/api/proposals/{draft.pk}/line-items/import/", {"file": csv_file(GOOD_ROWS)}, format="multipart"
    )
    assert response.status_code == 403
    assert LineItem.objects.filter(proposal=draft).count() == 0


def test_bom_upload_over_the_upload_size_limit_is_refused_like_a_document(draft, lead, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    content = ",".join(BOM_COLUMNS).encode() + b"\n" + b" " * (1024 * 1024)
    with pytest.raises(InvalidInput) as exc:
        bom_import(proposal_id=draft.pk, actor=lead, upload=SimpleUploadedFile("bom.csv", content))
    assert exc.value.extra == {"fields": {"file": ["The file is larger than the 1 MB limit."]}, "rows": []}
    assert LineItem.objects.filter(proposal=draft).count() == 0
