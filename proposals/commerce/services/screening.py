"""Writes for party screening: load a Consolidated Screening List version, screen a proposal's names."""

import csv
import hashlib
import io
import json
import urllib.request
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
    ScreeningListVersion,
)
from proposals.commerce.policy.ownership import OwnershipFinding, owned_by_listed_parties
from proposals.commerce.policy.screening import Match, ScreeningIndex
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
        version.save(update_fields=["entry_count"])
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
_INDEXES: dict[int, _LoadedIndex] = {}


def screening_index(version: ScreeningListVersion) -> _LoadedIndex:
    loaded = _INDEXES.get(version.pk)
    if loaded is None:
        rows = list(
            ScreeningEntry.objects.filter(list_version=version)
            .order_by("pk")
            .values_list("pk", "entry_key", "source", "name", "alt_names")
        )
        loaded = _LoadedIndex(
            index=ScreeningIndex([[name, *(alts or [])] for *_, name, alts in rows]),
            entry_ids=[row[0] for row in rows],
            entry_keys=[row[1] for row in rows],
            sources=[row[2] for row in rows],
        )
        _INDEXES.clear()  # only the newest version is ever used; free the old one
        _INDEXES[version.pk] = loaded
    return loaded


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
        loaded = screening_index(version)
        names = proposal_screened_names(proposal)
        existing = {(h.entry_key, h.screened_name): h for h in ScreeningHit.objects.filter(proposal=proposal)}
        found: set[tuple[str, str]] = set()
        created = 0

        def record(
            screened: ScreenedName, entry_index: int, matched_name: str, score: Any, exact: bool
        ) -> None:
            nonlocal created
            entry_key = loaded.entry_keys[entry_index]
            key = (entry_key, screened.name[:300])
            if key in found:
                return
            found.add(key)
            fields = {
                "entry_id": loaded.entry_ids[entry_index],
                "list_version": version,
                "subject_type": screened.subject_type,
                "subject_label": screened.label[:300],
                "matched_name": matched_name[:500],
                "source": loaded.sources[entry_index],
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
        listed_owners: dict[str, Match] = {}
        for screened in names:
            for match in loaded.index.match(screened.name, threshold=threshold):
                record(screened, match.entry_index, match.matched_name, match.score, match.exact)
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
                lead.entry_index,
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
        review.screening_requested_at = None  # what was asked for is done
        review.save(
            update_fields=[
                "screened_at",
                "screening_list_version",
                "screened_names",
                "screened_revision",
                "screening_requested_at",
            ]
        )
        audit_record(
            proposal=proposal,
            action="screened",
            actor=None,
            subject="screening",
            data={"list_version": version.pk, "names": len(names), "new_hits": created},
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
