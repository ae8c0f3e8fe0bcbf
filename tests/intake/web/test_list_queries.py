"""N+1 guards on the editor's lists: each page costs the same number of queries for 1 or 3 rows."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.core.engine import audit_record
from proposals.core.enums import DocumentCategory, PartyRole
from proposals.documents.services.uploads import document_add
from proposals.intake.services.drafting import child_save
from tests.fixtures.media import PDF

pytestmark = pytest.mark.django_db


def add_site(proposal, lead, n):
    child_save(
        proposal_id=proposal.pk,
        actor=lead,
        kind="site",
        data={"name": f"Rowmark-{n}", "country_id": "KE", "city": "Nairobi", "builder": "B"},
    )


def add_party(proposal, lead, n):
    role = list(PartyRole)[n % len(PartyRole)]
    child_save(
        proposal_id=proposal.pk,
        actor=lead,
        kind="party",
        data={"role": role, "name": f"Rowmark-{n}", "country_id": "KE"},
    )


def add_document(proposal, lead, n):
    document_add(
        proposal_id=proposal.pk,
        actor=lead,
        category=list(DocumentCategory)[n % len(DocumentCategory)],
        upload=SimpleUploadedFile(f"Rowmark-{n}.pdf", PDF + str(n).encode()),
    )


def add_event(proposal, lead, n):
    audit_record(proposal=proposal, action=f"note_{n}", actor=lead if n % 2 else None, reason=f"Rowmark-{n}")


# Each page's checklist reads the proposal's owners (one query); the parties page also lists each
# party's owners (one query for all) and its form lists countries thrice: location, HQ, parent.
LISTS = {
    "proposal-sites": (add_site, 15),
    "proposal-parties": (add_party, 18),
    "proposal-documents": (add_document, 14),
    "proposal-timeline": (add_event, 14),
}


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("name", LISTS)
def test_list_page_query_count_does_not_grow(
    lead_client, draft, lead, name, count, django_assert_num_queries
):
    add, expected = LISTS[name]
    for n in range(count):
        add(draft, lead, n)
    with django_assert_num_queries(expected):
        response = lead_client.get(reverse(name, kwargs={"pk": draft.pk}))
    assert set(re.findall(r"Rowmark-(\d+)", response.content.decode())) == {str(n) for n in range(count)}
