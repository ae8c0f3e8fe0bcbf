"""Words for people: how the pages name codes, states, findings and audit events.

The API and the audit trail keep their stable codes (`LAYER_MISSING`, `gate_approve`, `gate:2`); a
page never shows one. Everything a page says about a code is here, in one place, as plain functions of
plain values (no models, no database), so the template tags in `proposals.templatetags.words`, the
views and the tests share the same words.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from proposals.commerce.policy.eccn import normalize_eccn
from proposals.commerce.workflow import GATE_TRANSITIONS, HIT_TRANSITIONS
from proposals.core.enums import (
    DealStage,
    GateStatus,
    HitStatus,
    ProposalStatus,
    ReviewClockFlag,
)
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.workflow import PANEL_TRANSITIONS
from proposals.exim.workflow import DEAL_TRANSITIONS
from proposals.intake.workflow import PROPOSAL_TRANSITIONS


def eccn(value: str | None) -> str:
    """An ECCN as the EAR writes it (3A090.a, EAR99); an empty one says so."""
    return normalize_eccn(value or "") or "not classified"


def humanize(code: str | None) -> str:
    """The last resort for a code this module does not know yet: words, never underscores."""
    text = (code or "").replace("_", " ").replace(":", " ").strip()
    return text[:1].upper() + text[1:].lower()


# --- States ------------------------------------------------------------------------------------

_STATES: dict[str, dict[str, str]] = {
    "proposal": dict(ProposalStatus.choices),
    "gate": dict(GateStatus.choices),
    "hit": dict(HitStatus.choices),
    "deal": dict(DealStage.choices),
    "panel": dict(PanelStatus.choices),
    "commerce_clock": dict(ReviewClockFlag.choices),
}


def subject_kind(subject: str) -> str:
    """ "gate:12" -> "gate"; "proposal" -> "proposal"."""
    return (subject or "proposal").split(":", 1)[0]


def state_label(state: str | None, subject: str = "proposal") -> str:
    """A state's label on the track the subject belongs to (a gate's "open", a deal's "board")."""
    if not state:
        return ""
    kind = subject_kind(subject)
    for labels in (_STATES.get(kind, {}), *_STATES.values()):
        if state in labels:
            return labels[state]
    return humanize(state)


# --- Findings ----------------------------------------------------------------------------------

# What each completeness finding is about, for a person (the message says how to fix it). Keyed by the
# finding's code, which stays in the API; tests/core/test_words.py holds every code the policy emits.
FINDING_TOPICS: dict[str, str] = {
    "TITLE_MISSING": "Title",
    "SUMMARY_MISSING": "Summary",
    "TARGET_COUNTRY_MISSING": "Target countries",
    "SECURITY_MEASURES_MISSING": "Security measures",
    "ANCHOR_MISSING": "Anchor member",
    "MEMBER_COUNTRY_OF_CONCERN": "Member tied to a country of concern",
    "MEMBER_OWNED_FROM_CONCERN": "Member owned from a country of concern",
    "DESTINATION_MISSING": "Destination sites",
    "SITE_ROLE_MISSING": "Who builds, owns and operates a site",
    "LAYER_MISSING": "A layer of the stack",
    "ITEM_UNCLASSIFIED": "Export classification",
    "ITEM_UNVALUED": "Line item value",
    "ITEM_US_ORIGIN_EXCEEDS_VALUE": "US-origin value",
    "ITEM_SITE_MISSING": "Line item destination",
    "MODEL_FROM_COUNTRY_OF_CONCERN": "Model from a country of concern",
    "HARDWARE_US_CONTENT_BELOW_51": "US content of the hardware",
    "PARTY_OWNERSHIP_OF_CONCERN": "Party tied to a country of concern",
    "PARTY_MISSING": "Parties to the export",
    "PARTY_COUNTRY_MISSING": "Party's country",
    "PARTY_COUNTRY_OF_CONCERN": "Party in a country of concern",
    "PARTY_OWNED_FROM_CONCERN": "Party owned from a country of concern",
    "END_USE_MISSING": "End use",
    "FINANCING_REQUEST_MISSING": "Financing request",
    "LOCAL_COSTS_ABOVE_CAP": "Local costs",
    "FINANCING_ABOVE_ELIGIBLE": "Amount requested",
    "FINANCING_PRODUCT_NOT_FOR_TERM": "EXIM product for the term",
    "TENOR_ABOVE_MAXIMUM": "Repayment tenor",
    "TENOR_NEEDS_NOTICE": "Repayment tenor (OECD notice)",
    "DOCUMENT_MISSING": "Required documents",
    "US_JOBS_PLAN_MISSING": "US jobs plan",
}


def finding_topic(code: str) -> str:
    """The topic a finding is about, by its code: "LAYER_MISSING" -> "A layer of the stack"."""
    return FINDING_TOPICS.get(code) or humanize(code)


# --- Audit events as sentences -------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """What a sentence needs of an audit event (an AuditEvent has these attributes)."""

    subject: str
    action: str
    from_state: str = ""
    to_state: str = ""
    actor_label: str = "System"
    data: Mapping[str, Any] | None = None
    revision: int = 0


# What became of a gate or a hit, by its action without the "gate_" or "hit_" prefix: a person's
# decision ({actor}) or the system's change when the policy or the proposal changed; {subject} is the
# gate's ECCN and destination, or the screened name.
_GATE_SENTENCES = {
    "approve": "{actor} approved the license for {subject}.",
    "approve_with_conditions": "{actor} approved with conditions the license for {subject}.",
    "deny": "{actor} denied the license for {subject}.",
    "return_without_action": "{actor} returned without action the license application for {subject}.",
    "close": "The license gate for {subject} closed: the policy in force no longer requires a license.",
    "reopen": "The license gate for {subject} opened again: the policy in force requires a license.",
}
_HIT_SENTENCES = {
    "false_positive": "{actor} marked as a false positive the possible match for {subject}.",
    "confirm": "{actor} confirmed the match for {subject}.",
    "reopen": "{actor} reopened the decision on the possible match for {subject}.",
    "remove": "{subject} is no longer on the proposal; its possible match was set aside.",
    "restore": "{subject} is on the proposal again; its possible match needs a decision.",
}
_PROPOSAL_SENTENCES = {
    "submit": "{actor} submitted the proposal{revision}.",
    "accept_for_review": "Automated intake found the proposal complete and sent it for review.",
    "return_incomplete": "Automated intake returned the proposal as incomplete.",
    "request_information": "{actor} asked the consortium for information; the proposal is back with them.",
    "approve": "The proposal was approved with EXIM's final commitment.",
    "decline": "{actor} declined the proposal.",
    "withdraw": "{actor} withdrew the proposal.",
    "edit": "{actor} edited the proposal.",
}


def _who(event: Event) -> str:
    return event.actor_label or "System"


def _gate_phrase(data: Mapping[str, Any], country: Callable[[str], str]) -> str:
    where = data.get("destination")
    return f"{eccn(data.get('eccn'))} to {country(where) if where else 'its destination'}"


def _plural(n: Any, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def event_sentence(event: Any, *, country: Callable[[str], str] = lambda code: code) -> str:
    """One audit event as a sentence a person reads in a timeline: "Commerce opened the license gate
    for 3A090.a to India." `country` names a country by its code (the template tag passes the table's
    names). An event this module does not know reads as its humanized action, never as a code."""
    kind = subject_kind(event.subject)
    action = event.action
    data: Mapping[str, Any] = event.data or {}
    who = _who(event)
    if kind == "proposal":
        template = _PROPOSAL_SENTENCES.get(action)
        if template:
            revision = f" as revision {event.revision}" if action == "submit" and event.revision else ""
            return template.format(actor=who, revision=revision)
    elif kind == "gate":
        gate = _gate_phrase(data, country)
        if action == "gate_opened":
            return f"Commerce opened the license gate for {gate}: a license is required."
        sentence = _GATE_SENTENCES.get(action.removeprefix("gate_"))
        if sentence:
            return sentence.format(actor=who, subject=gate)
    elif kind == "hit":
        name = data.get("screened") or "a screened name"
        if action == "screening_hit":
            source = data.get("source") or "the screening list"
            return f"Screening found a possible match for {name} on {source}."
        sentence = _HIT_SENTENCES.get(action.removeprefix("hit_"))
        if sentence:
            return sentence.format(actor=who, subject=name)
    elif kind == "screening":
        if action == "screened":
            names, hits = data.get("names", 0), data.get("new_hits", 0)
            return (
                f"Screening checked {_plural(names, 'name')} against list version "
                f"{data.get('list_version', '?')}: {_plural(hits, 'new possible match')}."
            ).replace("matchs", "matches")
        if action == "screening_requested":
            return f"{who} asked for the names to be screened again."
    elif kind == "licensing" and action == "licenses_determined":
        opened, closed, policy = data.get("opened", 0), data.get("closed", 0), data.get("policy", "?")
        return (
            f"Commerce determined the licenses needed under licensing policy version {policy}: "
            f"{_plural(opened, 'gate')} opened, {closed} closed."
        )
    elif kind == "commerce_review" and action == "commerce_assigned":
        return f"{who} assigned the Commerce review to {event.to_state or 'nobody'}."
    elif kind == "commerce_clock" and action == "clock_flagged":
        return f"The review clock is now {state_label(event.to_state, 'commerce_clock').lower()}."
    elif kind == "rfi":
        if action == "rfi_sent":
            return f"{who} asked the consortium a question."
        if action == "rfi_answer_drafted":
            return f"{who} saved an answer to Commerce's question."
        if action == "rfi_answered":
            return "The consortium's answer went to Commerce with the resubmitted proposal."
    elif kind == "deal":
        if action == "open":
            return f"EXIM opened the financing file at {state_label(event.to_state, 'deal').lower()}."
        if action == "request_updated":
            return "The financing request changed with the resubmitted proposal."
        if action == "target_date_changed":
            return f"{who} changed a target date."
        if action in DEAL_TRANSITIONS:
            return (
                f"{who} moved the deal from {state_label(event.from_state, 'deal').lower()} to "
                f"{state_label(event.to_state, 'deal').lower()}."
            )
    elif kind == "panel":
        transition = PANEL_TRANSITIONS.get(action.removeprefix("panel_"))
        if transition is not None:
            return f"{who}: {transition.label.lower()} (evaluation panel)."
    elif kind in ("message", "note"):
        place = "an internal note" if kind == "note" else "a message to the consortium"
        return f"{who} posted {place}."
    return _fallback(event, kind, who)


def _fallback(event: Any, kind: str, who: str) -> str:
    label = next(
        (
            table[event.action].label
            for table in (PROPOSAL_TRANSITIONS, GATE_TRANSITIONS, HIT_TRANSITIONS, DEAL_TRANSITIONS)
            if event.action in table
        ),
        humanize(event.action),
    )
    move = ""
    if event.to_state:
        move = f" (now {state_label(event.to_state, event.subject).lower()})"
    return f"{who}: {label.lower()}{move}."
