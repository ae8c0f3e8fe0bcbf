"""The search summary stays right after every kind of edit, and a missing one is rebuilt (sweeper)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from proposals.core.enums import Layer, PartyRole
from proposals.intake.models.proposal import LineItem, Party, Site
from proposals.intake.services.bom_import import bom_import
from proposals.intake.services.consortium import member_add, member_remove, member_update
from proposals.intake.services.drafting import child_delete, child_save, proposal_create, proposal_update
from proposals.search.models import ProposalSearch
from proposals.search.selectors import owed_search_summary
from proposals.search.services import _summaries, search_rebuild
from proposals.search.tasks import intake_refresh_search
from tests.factories import ProposalFactory, open_call

pytestmark = pytest.mark.django_db


def summary(proposal) -> ProposalSearch:
    return ProposalSearch.objects.get(proposal=proposal)


def words(proposal) -> set[str]:
    return set(summary(proposal).text.split())


def test_summary_written_when_a_proposal_is_created(consortium, lead):
    proposal = proposal_create(
        consortium=consortium,
        call=open_call(),
        actor=lead,
        title="Nairobi Edge Cloud",
        target_countries=["KE"],
    )
    row = summary(proposal)
    assert (row.countries, row.eccns) == (["KE"], [])
    assert {"nairobi", "edge", "cloud", "ke", "kenya"} <= words(proposal)


def test_summary_follows_a_title_and_target_countries_update(complete_proposal, lead):
    proposal_update(
        proposal_id=complete_proposal.pk,
        actor=lead,
        data={"title": "Riyadh Health Compute", "target_countries": ["SA"]},
    )
    assert "riyadh" in words(complete_proposal)
    assert "uae" not in words(complete_proposal)
    # The site stays in the UAE: a destination too.
    assert summary(complete_proposal).countries == ["AE", "SA"]


def test_summary_follows_line_items_added_changed_and_deleted(complete_proposal, lead):
    item = child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="item",
        data={
            "layer": Layer.NETWORKING,
            "description": "Quantum-safe encryptor",
            "manufacturer": "Cipher Works",
            "eccn": "5a002.z",
            "quantity": 1,
            "unit_value": Decimal("10"),
            "us_origin_value": Decimal("10"),
        },
    )
    assert {"5A002.Z", "5A002"} <= set(summary(complete_proposal).eccns)
    # What a queue row shows: the EAR's spelling, each once.
    assert "5A002.z" in summary(complete_proposal).item_eccns
    child_save(
        proposal_id=complete_proposal.pk, actor=lead, kind="item", data={"eccn": "5A992.c"}, pk=item.pk
    )
    assert "5A002" not in summary(complete_proposal).eccns
    assert "5A002.z" not in summary(complete_proposal).item_eccns
    for pk in LineItem.objects.filter(proposal=complete_proposal).values_list("pk", flat=True):
        child_delete(proposal_id=complete_proposal.pk, actor=lead, kind="item", pk=pk)
    assert (summary(complete_proposal).eccns, summary(complete_proposal).item_eccns) == ([], [])


def test_summary_follows_sites(complete_proposal, lead):
    site = child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="site",
        data={
            "name": "Doha Campus",
            "country_id": "QA",
            "city": "Doha",
            "builder": "B",
            "owner": "O",
            "operator": "Op",
        },
    )
    assert summary(complete_proposal).countries == ["AE", "QA"]
    child_delete(proposal_id=complete_proposal.pk, actor=lead, kind="site", pk=site.pk)
    assert summary(complete_proposal).countries == ["AE"]


def test_summary_follows_parties(complete_proposal, lead):
    party = child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="party",
        data={
            "role": PartyRole.INTERMEDIATE_CONSIGNEE,
            "name": "Falcon Freight Forwarders",
            "address": "Port Road",
            "country_id": "AE",
        },
    )
    assert {"falcon", "freight"} <= words(complete_proposal)
    child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="party",
        data={"name": "Oryx Logistics"},
        pk=party.pk,
    )
    assert "falcon" not in words(complete_proposal)
    assert "oryx" in words(complete_proposal)
    child_delete(proposal_id=complete_proposal.pk, actor=lead, kind="party", pk=party.pk)
    assert "oryx" not in words(complete_proposal)


def test_summary_follows_a_bill_of_materials_import(complete_proposal, lead):
    csv = (
        "layer,description,manufacturer,origin_country,eccn,quantity,unit_value,us_origin_value,site_name\n"
        "servers,Edge inference box,Keystone,US,4A090.b,2,100,200,\n"
    )
    bom_import(
        proposal_id=complete_proposal.pk,
        actor=lead,
        upload=SimpleUploadedFile("bom.csv", csv.encode(), content_type="text/csv"),
    )
    assert "4A090.B" in summary(complete_proposal).eccns


def test_summary_follows_the_consortium_members(complete_proposal, consortium, lead):
    member = member_add(
        consortium_id=consortium.pk,
        actor=lead,
        company={
            "legal_name": "Sandgrouse Robotics LLC",
            "country_of_incorporation": "US",
            "principal_place_of_business": "US",
        },
    )
    assert "sandgrouse" in words(complete_proposal)
    member_update(
        consortium_id=consortium.pk,
        member_id=member.pk,
        actor=lead,
        data={"legal_name": "Kestrel Robotics LLC"},
    )
    assert "sandgrouse" not in words(complete_proposal)
    assert "kestrel" in words(complete_proposal)
    member_remove(consortium_id=consortium.pk, member_id=member.pk, actor=lead)
    assert "kestrel" not in words(complete_proposal)


def test_rebuild_writes_what_the_services_write(complete_proposal, consortium):
    """REBUILD_SQL (PostgreSQL) and `_summaries` (the embedded SQLite's path) agree."""
    other = ProposalFactory(consortium=consortium, title="Ümlaut & Co. — 3A001.z kit")
    # The same ECCN in two spellings, one not shaped like an ECCN, and a blank one.
    for eccn in ("3A001.z", "3a001.Z", " ear99", "Xyz.q", ""):
        LineItem.objects.create(
            proposal=other,
            layer=Layer.CHIPS,
            description="x",
            manufacturer="y",
            eccn=eccn,
            quantity=1,
            unit_value=1,
            us_origin_value=1,
        )
    Site.objects.create(proposal=other, name="s", country_id="KE", city="Nairobi")
    Party.objects.create(
        proposal=other, role=PartyRole.END_USER, name="Acme O'Brien", address="a", country_id="KE"
    )
    ProposalSearch.objects.all().delete()
    assert search_rebuild() == 2
    for proposal in (complete_proposal, other):
        built = next(iter(_summaries([proposal.pk])))
        stored = summary(proposal)
        assert (stored.eccns, stored.item_eccns, stored.countries) == (
            built.eccns,
            built.item_eccns,
            built.countries,
        )
        assert set(stored.text.split()) == set(built.text.split())
    assert summary(other).item_eccns == ["3A001.z", "EAR99", "XYZ.Q"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document::text FROM proposals_proposalsearch WHERE proposal_id = %s", [other.pk]
        )
        assert "'ümlaut'" in cursor.fetchone()[0]


def test_missing_summary_is_owed_and_rebuilt_by_the_sweepers_task(complete_proposal):
    """Fail closed: a proposal written outside the services (the admin, a script) has no summary; the
    sweeper's row finds it once it has waited, and its task writes it."""
    ProposalSearch.objects.filter(proposal=complete_proposal).delete()
    later = timezone.now() + timezone.timedelta(seconds=1)
    assert list(owed_search_summary(older_than=later)) == [complete_proposal]
    assert intake_refresh_search(proposal_id=complete_proposal.pk) == 1
    assert list(owed_search_summary(older_than=later)) == []
    assert "3A090" in summary(complete_proposal).eccns


def test_rebuild_command_rewrites_every_summary(complete_proposal):
    ProposalSearch.objects.all().delete()
    out = io.StringIO()
    call_command("search_rebuild", stdout=out)
    assert out.getvalue().startswith("Rewrote 1 search summaries")
    assert summary(complete_proposal).countries == ["AE"]
