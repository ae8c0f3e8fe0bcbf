"""Completeness reads the call: its layers, documents and eligibility, frozen in the snapshot."""

from decimal import Decimal

import pytest

from proposals.core.enums import DocumentCategory, Layer
from proposals.intake.policy.completeness import CompletenessRules, evaluate
from proposals.intake.selectors import proposal_snapshot
from tests.factories import CallFactory

RULES = CompletenessRules()


def _call(**requirements):
    return {
        "id": 1,
        "name": "Test call",
        "federal_register_citation": "",
        "required_layers": [layer.value for layer in Layer],
        "required_document_categories": [DocumentCategory.SECURITY_PLAN, DocumentCategory.FINANCIAL],
        "eligibility": {},
        **requirements,
    }


def _snapshot(call, *, layers=(), documents=(), members=(), items=None):
    return {
        "title": "T",
        "summary": "S",
        "target_countries": ["AE"],
        "security_measures": "M",
        "end_use": "E",
        "members": list(members),
        "sites": [],
        "parties": [],
        "line_items": items
        if items is not None
        else [
            {
                "id": n,
                "layer": layer,
                "description": layer,
                "eccn": "EAR99",
                "quantity": 1,
                "unit_value": "100",
                "us_origin_value": "100",
                "site": 1,
                "origin_country": "US",
            }
            for n, layer in enumerate(layers, start=1)
        ],
        "documents": [{"id": n, "category": c} for n, c in enumerate(documents, start=1)],
        "financing": {
            "product": "",
            "amount": None,
            "local_costs": "0",
            "tenor_years": None,
            "dfc": False,
            "ustda": False,
        },
        "call": call,
    }


def _fields(findings, code):
    return {f.field for f in findings if f.code == code}


def test_completeness_requires_only_the_calls_layers() -> None:
    findings = evaluate(_snapshot(_call(required_layers=["chips", "cloud"]), layers=["chips"]), rules=RULES)
    assert _fields(findings, "LAYER_MISSING") == {"layer.cloud"}


def test_completeness_without_a_call_requires_every_layer() -> None:
    findings = evaluate(_snapshot(None, layers=["chips"]), rules=RULES)
    assert _fields(findings, "LAYER_MISSING") == {
        f"layer.{layer.value}" for layer in Layer if layer != Layer.CHIPS
    }


def test_completeness_requires_the_calls_documents() -> None:
    call = _call(required_document_categories=[DocumentCategory.TECHNICAL])
    findings = evaluate(_snapshot(call, documents=[DocumentCategory.SECURITY_PLAN]), rules=RULES)
    assert _fields(findings, "DOCUMENT_MISSING") == {"documents.technical"}


def test_completeness_call_excluded_country_makes_member_ineligible() -> None:
    member = {
        "id": 7,
        "company": "Acme",
        "role": "anchor",
        "country_of_incorporation": "RU",
        "principal_place_of_business": "US",
        "ultimate_parent_country": None,
    }
    findings = evaluate(
        _snapshot(_call(eligibility={"excluded_countries": ["RU"]}), members=[member]), rules=RULES
    )
    assert _fields(findings, "MEMBER_COUNTRY_OF_CONCERN") == {"members.7"}
    findings = evaluate(_snapshot(_call(), members=[member]), rules=RULES)
    assert not _fields(findings, "MEMBER_COUNTRY_OF_CONCERN")


def test_completeness_call_can_raise_but_not_lower_hardware_us_content() -> None:
    items = [
        {
            "id": 1,
            "layer": "chips",
            "description": "x",
            "eccn": "EAR99",
            "quantity": 1,
            "unit_value": "100",
            "us_origin_value": "60",
            "site": 1,
            "origin_country": "US",
        }
    ]
    raised = evaluate(
        _snapshot(_call(eligibility={"min_hardware_us_content": "0.75"}), items=items), rules=RULES
    )
    assert "HARDWARE_US_CONTENT_BELOW_51" in {f.code for f in raised}
    lowered = _call(eligibility={"min_hardware_us_content": "0.1"})
    items[0]["us_origin_value"] = "40"
    assert "HARDWARE_US_CONTENT_BELOW_51" in {
        f.code for f in evaluate(_snapshot(lowered, items=items), rules=RULES)
    }
    assert RULES.hardware_us_content_min == Decimal("0.51")


@pytest.mark.django_db
def test_completeness_snapshot_carries_the_calls_requirements(complete_proposal) -> None:
    call = CallFactory(required_layers=["chips"], required_document_categories=["technical"])
    complete_proposal.call = call
    complete_proposal.save(update_fields=["call"])
    snapshot = proposal_snapshot(complete_proposal)
    assert snapshot["call"]["required_layers"] == ["chips"]
    assert snapshot["call"]["required_document_categories"] == ["technical"]
