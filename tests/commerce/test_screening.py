"""Loading the Consolidated Screening List and screening a proposal's members and parties."""

import csv
from decimal import Decimal

import pytest
from django.core.management import call_command

from proposals.commerce.models import CommerceReview, ScreeningEntry, ScreeningHit, ScreeningListVersion
from proposals.commerce.services.review import hit_adjudicate
from proposals.commerce.services.screening import CSL_COLUMNS, proposal_screen, screening_list_load
from proposals.core.enums import HitStatus, ScreenedSubject
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.proposal import Party
from tests.commerce.csl_fixture import write_csl_json

pytestmark = pytest.mark.django_db


def test_fixture_file_has_the_official_29_columns(csl_file):
    with csl_file.open() as fh:
        header = next(csv.reader(fh))
    assert len(header) == 29
    assert header == CSL_COLUMNS
    assert header[:6] == ["_id", "source", "entity_number", "type", "programs", "name"]


def test_load_screening_list_command_creates_a_new_version_each_time(csl_file):
    call_command("load_screening_list", str(csl_file))
    call_command("load_screening_list", str(csl_file))
    versions = list(ScreeningListVersion.objects.order_by("pk"))
    assert [v.entry_count for v in versions] == [4, 4]
    entry = ScreeningEntry.objects.get(list_version=versions[1], entry_key="e-acme")
    assert entry.alt_names == ["Acme Precision Machinery", "ACME PREC"]
    assert entry.source == "Entity List (EL) - Bureau of Industry and Security"
    assert entry.raw["license_policy"] == "Presumption of denial."


def test_load_screening_list_reads_the_json_format(tmp_path, csl_rows):
    version = screening_list_load(source=str(write_csl_json(tmp_path / "consolidated.json", csl_rows)))
    entry = version.entries.get(entry_key="e-ros")
    assert (version.entry_count, entry.alt_names) == (4, ["ROSOBORONEKSPORT", "ROE"])
    assert entry.addresses == "1 Example Road, Example City, CN"


def test_load_screening_list_refuses_a_file_without_the_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,fullname\n1,Someone\n")
    with pytest.raises(InvalidInput):
        screening_list_load(source=str(path))
    assert ScreeningListVersion.objects.count() == 0


def _add_party(proposal, name, role="intermediate_consignee"):
    return Party.objects.create(proposal=proposal, role=role, name=name, country_id="AE")


def test_screening_records_exact_hit_with_score_source_and_entry(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    created = proposal_screen(proposal_id=in_review.pk)
    hits = list(ScreeningHit.objects.filter(proposal=in_review))
    # Two parties (purchaser and ultimate consignee) carry the same name: one hit per name and entry.
    assert created == 1
    assert [
        (h.screened_name, h.matched_name, h.score, h.exact, h.source, h.entry.entry_key) for h in hits
    ] == [
        (
            "National AI Infrastructure Co.",
            "NATIONAL AI INFRASTRUCTURE COMPANY",
            Decimal("100.00"),
            True,
            "Specially Designated Nationals (SDN) - Treasury Department",
            "e-naic",
        )
    ]
    assert (hits[0].subject_type, hits[0].status) == (ScreenedSubject.PARTY, HitStatus.UNRESOLVED)
    assert CommerceReview.objects.get(proposal=in_review).screening_list_version_id == hits[0].list_version_id


def test_screening_acme_precision_co_ltd_matches_acme_precision_co_ltd_listed(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    _add_party(in_review, "Acme Precision Co., Ltd.")
    proposal_screen(proposal_id=in_review.pk)
    hit = ScreeningHit.objects.get(proposal=in_review, entry_key="e-acme")
    assert (hit.matched_name, hit.score, hit.exact) == ("ACME PRECISION CO LTD", Decimal("100.00"), True)


def test_screening_fuzzy_hit_on_alternate_name(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    _add_party(in_review, "Rosoboronexprot")
    proposal_screen(proposal_id=in_review.pk)
    hit = ScreeningHit.objects.get(proposal=in_review, entry_key="e-ros")
    assert (hit.matched_name, hit.exact, hit.score) == ("ROSOBORONEXPORT OAO", False, Decimal("93.33"))


def test_screening_covers_members_and_their_ultimate_parents(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    company = in_review.consortium.members.first().company
    company.ultimate_parent = "Ivan Petrov"
    company.save()
    proposal_screen(proposal_id=in_review.pk)
    hit = ScreeningHit.objects.get(proposal=in_review, entry_key="e-person")
    assert (hit.subject_type, hit.company_id, hit.subject_label) == (
        ScreenedSubject.PARENT,
        company.pk,
        f"Parent of {company.legal_name}",
    )


def test_screening_twice_changes_nothing_and_keeps_adjudications(in_review, csl_file, commerce_reviewer):
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    hit = ScreeningHit.objects.get(proposal=in_review)
    hit_adjudicate(
        hit_id=hit.pk, action="false_positive", actor=commerce_reviewer, reason="Different company."
    )
    screening_list_load(source=str(csl_file))  # a newer list with the same entry

    assert proposal_screen(proposal_id=in_review.pk) == 0
    hit.refresh_from_db()
    assert (ScreeningHit.objects.filter(proposal=in_review).count(), hit.status) == (
        1,
        HitStatus.FALSE_POSITIVE,
    )
    assert hit.list_version_id == ScreeningListVersion.objects.order_by("-pk").first().pk


def test_screening_marks_hits_removed_when_the_name_leaves_the_proposal(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    party = _add_party(in_review, "ACME Precision Company")
    proposal_screen(proposal_id=in_review.pk)
    party.delete()
    proposal_screen(proposal_id=in_review.pk)
    hit = ScreeningHit.objects.get(proposal=in_review, entry_key="e-acme")
    assert hit.status == HitStatus.REMOVED
    assert AuditEvent.objects.filter(subject=f"hit:{hit.pk}", action="hit_remove").count() == 1


def test_loading_a_new_list_rescreens_proposals_in_review(
    in_review, csl_file, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        screening_list_load(source=str(csl_file))
    assert ScreeningHit.objects.filter(proposal=in_review).count() == 1


def test_screening_without_a_list_records_nothing(in_review):
    assert proposal_screen(proposal_id=in_review.pk) == 0
    assert ScreeningHit.objects.count() == 0


# --- Adjudication ---------------------------------------------------------------------------------


@pytest.fixture
def hit(in_review, csl_file):
    screening_list_load(source=str(csl_file))
    proposal_screen(proposal_id=in_review.pk)
    return ScreeningHit.objects.get(proposal=in_review)


def test_adjudicate_false_positive_records_reason_and_audit(hit, commerce_reviewer):
    hit_adjudicate(
        hit_id=hit.pk, action="false_positive", actor=commerce_reviewer, reason="Different address."
    )
    hit.refresh_from_db()
    assert (hit.status, hit.adjudication_reason, hit.adjudicated_by) == (
        HitStatus.FALSE_POSITIVE,
        "Different address.",
        commerce_reviewer,
    )
    event = AuditEvent.objects.get(subject=f"hit:{hit.pk}", action="hit_false_positive")
    assert (event.from_state, event.to_state, event.actor) == (
        "unresolved",
        "false_positive",
        commerce_reviewer,
    )


def test_adjudicate_confirmed_match_blocks_until_reopened(hit, commerce_reviewer):
    from proposals.commerce.selectors import commerce_clearance

    hit_adjudicate(
        hit_id=hit.pk, action="confirm", actor=commerce_reviewer, reason="Same entity, same address."
    )
    assert len(commerce_clearance(proposal_id=hit.proposal_id).held["hits_resolved"]) == 1
    hit_adjudicate(hit_id=hit.pk, action="reopen", actor=commerce_reviewer, reason="Wrong call; re-check.")
    hit.refresh_from_db()
    assert hit.status == HitStatus.UNRESOLVED


def test_adjudicate_requires_a_reason(hit, commerce_reviewer):
    with pytest.raises(InvalidInput) as exc:
        hit_adjudicate(hit_id=hit.pk, action="false_positive", actor=commerce_reviewer, reason="  ")
    assert exc.value.extra == {"fields": {"reason": ["A reason is required."]}}


def test_adjudicate_twice_is_refused(hit, commerce_reviewer):
    hit_adjudicate(hit_id=hit.pk, action="confirm", actor=commerce_reviewer, reason="Same.")
    with pytest.raises(TransitionNotAllowed):
        hit_adjudicate(hit_id=hit.pk, action="false_positive", actor=commerce_reviewer, reason="No.")


def test_adjudicate_refused_for_exim_and_consortium(hit, exim_officer, lead):
    for actor in (exim_officer, lead):
        with pytest.raises(TransitionNotAllowed):
            hit_adjudicate(hit_id=hit.pk, action="false_positive", actor=actor, reason="Not me.")
