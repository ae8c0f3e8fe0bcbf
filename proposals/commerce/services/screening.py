"""Writes for party screening: load a Consolidated Screening List version, screen a proposal's names."""

import csv
import hashlib
import io
import json
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from proposals.commerce.models import (
    CommerceReview,
    CommerceSettings,
    ScreeningEntry,
    ScreeningHit,
    ScreeningListKeys,
    ScreeningListVersion,
)
from proposals.commerce.policy.ownership import OwnershipFinding, owned_by_listed_parties
from proposals.commerce.policy.screening import ScreeningIndex, list_delta
from proposals.commerce.selectors import ScreenedName, proposal_screened_names
from proposals.commerce.services.ownership import (
    OwnedEntity,
    affiliates_rule,
    ownership_policy_current,
    proposal_owned_entities,
)
from proposals.commerce.services.review import HIT_TRACK
from proposals.commerce.workflow import HIT_TRANSITIONS
from proposals.core.engine import apply, audit_record, enqueue_on_commit
from proposals.core.enums import HitStatus, ProposalStatus, ScreenedSubject
from proposals.core.errors import InvalidInput, TransitionNotAllowed
from proposals.intake.models.proposal import Proposal

# The 29 columns of ITA's published CSV, in order (DOMAIN.md).
CSL_COLUMNS = [
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
]
FETCH_TIMEOUT_SECONDS = 60


def _read_source(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return response.read()
    return Path(source).read_bytes()


def _text(value: Any) -> str:
    """JSON fields may be lists (of strings or address objects); flatten them to one readable string."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value).strip()


def _alt_names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


def parse_screening_list(data: bytes) -> list[dict[str, Any]]:
    """Rows of the official CSV (29 columns, header first) or JSON ({"results": [...]} or a list)."""
    text = data.decode("utf-8-sig")
    if text.lstrip().startswith(("{", "[")):
        payload = json.loads(text)
        rows = payload.get("results", []) if isinstance(payload, dict) else payload
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in ("_id", "source", "name", "alt_names") if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(
                f"Not a Consolidated Screening List CSV: missing column(s) {', '.join(missing)}.",
                extra={
                    "fields": {"source": [f"Expected the 29 columns starting {', '.join(CSL_COLUMNS[:6])}."]}
                },
            )
        rows = list(reader)
    return [row for row in rows if str(row.get("name") or "").strip()]


def screening_list_load(*, source: str, actor: Any = None) -> ScreeningListVersion:
    """Load a list file or URL as a new version; screening uses the newest version from then on."""
    data = _read_source(source)
    rows = parse_screening_list(data)
    with transaction.atomic():
        previous = screening_list_current()
        version = ScreeningListVersion.objects.create(
            source=source[:500],
            sha256=hashlib.sha256(data).hexdigest(),
            entry_count=0,
            loaded_by=actor if getattr(actor, "pk", None) else None,
        )
        entries = []
        seen: set[str] = set()
        for position, row in enumerate(rows):
            key = _text(row.get("_id") or row.get("id")) or f"row-{position + 1}"
            if key in seen:  # the published file has the odd duplicate row; keep the first
                continue
            seen.add(key)
            entries.append(
                ScreeningEntry(
                    list_version=version,
                    entry_key=key[:100],
                    source=_text(row.get("source"))[:200],
                    entity_number=_text(row.get("entity_number"))[:50],
                    type=_text(row.get("type"))[:20],
                    programs=_text(row.get("programs"))[:500],
                    name=_text(row.get("name"))[:500],
                    alt_names=_alt_names(row.get("alt_names")),
                    addresses=_text(row.get("addresses")),
                    remarks=_text(row.get("remarks")),
                    source_list_url=_text(row.get("source_list_url"))[:500],
                    raw={
                        column: row.get(column) for column in CSL_COLUMNS if row.get(column) not in (None, "")
                    },
                )
            )
        ScreeningEntry.objects.bulk_create(entries, batch_size=2000)
        version.entry_count = len(entries)
        # The whole list's index keys, for delta re-screens against the next version (built here once,
        # not in every worker).
        whole = ScreeningIndex([[e.name, *e.alt_names] for e in entries])
        ScreeningListKeys.objects.create(list_version=version, keys=whole.keys(), common=whole.common_keys())
        if previous is not None:
            delta = list_delta(
                {
                    key: (source_, name, *(alts or []))
                    for key, source_, name, alts in ScreeningEntry.objects.filter(list_version=previous)
                    .order_by()
                    .values_list("entry_key", "source", "name", "alt_names")
                },
                {e.entry_key: (e.source, e.name, *e.alt_names) for e in entries},
            )
            version.delta_from = previous
            version.changed_keys = sorted(delta.changed)
            version.removed_keys = sorted(delta.removed)
        version.save(update_fields=["entry_count", "delta_from", "changed_keys", "removed_keys"])
        # A new list applies to work in progress: every proposal in review is screened again.
        for proposal_id in Proposal.objects.filter(status=ProposalStatus.IN_REVIEW).values_list(
            "pk", flat=True
        ):
            enqueue_on_commit("proposals.commerce.tasks.commerce_screen_proposal", proposal_id=proposal_id)
    return version


def screening_list_current() -> ScreeningListVersion | None:
    return ScreeningListVersion.objects.order_by("-pk").first()


@dataclass
class _LoadedIndex:
    index: ScreeningIndex
    entry_ids: list[int]
    entry_keys: list[str]
    sources: list[str]


# One index per list version per process: building it costs far more than one proposal's screening.
# Only the newest version is ever used, so each cache holds one (the old one is freed).
_INDEXES: dict[int, _LoadedIndex] = {}
# The index of the newest version's changed entries, for the delta re-screen.
_DELTA_INDEXES: dict[int, _LoadedIndex] = {}


def _cached_index(
    cache: dict[int, _LoadedIndex],
    version: ScreeningListVersion,
    whole_list: tuple[frozenset[str], dict[str, int]] | None = None,
    **only: Any,
) -> _LoadedIndex:
    loaded = cache.get(version.pk)
    if loaded is None:
        rows = list(
            ScreeningEntry.objects.filter(list_version=version, **only)
            .order_by("pk")
            .values_list("pk", "entry_key", "source", "name", "alt_names")
        )
        loaded = _LoadedIndex(
            index=ScreeningIndex([[name, *(alts or [])] for *_, name, alts in rows], whole_list=whole_list),
            entry_ids=[row[0] for row in rows],
            entry_keys=[row[1] for row in rows],
            sources=[row[2] for row in rows],
        )
        cache.clear()
        cache[version.pk] = loaded
    return loaded


def screening_index(version: ScreeningListVersion) -> _LoadedIndex:
    return _cached_index(_INDEXES, version)


def screening_delta_index(version: ScreeningListVersion) -> _LoadedIndex:
    """An index of the entries that changed since `version.delta_from` (a few hundred on a daily list),
    narrowing names as the whole version's index would (its keys, stored when it was loaded)."""
    if version.pk in _DELTA_INDEXES:
        return _DELTA_INDEXES[version.pk]
    keys = ScreeningListKeys.objects.get(list_version=version)
    whole_list = (frozenset(keys.keys), keys.common)
    return _cached_index(_DELTA_INDEXES, version, whole_list, entry_key__in=version.changed_keys)


@dataclass(frozen=True)
class _Found:
    """A match of one screened name with one entry of the newest version."""

    entry_key: str
    entry_id: int
    source: str
    matched_name: str
    score: Any
    exact: bool


def _index_matches(loaded: _LoadedIndex, name: str, threshold: float) -> list[_Found]:
    return [
        _Found(
            loaded.entry_keys[m.entry_index],
            loaded.entry_ids[m.entry_index],
            loaded.sources[m.entry_index],
            m.matched_name,
            m.score,
            m.exact,
        )
        for m in loaded.index.match(name, threshold=threshold)
    ]


def _delta_applies(
    review: CommerceReview,
    version: ScreeningListVersion,
    names: list[ScreenedName],
    threshold: int,
    revision: int,
) -> bool:
    """Whether the last screening was against the version this one was compared with, with the same
    names, revision and threshold: then only the changed entries can match differently."""
    return (
        version.delta_from_id is not None
        and review.screening_list_version_id == version.delta_from_id
        and review.screened_threshold == threshold
        and review.screened_revision == revision
        and review.screened_names == sorted({screened.name for screened in names})
    )


def _carried_matches(
    version: ScreeningListVersion, existing: dict[tuple[str, str], ScreeningHit]
) -> dict[str, list[_Found]]:
    """Matches of the last screening with entries that did not change, by screened name, pointed at
    the newest version's entries (one query). Derived hits (owned by listed parties) are worked out
    again, not carried."""
    stale = {*version.changed_keys, *version.removed_keys}
    hits = [
        hit
        for hit in existing.values()
        if hit.list_version_id == version.delta_from_id
        and hit.entry_key not in stale
        and hit.status != HitStatus.REMOVED
        and hit.subject_type != ScreenedSubject.OWNED
    ]
    entries = {
        key: (pk, source)
        for key, pk, source in ScreeningEntry.objects.filter(
            list_version=version, entry_key__in={hit.entry_key for hit in hits}
        ).values_list("entry_key", "pk", "source")
    }
    carried: dict[str, list[_Found]] = defaultdict(list)
    for hit in hits:
        if hit.entry_key in entries:
            pk, source = entries[hit.entry_key]
            carried[hit.screened_name].append(
                _Found(hit.entry_key, pk, source, hit.matched_name, hit.score, hit.exact)
            )
    return carried


def proposal_screen(*, proposal_id: int, sent_at: datetime | None = None) -> int:
    """Screen the proposal against the newest list; returns the number of new hits. Idempotent:
    a hit is keyed by (entry `_id`, screened name), and an adjudicated hit keeps its adjudication.

    `sent_at`: when the sweeper sent this request. A screening finished since then, with nothing asked
    for after it, already did the work: the request is dropped (a resent message is not run twice)."""
    version = screening_list_current()
    threshold = CommerceSettings.current().fuzzy_threshold
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        review, _ = CommerceReview.objects.get_or_create(proposal=proposal)
        if version is None:
            return 0
        if (
            sent_at is not None
            and review.screening_requested_at is None
            and review.screened_at is not None
            and review.screened_at >= sent_at
        ):
            return 0
        names = proposal_screened_names(proposal)
        existing = {(h.entry_key, h.screened_name): h for h in ScreeningHit.objects.filter(proposal=proposal)}
        delta = _delta_applies(review, version, names, threshold, proposal.revision_number)
        if delta:
            # Only the entries that changed are compared with the names; the rest match as they did.
            loaded = screening_delta_index(version)
            carried = _carried_matches(version, existing)
        else:
            loaded, carried = screening_index(version), {}
        found: set[tuple[str, str]] = set()
        created = 0

        def record(screened: ScreenedName, match: _Found, matched_name: str, score: Any, exact: bool) -> None:
            nonlocal created
            entry_key = match.entry_key
            key = (entry_key, screened.name[:300])
            if key in found:
                return
            found.add(key)
            fields = {
                "entry_id": match.entry_id,
                "list_version": version,
                "subject_type": screened.subject_type,
                "subject_label": screened.label[:300],
                "matched_name": matched_name[:500],
                "source": match.source,
                "score": score,
                "exact": exact,
                "company_id": screened.company_id,
                "party_id": screened.party_id,
            }
            hit = existing.get(key)
            if hit is None:
                hit = ScreeningHit.objects.create(
                    proposal=proposal, entry_key=entry_key, screened_name=key[1], **fields
                )
                created += 1
                audit_record(
                    proposal=proposal,
                    action="screening_hit",
                    actor=None,
                    to_state=hit.status,
                    subject=f"hit:{hit.pk}",
                    data={"score": float(score), "entry": entry_key, "source": hit.source},
                )
                return
            for name, value in fields.items():
                setattr(hit, name, value)
            hit.save(update_fields=[*(f.removesuffix("_id") for f in fields)])
            if hit.status == HitStatus.REMOVED:
                _hit_system_move(hit, "restore", "The name is on the proposal again.")

        # Owners whose names match a list entry count as listed for the affiliates rule: name -> best match.
        listed_owners: dict[str, _Found] = {}
        for screened in names:
            matches = _index_matches(loaded, screened.name, threshold) + carried.get(screened.name[:300], [])
            for match in matches:
                record(screened, match, match.matched_name, match.score, match.exact)
                if screened.subject_type == ScreenedSubject.OWNER:
                    best = listed_owners.get(screened.name)
                    if best is None or match.score > best.score:
                        listed_owners[screened.name] = match
        for owned, finding in _owned_by_listed(proposal, set(listed_owners)):
            # The hit points at the list entry of the largest listed owner; the reviewer adjudicates it
            # with that owner's own hit.
            lead = listed_owners[finding.listed[0].name]
            record(
                ScreenedName(
                    owned.name,
                    ScreenedSubject.OWNED,
                    f"{owned.label}, owned 50%+ by listed parties",
                    owned.company_id,
                    owned.party_id,
                ),
                lead,
                finding.message,
                min(listed_owners[s.name].score for s in finding.listed),
                all(listed_owners[s.name].exact for s in finding.listed),
            )
        for key, hit in existing.items():
            # A confirmed match stays until Commerce reopens it: editing the name out of the proposal
            # (renaming or removing a member) must not clear what a reviewer found.
            if key not in found and hit.status not in (HitStatus.REMOVED, HitStatus.CONFIRMED):
                _hit_system_move(
                    hit, "remove", "The name is no longer on the proposal, or no longer matches."
                )
        review.screened_at = timezone.now()
        review.screening_list_version = version
        review.screened_names = sorted({screened.name for screened in names})
        review.screened_revision = proposal.revision_number
        review.screened_threshold = threshold
        review.screening_requested_at = None  # what was asked for is done
        review.save(
            update_fields=[
                "screened_at",
                "screening_list_version",
                "screened_names",
                "screened_revision",
                "screened_threshold",
                "screening_requested_at",
            ]
        )
        audit_record(
            proposal=proposal,
            action="screened",
            actor=None,
            subject="screening",
            data={
                "list_version": version.pk,
                "names": len(names),
                "new_hits": created,
                "delta": delta,
            },
        )
    return created


def _owned_by_listed(proposal: Proposal, listed: set[str]) -> list[tuple[OwnedEntity, OwnershipFinding]]:
    """The proposal's members and parties owned 50%+ by listed owners, under the rule in force today."""
    if not listed:
        return []
    rule = affiliates_rule(ownership_policy_current())
    today = timezone.localdate()
    found = []
    for owned in proposal_owned_entities(proposal):
        finding = owned_by_listed_parties(owners=owned.shares, listed=listed, rule=rule, on=today)
        if finding is not None:
            found.append((owned, finding))
    return found


def _hit_system_move(hit: ScreeningHit, action: str, reason: str) -> None:
    """Remove a hit whose name left the proposal, or restore one whose name is back (the caller holds
    the lock); a hit already there is left as it is."""
    if hit.status in HIT_TRANSITIONS[action].sources:
        apply(HIT_TRACK, row=hit, action=action, actor=None, reason=reason)


# Where a reviewer may ask for screening again: work Commerce still has in hand.
RESCREEN_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW)


def screening_request(*, proposal_id: int, actor: Any) -> None:
    """A Commerce reviewer asks for the proposal to be screened again now (against the newest list,
    with every current name): recorded on the timeline, sent to the commerce queue on commit."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status not in RESCREEN_STATUSES:
            raise TransitionNotAllowed(
                "Screening runs again only while Commerce has the proposal (submitted or in review).",
                extra={"status": proposal.status, "action": "screen"},
            )
        audit_record(proposal=proposal, action="screening_requested", actor=actor, subject="screening")
        screening_owed(proposal_ids=[proposal.pk])


def screening_owed(*, proposal_ids: list[int]) -> None:
    """Record that these proposals are owed a screening, and send it once committed.

    The record (CommerceReview.screening_requested_at, cleared by the screening) is what backs a
    "queued" answer: if the message is lost or the broker is down, the sweeper sends it again.
    """
    now = timezone.now()
    for proposal_id in proposal_ids:
        CommerceReview.objects.update_or_create(
            proposal_id=proposal_id, defaults={"screening_requested_at": now}
        )
        enqueue_on_commit("proposals.commerce.tasks.commerce_screen_proposal", proposal_id=proposal_id)
