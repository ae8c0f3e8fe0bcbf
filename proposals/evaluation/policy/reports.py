"""The arithmetic of the program's reports on a call: where each received proposal stands, how long
proposals spend in each stage, and the widths of the bars that draw them. Pure: plain values in.

Where a proposal stands (the rule, `report_outcome`): a proposal is *received* once it has been
submitted (revision 1 or later); a draft never submitted is not. A received proposal is counted once, in
the first of these that holds:
    designated / not designated   the panel's determination (it outlasts what happens later)
    withdrawn / declined          the proposal ended without a determination
    deferred                      the officer deferred the determination
    in evaluation                 a panel is forming, declaring conflicts, scoring or awaiting the
                                  determination
    awaiting a panel              in review (or approved) with no panel yet
    in intake                     submitted or returned, not yet in review

Days per stage (the rule, `stage_days`): a stage is a state of a track (the proposal's "submitted" is
intake; the panel's forming, conflicts, scoring, determination and deferred), plus "awaiting a panel",
from the proposal entering review to its panel being formed. A visit starts at the audit event that
enters the state and ends at the next state change of the same track. A proposal's days in a stage are
the sum of its finished visits; a proposal still in the stage is counted as "in the stage now", not in
the median (its time is not known yet). The median is over proposals, in days to one decimal.

Worked example (tests/evaluation/test_reports.py), two proposals, times in days from day 0:
    P1 submitted 0, in review 2, panel formed 5, convened 6, scoring 8, closed 18, designated 20
    P2 submitted 1, returned 4, submitted 10, in review 11, panel formed 12, convened 12.5
    intake          P1 2, P2 3 + 1 = 4             median 3.0, 2 proposals
    awaiting panel  P1 3, P2 1 (from its last entry into review)   median 2.0
    forming         P1 1, P2 0.5                   median 0.8 (0.75, half up)
    conflicts       P1 2; P2 still there           median 2.0, 1 in the stage now
    scoring         P1 10                          median 10.0
    determination   P1 2                           median 2.0
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

# Outcomes, in the order the report shows them (key, label).
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("in_intake", "In intake"),
    ("awaiting_panel", "In review, awaiting a panel"),
    ("in_evaluation", "In evaluation"),
    ("deferred", "Deferred"),
    ("designated", "Designated"),
    ("not_designated", "Not designated"),
    ("declined", "Declined"),
    ("withdrawn", "Withdrawn"),
)
OUTCOME_LABELS = dict(OUTCOMES)

# Stages, in the order a proposal passes them (key, label, track, state).
STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("intake", "Intake (submitted to accepted or returned)", "proposal", "submitted"),
    ("awaiting_panel", "In review, awaiting a panel", "", ""),
    ("forming", "Panel forming", "panel", "forming"),
    ("conflicts", "Declaring conflicts", "panel", "conflicts"),
    ("scoring", "Scoring", "panel", "scoring"),
    ("determination", "Awaiting the determination", "panel", "determination"),
    ("deferred", "Deferred", "panel", "deferred"),
)

PANEL_OPEN = frozenset({"forming", "conflicts", "scoring", "determination"})
TENTH = Decimal("0.1")
DAY = timedelta(days=1)


def report_outcome(*, submitted: bool, proposal_status: str, panel_status: str | None) -> str | None:
    """Where a proposal stands for the report (see the module's rule); None if it was never received."""
    if not submitted:
        return None
    if panel_status in ("designated", "not_designated"):
        return panel_status
    if proposal_status in ("withdrawn", "declined"):
        return proposal_status
    if panel_status == "deferred":
        return "deferred"
    if panel_status in PANEL_OPEN:
        return "in_evaluation"
    if proposal_status in ("in_review", "approved"):
        return "awaiting_panel"
    return "in_intake"


def outcome_counts(rows: Iterable[tuple[bool, str, str | None, int]]) -> tuple[int, dict[str, int]]:
    """(received, {outcome: count}) from grouped rows of (submitted, proposal status, panel status, n).
    Every outcome has a count, zero included, in the report's order."""
    counts = dict.fromkeys(OUTCOME_LABELS, 0)
    for submitted, proposal_status, panel_status, n in rows:
        outcome = report_outcome(
            submitted=submitted, proposal_status=proposal_status, panel_status=panel_status
        )
        if outcome is not None:
            counts[outcome] += n
    return sum(counts.values()), counts


@dataclass(frozen=True)
class StageEvent:
    """One state change from the audit trail: `track` is "proposal" or "panel"."""

    proposal_id: int
    at: datetime
    track: str
    from_state: str
    to_state: str


@dataclass(frozen=True)
class StageFigure:
    key: str
    label: str
    median_days: Decimal | None  # None: no proposal has finished the stage yet
    proposals: int  # proposals whose time in the stage is finished (the median's count)
    in_stage_now: int

    @property
    def not_yet(self) -> str:
        """Why there is no median (empty when there is one)."""
        if self.median_days is not None:
            return ""
        if self.in_stage_now:
            return "Not yet: no proposal has left this stage."
        return "Not yet: no proposal has reached this stage."


def _days(span: timedelta) -> Decimal:
    return Decimal(span.total_seconds()) / Decimal(DAY.total_seconds())


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


STAGE_OF = {(track, state): key for key, _, track, state in STAGES if track}


def _proposal_stage_days(events: Sequence[StageEvent]) -> tuple[dict[str, Decimal], set[str]]:
    """One proposal's finished days per stage, and the stages it is in now."""
    days: dict[str, Decimal] = {}
    entered: dict[str, tuple[str, datetime]] = {}  # track -> (state, since)
    review_since: datetime | None = None
    panel_formed = False
    for event in events:
        current = entered.get(event.track)
        if current is not None and current[0] == event.to_state:
            continue  # entering the state it is in (a panel re-formed while forming): the visit goes on
        if current is not None and (key := STAGE_OF.get((event.track, current[0]))) is not None:
            days[key] = days.get(key, Decimal(0)) + _days(event.at - current[1])
        entered[event.track] = (event.to_state, event.at)
        if event.track == "proposal" and event.to_state == "in_review" and not panel_formed:
            review_since = event.at
        if event.track == "panel" and not panel_formed:
            panel_formed = True
            if review_since is not None:
                days["awaiting_panel"] = _days(event.at - review_since)
    now = {STAGE_OF[(track, state)] for track, (state, _) in entered.items() if (track, state) in STAGE_OF}
    if not panel_formed and entered.get("proposal", ("", None))[0] == "in_review":
        now.add("awaiting_panel")
    return days, now


def stage_days(events: Iterable[StageEvent]) -> list[StageFigure]:
    """Median days per stage over proposals (see the module's rule). `events` in time order per proposal
    (any interleaving of proposals)."""
    by_proposal: dict[int, list[StageEvent]] = {}
    for event in events:
        by_proposal.setdefault(event.proposal_id, []).append(event)
    done: dict[str, list[Decimal]] = {key: [] for key, *_ in STAGES}
    now: dict[str, int] = dict.fromkeys(done, 0)
    for proposal_events in by_proposal.values():
        days, current = _proposal_stage_days(proposal_events)
        for key, value in days.items():
            if key not in current:
                done[key].append(value)
        for key in current:
            now[key] += 1
    return [
        StageFigure(
            key=key,
            label=label,
            median_days=_tenth(Decimal(median(done[key]))) if done[key] else None,
            proposals=len(done[key]),
            in_stage_now=now[key],
        )
        for key, label, _, _ in STAGES
    ]


def bar_widths(values: Sequence[int | Decimal], *, width: int) -> list[int]:
    """Widths of stacked bar segments in whole units that add up to exactly `width` (largest remainder
    first), or all zero when every value is zero. A segment with a value is at least 1 unit wide, so no
    counted outcome disappears from the chart."""
    total = sum(values)
    if total <= 0:
        return [0] * len(values)
    exact = [Decimal(v) * width / Decimal(total) for v in values]
    widths = [int(x) for x in exact]
    order = sorted(range(len(values)), key=lambda i: exact[i] - widths[i], reverse=True)
    for i in order[: width - sum(widths)]:
        widths[i] += 1
    for i, value in enumerate(values):
        if value and not widths[i]:
            widths[i] = 1
            widest = max(range(len(widths)), key=lambda j: widths[j])
            widths[widest] -= 1
    return widths


def scaled_widths(values: Sequence[Decimal | int | None], *, width: int) -> list[int]:
    """Widths of side-by-side bars on one scale (the largest value is `width`); None draws nothing."""
    largest = max((v for v in values if v is not None), default=0)
    if not largest:
        return [0] * len(values)
    return [
        int((Decimal(v) * width / Decimal(largest)).to_integral_value(ROUND_HALF_UP)) if v else 0
        for v in values
    ]
