"""License gates: opened by the policy in force, decided by reviewers, re-evaluated on a new policy."""

import json

import pytest
from django.core.management import call_command

from proposals.commerce.models import LicenseGate, LicensingPolicyVersion
from proposals.commerce.selectors import commerce_clearance
from proposals.commerce.services.licensing import DEFAULT_POLICY_FILE, licenses_determine
from proposals.commerce.services.review import gate_decide, gates_decide_bulk
from proposals.core.enums import GateStatus
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.proposal import LineItem

pytestmark = pytest.mark.django_db


def gates(proposal):
    return [
        (g.eccn, g.destination_id, g.status, g.rule_code, g.policy_version.number)
        for g in LicenseGate.objects.filter(proposal=proposal).select_related("policy_version")
    ]


def test_determine_opens_one_gate_per_sensitive_eccn_and_destination(in_review):
    counts = licenses_determine(proposal_id=in_review.pk)
    # The UAE package: 3A090.a chips and 4A090.a servers need a license (UAE is in D:4); 5A992.c,
    # 5D992.c and EAR99 items do not.
    assert counts == {"opened": 2, "reopened": 0, "closed": 0, "kept": 0}
    assert gates(in_review) == [
        ("3A090.a", "AE", "open", "advanced-computing-destination", 1),
        ("4A090.a", "AE", "open", "advanced-computing-destination", 1),
    ]
    chips = LineItem.objects.get(proposal=in_review, eccn__iexact="3A090.a")
    assert LicenseGate.objects.get(proposal=in_review, eccn="3A090.a").line_item_ids == [chips.pk]
    event = AuditEvent.objects.get(proposal=in_review, action="gate_opened", data__eccn="3A090.a")
    assert event.reason == "Policy v1, rule advanced-computing-destination: destination AE."


def test_determine_twice_changes_nothing_and_records_nothing(in_review):
    licenses_determine(proposal_id=in_review.pk)
    assert licenses_determine(proposal_id=in_review.pk) == {
        "opened": 0,
        "reopened": 0,
        "closed": 0,
        "kept": 0,
    }
    assert LicenseGate.objects.filter(proposal=in_review).count() == 2
    assert AuditEvent.objects.filter(proposal=in_review, action="licenses_determined").count() == 1


def test_determine_again_when_owed_re_evaluates_the_gates(in_review):
    from proposals.commerce.services.licensing import licenses_owed

    licenses_determine(proposal_id=in_review.pk)
    licenses_owed(proposal_ids=[in_review.pk])
    assert commerce_clearance(proposal_id=in_review.pk).held["licenses_determined"] == [
        "License determination has not run for revision 1."
    ]
    assert licenses_determine(proposal_id=in_review.pk)["kept"] == 2


def test_determine_to_uk_opens_no_gate(in_review):
    in_review.sites.update(country_id="GB")
    licenses_determine(proposal_id=in_review.pk)
    assert gates(in_review) == []


def test_determine_for_party_headquartered_in_d5_opens_gates_anywhere(in_review):
    in_review.sites.update(country_id="GB")
    in_review.parties.filter(role="end_user").update(headquarters_country_id="VE")
    licenses_determine(proposal_id=in_review.pk)
    assert gates(in_review) == [
        ("3A090.a", "GB", "open", "advanced-computing-party-headquarters", 1),
        ("4A090.a", "GB", "open", "advanced-computing-party-headquarters", 1),
    ]


def test_determine_does_nothing_unless_in_review(complete_proposal):
    assert licenses_determine(proposal_id=complete_proposal.pk)["opened"] == 0
    assert LicenseGate.objects.count() == 0


# --- Decisions ------------------------------------------------------------------------------------


@pytest.fixture
def gate(in_review):
    licenses_determine(proposal_id=in_review.pk)
    return LicenseGate.objects.get(proposal=in_review, eccn="3A090.a")


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", GateStatus.APPROVED),
        ("deny", GateStatus.DENIED),
        ("return_without_action", GateStatus.RETURNED_WITHOUT_ACTION),
    ],
)
def test_gate_decision_records_status_reason_reviewer_and_audit(gate, commerce_reviewer, action, status):
    gate_decide(
        gate_id=gate.pk, action=action, actor=commerce_reviewer, reason="Reviewed the end-use statement."
    )
    gate.refresh_from_db()
    assert (gate.status, gate.reason, gate.decided_by, gate.conditions) == (
        status,
        "Reviewed the end-use statement.",
        commerce_reviewer,
        "",
    )
    event = AuditEvent.objects.get(subject=f"gate:{gate.pk}", action=f"gate_{action}")
    assert (event.from_state, event.to_state, event.reason, event.data["policy"]) == (
        "open",
        status,
        "Reviewed the end-use statement.",
        1,
    )


def test_gate_approve_with_conditions_records_the_conditions(gate, commerce_reviewer):
    gate_decide(
        gate_id=gate.pk,
        action="approve_with_conditions",
        actor=commerce_reviewer,
        reason="Acceptable with provisos.",
        conditions="No access by D:5 nationals; quarterly utilization reports.",
    )
    gate.refresh_from_db()
    assert (gate.status, gate.conditions) == (
        GateStatus.APPROVED_WITH_CONDITIONS,
        "No access by D:5 nationals; quarterly utilization reports.",
    )
    assert (
        AuditEvent.objects.get(subject=f"gate:{gate.pk}", action="gate_approve_with_conditions").data[
            "conditions"
        ]
        == gate.conditions
    )


def test_gate_approve_with_conditions_requires_conditions_and_reason(gate, commerce_reviewer):
    with pytest.raises(InvalidInput) as exc:
        gate_decide(gate_id=gate.pk, action="approve_with_conditions", actor=commerce_reviewer, reason="")
    assert exc.value.extra == {
        "fields": {
            "reason": ["A reason is required."],
            "conditions": ["State the conditions (provisos) of the approval."],
        }
    }
    gate.refresh_from_db()
    assert gate.status == GateStatus.OPEN


def test_gate_decision_refused_twice_and_for_other_roles(gate, commerce_reviewer, exim_officer, lead):
    for actor in (exim_officer, lead):
        with pytest.raises(TransitionNotAllowed):
            gate_decide(gate_id=gate.pk, action="approve", actor=actor, reason="Fine.")
    gate_decide(gate_id=gate.pk, action="deny", actor=commerce_reviewer, reason="Diversion risk.")
    with pytest.raises(TransitionNotAllowed) as exc:
        gate_decide(gate_id=gate.pk, action="approve", actor=commerce_reviewer, reason="Changed my mind.")
    assert exc.value.message == '"Approve" is not possible while the license gate is denied.'


def test_reviewer_cannot_close_a_gate_only_the_policy_can(gate, commerce_reviewer):
    with pytest.raises(TransitionNotAllowed):
        gate_decide(gate_id=gate.pk, action="close", actor=commerce_reviewer, reason="Not needed.")


def test_gate_decision_refused_while_proposal_returned(gate, commerce_reviewer):
    from proposals.intake.services.transitions import proposal_transition

    proposal_transition(
        proposal_id=gate.proposal_id,
        action="request_information",
        actor=commerce_reviewer,
        reason="Question.",
    )
    with pytest.raises(TransitionNotAllowed):
        gate_decide(gate_id=gate.pk, action="approve", actor=commerce_reviewer, reason="Fine.")


def test_clearance_gates_hold_until_all_approved(in_review, commerce_reviewer):
    licenses_determine(proposal_id=in_review.pk)
    assert len(commerce_clearance(proposal_id=in_review.pk).held["gates_decided"]) == 2
    for gate in LicenseGate.objects.filter(proposal=in_review):
        gate_decide(gate_id=gate.pk, action="approve", actor=commerce_reviewer, reason="Fine.")
    assert "gates_decided" not in commerce_clearance(proposal_id=in_review.pk).held


# --- Bulk -----------------------------------------------------------------------------------------


def test_bulk_preview_lists_changes_and_writes_nothing(in_review, commerce_reviewer):
    licenses_determine(proposal_id=in_review.pk)
    ids = list(LicenseGate.objects.filter(proposal=in_review).values_list("pk", flat=True))
    gate_decide(gate_id=ids[1], action="deny", actor=commerce_reviewer, reason="No.")
    rows = gates_decide_bulk(
        gate_ids=ids, action="approve", actor=commerce_reviewer, reason="Batch.", commit=False
    )
    assert [(r.label, r.from_state, r.to_state, r.ok) for r in rows] == [
        ("UAE AI Cluster: 3A090.a to United Arab Emirates", "open", "approved", True),
        ("UAE AI Cluster: 4A090.a to United Arab Emirates", "denied", "denied", False),
    ]
    assert rows[1].message == '"Approve" is not possible while the license gate is denied.'
    assert list(LicenseGate.objects.filter(pk__in=ids).order_by("eccn").values_list("status", flat=True)) == [
        "open",
        "denied",
    ]


def test_bulk_decision_applies_to_every_eligible_gate(in_review, commerce_reviewer):
    licenses_determine(proposal_id=in_review.pk)
    ids = list(LicenseGate.objects.filter(proposal=in_review).values_list("pk", flat=True))
    rows = gates_decide_bulk(
        gate_ids=ids,
        action="approve_with_conditions",
        actor=commerce_reviewer,
        reason="Standard provisos.",
        conditions="No re-export.",
        commit=True,
    )
    assert [r.ok for r in rows] == [True, True]
    assert set(LicenseGate.objects.filter(pk__in=ids).values_list("status", "conditions")) == {
        ("approved_with_conditions", "No re-export.")
    }
    assert AuditEvent.objects.filter(action="gate_approve_with_conditions").count() == 2


def test_bulk_decision_requires_a_reason_and_gates(commerce_reviewer):
    with pytest.raises(InvalidInput):
        gates_decide_bulk(gate_ids=[1], action="deny", actor=commerce_reviewer, reason="", commit=True)
    with pytest.raises(InvalidInput):
        gates_decide_bulk(gate_ids=[], action="deny", actor=commerce_reviewer, reason="Why", commit=True)


# --- A new policy version -------------------------------------------------------------------------


def _policy_v2(tmp_path, *, drop_servers: bool = False, add_gb: bool = False):
    payload = json.loads(DEFAULT_POLICY_FILE.read_text())
    payload["number"] = 2
    payload["name"] = "Test revision"
    for rule in payload["rules"]:
        if drop_servers and "4A090" in rule["eccn_patterns"]:
            rule["eccn_patterns"].remove("4A090")
        if add_gb and rule["code"] == "advanced-computing-destination":
            rule["destination_countries"].append("GB")
    path = tmp_path / "policy_v2.json"
    path.write_text(json.dumps(payload))
    return path


def test_new_policy_version_closes_gates_it_no_longer_requires(
    in_review, tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    licenses_determine(proposal_id=in_review.pk)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_licensing_policy", str(_policy_v2(tmp_path, drop_servers=True)))
    assert gates(in_review) == [
        ("3A090.a", "AE", "open", "advanced-computing-destination", 2),
        ("4A090.a", "AE", "not_required", "advanced-computing-destination", 2),
    ]
    event = AuditEvent.objects.get(proposal=in_review, action="gate_close")
    assert (event.from_state, event.to_state, event.reason) == (
        "open",
        "not_required",
        "Policy v2 no longer requires a license for 4A090.a to AE.",
    )


def test_new_policy_version_opens_and_reopens_gates(in_review, tmp_path):
    in_review.sites.update(country_id="GB")
    licenses_determine(proposal_id=in_review.pk)
    assert gates(in_review) == []
    call_command("load_licensing_policy", str(_policy_v2(tmp_path, add_gb=True)))
    licenses_determine(proposal_id=in_review.pk)  # what the enqueued task runs
    assert [g[:3] for g in gates(in_review)] == [("3A090.a", "GB", "open"), ("4A090.a", "GB", "open")]


def test_decided_gate_keeps_its_decision_and_version_under_a_new_policy(gate, commerce_reviewer, tmp_path):
    gate_decide(gate_id=gate.pk, action="approve", actor=commerce_reviewer, reason="Fine.")
    call_command("load_licensing_policy", str(_policy_v2(tmp_path)))
    licenses_determine(proposal_id=gate.proposal_id)
    gate.refresh_from_db()
    assert (gate.status, gate.policy_version.number) == (GateStatus.APPROVED, 1)


def test_policy_version_must_be_newer(tmp_path):
    from proposals.commerce.services.licensing import licensing_policy_load

    licensing_policy_load(path=DEFAULT_POLICY_FILE)
    with pytest.raises(InvalidInput):
        licensing_policy_load(path=DEFAULT_POLICY_FILE)
    assert LicensingPolicyVersion.objects.count() == 1


def test_bulk_decision_emails_each_recipient_once_naming_every_gate(in_review, commerce_reviewer):
    from proposals.core.enums import NotificationEvent
    from proposals.notify.models import OutboxMessage

    licenses_determine(proposal_id=in_review.pk)
    ids = list(LicenseGate.objects.filter(proposal=in_review).values_list("pk", flat=True))
    gates_decide_bulk(gate_ids=ids, action="approve", actor=commerce_reviewer, reason="Batch.", commit=True)
    messages = list(OutboxMessage.objects.filter(event=NotificationEvent.GATE_DECIDED))
    recipients = [m.recipient for m in messages]
    assert recipients and len(recipients) == len(set(recipients))  # one e-mail each, not one per gate
    assert messages[0].subject.startswith("License gates decided (Approved)")
    assert "3A090.a to AE, 4A090.a to AE" in messages[0].body
