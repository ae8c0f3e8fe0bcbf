"""The readable diff between two frozen revisions: field-level changes per section."""

import copy

import pytest

from proposals.intake.models.proposal import LineItem, Party, Site
from proposals.intake.policy.revisions import (
    ADDED,
    CHANGED,
    REMOVED,
    FieldChange,
    RevisionDiff,
    revision_diff,
)
from proposals.intake.policy.snapshot import ITEM_FIELDS, PARTY_FIELDS, SITE_FIELDS
from proposals.intake.selectors import proposal_revision_diff, proposal_snapshot
from proposals.intake.services.drafting import CHILDREN, child_save
from proposals.intake.services.transitions import proposal_transition

BASE = {
    "id": 1,
    "consortium": "Atlas",
    "title": "UAE AI Cluster",
    "summary": "A cluster.",
    "target_countries": ["AE", "SA"],
    "target_blocs": "GCC",
    "use_cases": "Healthcare",
    "security_measures": "HSM keys",
    "end_use": "Civil",
    "confidential_sections": [],
    "financing": {
        "product": "direct_loan",
        "amount": "68000000.00",
        "local_costs": "0.00",
        "tenor_years": "10.0",
        "dfc": False,
        "ustda": False,
    },
    "members": [{"id": 1, "company": "Atlas Compute", "role": "anchor", "layers": ["chips", "servers"]}],
    "sites": [
        {
            "id": 5,
            "name": "Campus 1",
            "country": "AE",
            "city": "Abu Dhabi",
            "builder": "B",
            "owner": "O",
            "operator": "Op",
        }
    ],
    "line_items": [
        {
            "id": 10,
            "layer": "chips",
            "description": "Accelerator",
            "manufacturer": "Northstar",
            "origin_country": "US",
            "eccn": "3A090.a",
            "quantity": 2048,
            "unit_value": "30000.00",
            "us_origin_value": "55296000.00",
            "site": 5,
        },
        {
            "id": 11,
            "layer": "servers",
            "description": "AI server",
            "manufacturer": "Atlas",
            "origin_country": "US",
            "eccn": "4A090.a",
            "quantity": 256,
            "unit_value": "250000.00",
            "us_origin_value": "51200000.00",
            "site": 5,
        },
    ],
    "parties": [
        {"id": 20, "role": "end_user", "name": "Ministry of Health", "address": "1 Road", "country": "AE"}
    ],
    "documents": [{"id": 30, "category": "financial", "original_name": "fin.pdf", "sha256": "aa"}],
}


def _edit(**changes) -> dict:
    snapshot = copy.deepcopy(BASE)
    for path, value in changes.items():
        target = snapshot
        *parents, key = path.split("__")
        for parent in parents:
            target = target[parent]
        target[key] = value
    return snapshot


def test_identical_revisions_have_an_empty_diff():
    assert revision_diff(BASE, copy.deepcopy(BASE)) == RevisionDiff(())
    assert revision_diff(BASE, BASE).is_empty


def test_overview_field_change_names_the_field_with_old_and_new_values():
    diff = revision_diff(BASE, _edit(title="UAE Sovereign AI Cluster", security_measures="HSM keys; SOC"))
    assert [s.section for s in diff.sections] == ["overview"]
    assert diff.section("overview").fields == (
        FieldChange("title", "Title", "UAE AI Cluster", "UAE Sovereign AI Cluster"),
        FieldChange("security_measures", "Security measures", "HSM keys", "HSM keys; SOC"),
    )


def test_target_countries_in_another_order_are_no_change():
    assert revision_diff(BASE, _edit(target_countries=["SA", "AE"])).is_empty


def test_target_country_added_is_a_change_of_the_list():
    diff = revision_diff(BASE, _edit(target_countries=["AE", "SA", "QA"]))
    assert diff.section("overview").fields == (
        FieldChange("target_countries", "Target countries", ["AE", "SA"], ["AE", "SA", "QA"]),
    )


def test_financing_amount_change_is_reported_and_equal_amounts_written_differently_are_not():
    diff = revision_diff(BASE, _edit(financing__amount="60000000.00", financing__tenor_years="10"))
    assert diff.section("financing").fields == (
        FieldChange("financing.amount", "Amount requested (USD)", "68000000.00", "60000000.00"),
    )


def test_eccn_written_in_another_case_is_no_change():
    # A revision frozen when ECCNs were stored upper-cased, against one in the EAR's spelling.
    old = _edit()
    old["line_items"][0] = {**old["line_items"][0], "eccn": "3A090.A"}
    assert revision_diff(old, BASE).is_empty


def test_line_item_changed_lists_only_the_fields_that_differ():
    new = _edit()
    new["line_items"][0] = {**new["line_items"][0], "quantity": 1024, "us_origin_value": "27648000.00"}
    (row,) = revision_diff(BASE, new).section("items").rows
    assert (row.kind, row.key, row.label) == (CHANGED, 10, "Accelerator")
    assert row.fields == (
        FieldChange("quantity", "Quantity", 2048, 1024),
        FieldChange("us_origin_value", "US-origin value (USD)", "55296000.00", "27648000.00"),
    )


def test_line_item_added_and_removed_are_reported_with_their_values():
    new = _edit()
    removed = new["line_items"].pop(1)
    new["line_items"].append({**removed, "id": 12, "description": "Storage array", "layer": "storage"})
    items = revision_diff(BASE, new).section("items")
    assert [(r.kind, r.key, r.label) for r in items.rows] == [
        (REMOVED, 11, "AI server"),
        (ADDED, 12, "Storage array"),
    ]
    assert items.removed[0].fields[1] == FieldChange("description", "Description", "AI server", None)
    assert items.added[0].fields[1] == FieldChange("description", "Description", None, "Storage array")
    assert items.changed == ()


def test_site_party_member_and_document_changes_each_land_in_their_section():
    new = _edit()
    new["sites"][0]["operator"] = "Beacon Cloud"
    new["parties"].append({"id": 21, "role": "purchaser", "name": "NAIC", "address": "", "country": "AE"})
    new["members"][0]["layers"] = ["servers", "chips"]  # same layers: no change
    new["documents"][0]["sha256"] = "bb"
    diff = revision_diff(BASE, new)
    assert [s.section for s in diff.sections] == ["sites", "parties", "documents"]
    assert diff.section("sites").rows[0].fields == (
        FieldChange("operator", "Operator", "Op", "Beacon Cloud"),
    )
    assert diff.section("parties").added[0].label == "NAIC (Purchaser)"
    assert diff.section("documents").changed[0].fields == (
        FieldChange("sha256", "Content (SHA-256)", "aa", "bb"),
    )


def test_sections_come_in_the_editor_order():
    new = _edit(title="New", financing__product="loan_guarantee")
    new["parties"] = []
    assert [s.section for s in revision_diff(BASE, new).sections] == ["overview", "parties", "financing"]


def test_diff_as_dict_is_plain_data_for_the_api():
    data = revision_diff(BASE, _edit(title="New")).as_dict()
    assert data == {
        "sections": [
            {
                "section": "overview",
                "label": "Overview",
                "fields": [{"field": "title", "label": "Title", "old": "UAE AI Cluster", "new": "New"}],
                "rows": [],
            }
        ]
    }


@pytest.mark.django_db
def test_proposal_revision_diff_compares_the_latest_two_revisions(complete_proposal, lead, commerce_reviewer):
    from proposals.intake.services.intake import intake_check

    proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)
    intake_check(proposal_id=complete_proposal.pk)
    proposal_transition(
        proposal_id=complete_proposal.pk,
        action="request_information",
        actor=commerce_reviewer,
        reason="Site?",
    )
    site = complete_proposal.sites.get()
    child_save(
        proposal_id=complete_proposal.pk,
        actor=lead,
        kind="site",
        pk=site.pk,
        data={
            "name": site.name,
            "country_id": site.country_id,
            "city": site.city,
            "builder": site.builder,
            "owner": site.owner,
            "operator": "Cobalt Operations LLC",
        },
    )
    proposal = proposal_transition(proposal_id=complete_proposal.pk, action="submit", actor=lead)

    assert proposal_revision_diff(proposal).as_dict()["sections"] == [
        {
            "section": "sites",
            "label": "Sites",
            "fields": [],
            "rows": [
                {
                    "kind": "changed",
                    "key": site.pk,
                    "label": "Abu Dhabi AI Campus 1",
                    "fields": [
                        {
                            "field": "operator",
                            "label": "Operator",
                            "old": "Beacon Cloud LLC",
                            "new": "Cobalt Operations LLC",
                        }
                    ],
                }
            ],
        }
    ]


def test_proposal_revision_diff_of_a_first_revision_is_none():
    class Once:
        revision_number = 1

    assert proposal_revision_diff(Once()) is None


@pytest.mark.django_db
def test_a_revision_freezes_every_child_field_the_consortium_edits(complete_proposal):
    snapshot = proposal_snapshot(complete_proposal)
    for key, fields in (("sites", SITE_FIELDS), ("line_items", ITEM_FIELDS), ("parties", PARTY_FIELDS)):
        assert snapshot[key], key
        # Parties also freeze their owners (their own list, not a column of the row).
        assert {tuple(row) for row in snapshot[key]} == {
            ("id", *fields, *(("owners",) if key == "parties" else ()))
        }
    assert {
        "site": (Site, SITE_FIELDS),
        "item": (LineItem, ITEM_FIELDS),
        "party": (Party, PARTY_FIELDS),
    } == CHILDREN
