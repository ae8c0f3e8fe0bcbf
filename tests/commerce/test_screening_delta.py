"""Re-screening against a new list version compares the names with the changed entries only, and
ends exactly where a full re-screen would."""

import pytest

from proposals.commerce.models import CommerceReview, ScreeningHit, ScreeningListVersion
from proposals.commerce.policy.screening import MAX_KEY_FREQUENCY, ScreeningIndex, list_delta
from proposals.commerce.selectors import SCREENING_OLD_LIST, commerce_clearance
from proposals.commerce.services.review import hit_adjudicate
from proposals.commerce.services.screening import proposal_screen, screening_list_load
from proposals.core.enums import HitStatus
from proposals.core.models.audit import AuditEvent
from proposals.intake.models.proposal import Party
from tests.commerce.csl_fixture import SDN, csl_row, write_csl_csv

pytestmark = pytest.mark.django_db


def _load(tmp_path, name, rows):
    return screening_list_load(source=str(write_csl_csv(tmp_path / f"{name}.csv", rows)))


def _party(proposal, name):
    return Party.objects.create(proposal=proposal, role="intermediate_consignee", name=name, country_id="AE")


def _hits(proposal):
    return sorted(
        (
            h.entry_key,
            h.screened_name,
            h.status,
            h.entry_id,
            h.list_version_id,
            h.matched_name,
            h.source,
            h.score,
        )
        for h in ScreeningHit.objects.filter(proposal=proposal)
    )


def _was_delta(proposal) -> bool:
    return (
        AuditEvent.objects.filter(proposal=proposal, action="screened").order_by("-pk").first().data["delta"]
    )


def test_list_delta_names_added_changed_and_removed_entries():
    old = {"a": ("EL", "ACME"), "b": ("EL", "BETA"), "c": ("SDN", "GAMMA")}
    new = {"a": ("EL", "ACME"), "b": ("EL", "BETA", "BETA TRADING"), "d": ("EL", "DELTA")}
    delta = list_delta(old, new)
    assert (delta.changed, delta.removed) == (frozenset({"b", "d"}), frozenset({"c"}))


def test_index_of_changed_entries_narrows_names_as_the_whole_list_index_does():
    # "TRADING" is too common to narrow anything in the whole list, so neither index compares
    # "ZETA TRADING" with "OMEGA TRADING"; "ZETA" is on the whole list, so no fallback to "TRADING".
    common = [[f"COMPANY{n} TRADING"] for n in range(MAX_KEY_FREQUENCY + 1)]
    changed = [["OMEGA TRADING"], ["ZETA TRADING HOUSE"]]
    whole = ScreeningIndex([*common, ["ZETA WORKS"], *changed])
    part = ScreeningIndex(changed, whole_list=(frozenset(whole.keys()), whole.common_keys()))
    for query in ("ZETA TRADING", "OMEGA TRADNG", "TRADING"):
        on_whole = {m.matched_name for m in whole.match(query, threshold=80)} & {
            "OMEGA TRADING",
            "ZETA TRADING HOUSE",
        }
        assert {m.matched_name for m in part.match(query, threshold=80)} == on_whole


def test_loading_a_list_records_what_changed_since_the_previous_version(tmp_path, csl_rows):
    first = _load(tmp_path, "v1", csl_rows)
    renamed = [{**csl_rows[0], "alt_names": "ACME PREC"}, *csl_rows[1:3], csl_row("e-new", "NEW PARTY")]
    second = _load(tmp_path, "v2", renamed)
    assert (first.delta_from_id, second.delta_from_id) == (None, first.pk)
    assert (second.changed_keys, second.removed_keys) == (["e-acme", "e-new"], ["e-ros"])


def test_delta_rescreen_finds_a_new_entry_matching_a_name_already_screened(in_review, tmp_path, csl_rows):
    _party(in_review, "Gulf Frontier Data Holdings")
    _load(tmp_path, "v1", csl_rows)
    proposal_screen(proposal_id=in_review.pk)
    assert not ScreeningHit.objects.filter(proposal=in_review, entry_key="e-gulf").exists()

    newest = _load(
        tmp_path, "v2", [*csl_rows, csl_row("e-gulf", "GULF FRONTIER DATA HOLDINGS LLC", source=SDN)]
    )
    assert proposal_screen(proposal_id=in_review.pk) == 1

    assert _was_delta(in_review)
    hit = ScreeningHit.objects.get(proposal=in_review, entry_key="e-gulf")
    assert (hit.status, hit.exact, hit.list_version_id) == (HitStatus.UNRESOLVED, True, newest.pk)
    # the unchanged entry's hit is carried over, pointed at the newest version's entry
    carried = ScreeningHit.objects.get(proposal=in_review, entry_key="e-naic")
    assert (carried.list_version_id, carried.entry.list_version_id) == (newest.pk, newest.pk)


def test_dropped_entry_clears_a_hit_only_as_the_adjudication_rules_allow(
    in_review, tmp_path, csl_rows, commerce_reviewer
):
    _party(in_review, "ACME Precision Company")
    _load(tmp_path, "v1", csl_rows)
    proposal_screen(proposal_id=in_review.pk)
    confirmed = ScreeningHit.objects.get(proposal=in_review, entry_key="e-naic")
    hit_adjudicate(hit_id=confirmed.pk, action="confirm", actor=commerce_reviewer, reason="Same company.")

    # Both entries leave the list.
    _load(tmp_path, "v2", [r for r in csl_rows if r["_id"] not in ("e-acme", "e-naic")])
    proposal_screen(proposal_id=in_review.pk)

    assert _was_delta(in_review)
    statuses = dict(ScreeningHit.objects.filter(proposal=in_review).values_list("entry_key", "status"))
    # The unresolved hit is removed by the system's move (audited); the confirmed one stays until
    # Commerce reopens it.
    assert statuses == {"e-acme": HitStatus.REMOVED, "e-naic": HitStatus.CONFIRMED}
    removed = ScreeningHit.objects.get(proposal=in_review, entry_key="e-acme")
    assert AuditEvent.objects.filter(subject=f"hit:{removed.pk}", action="hit_remove").count() == 1


def test_delta_rescreen_ends_where_a_full_rescreen_does(in_review, tmp_path, csl_rows, commerce_reviewer):
    _party(in_review, "ACME Precision Company")
    _party(in_review, "Rosoboronexprot")
    _party(in_review, "Gulf Frontier Data Holdings")
    _load(tmp_path, "v1", csl_rows)
    proposal_screen(proposal_id=in_review.pk)
    fp = ScreeningHit.objects.get(proposal=in_review, entry_key="e-naic")
    hit_adjudicate(hit_id=fp.pk, action="false_positive", actor=commerce_reviewer, reason="Other company.")

    # Renamed (no longer matches), dropped, added (matches), unchanged.
    _load(
        tmp_path,
        "v2",
        [
            {**csl_rows[3], "name": "UNRELATED ARMS EXPORTER", "alt_names": ""},
            csl_rows[1],
            csl_rows[2],
            csl_row("e-gulf", "GULF FRONTIER DATA HOLDINGS"),
        ],
    )
    proposal_screen(proposal_id=in_review.pk)
    assert _was_delta(in_review)
    after_delta = _hits(in_review)

    CommerceReview.objects.filter(proposal=in_review).update(screening_list_version=None)
    proposal_screen(proposal_id=in_review.pk)
    assert not _was_delta(in_review)
    assert _hits(in_review) == after_delta
    assert {(key, status) for key, _, status, *_ in after_delta} == {
        ("e-acme", HitStatus.REMOVED),
        ("e-ros", HitStatus.REMOVED),
        ("e-naic", HitStatus.FALSE_POSITIVE),
        ("e-gulf", HitStatus.UNRESOLVED),
    }


def test_a_name_not_yet_screened_against_the_newest_list_holds_clearance(in_review, tmp_path, csl_rows):
    first = _load(tmp_path, "v1", csl_rows)
    proposal_screen(proposal_id=in_review.pk)
    newest = _load(tmp_path, "v2", [*csl_rows, csl_row("e-new", "SOMEONE NEW")])

    reason = SCREENING_OLD_LIST.format(old=first.pk, new=newest.pk)
    assert reason in commerce_clearance(proposal_id=in_review.pk).reasons
    proposal_screen(proposal_id=in_review.pk)
    assert _was_delta(in_review)
    assert reason not in commerce_clearance(proposal_id=in_review.pk).reasons
    assert ScreeningListVersion.objects.count() == 2
