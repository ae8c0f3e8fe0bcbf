"""Automated intake throughput on real workers, against a no-op task on the same broker and workers.

2,000 submitted proposals (frozen revisions made in bulk; one in five fails the server's check and is
returned, the rest go into review and fan out to Commerce and EXIM) are processed by two worker
processes consuming the `intake` queue of the real broker. In the same run, the same two workers run
2,000 no-op tasks before and after; the figure to watch is the ratio of the two rates (goal: 0.3 or
better). Prints the figures; never fails on time.
"""

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.harness import RESULTS
from bench.noop import intake_noop
from proposals.core.enums import ConsortiumUserRole, DocumentCategory, Layer, MemberRole, ProposalStatus
from proposals.core.models.audit import AuditEvent
from proposals.core.services.reference import reference_data_load
from proposals.demo import build_complete_proposal
from proposals.intake.models.proposal import Proposal, Revision
from proposals.intake.selectors import completeness_rules, proposal_snapshot
from proposals.intake.services.calls import first_call_seed
from proposals.intake.services.intake import intake_check
from proposals.intake.tasks import intake_check_proposal
from tests.celery_worker import WorkerProcess, broker_backlog, broker_is_redis, broker_purge, wait_until
from tests.factories import ConsortiumFactory, ConsortiumUserFactory, MemberFactory

DATA = Path(__file__).resolve().parent.parent / "data"

PROPOSALS = 2000
NOOPS = 2000
RETURN_EVERY = 5  # one proposal in five is returned by intake
DEADLINE = 900
# Workers run as in production (.env.example): no DEBUG (which records every query), and database
# connections kept between tasks.
PRODUCTION_ENV = {"DEBUG": "false", "CONN_MAX_AGE": "60"}


def _seed(consortium, lead) -> list[int]:
    """PROPOSALS submitted proposals with frozen revision 1, in two bulk inserts."""
    template = proposal_snapshot(build_complete_proposal(consortium=consortium, lead=lead, title="Template"))
    incomplete = {
        **template,
        "documents": [d for d in template["documents"] if d["category"] != DocumentCategory.FINANCIAL],
    }
    now = timezone.now()
    call = first_call_seed()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            consortium=consortium,
            call=call,
            title=f"Bench proposal {n}",
            status=ProposalStatus.SUBMITTED,
            status_changed_at=now,
            revision_number=1,
            created_by=lead,
        )
        for n in range(PROPOSALS)
    )
    Revision.objects.bulk_create(
        Revision(
            proposal=p,
            number=1,
            snapshot={**(incomplete if n % RETURN_EVERY == 0 else template), "id": p.pk, "title": p.title},
            created_by=lead,
        )
        for n, p in enumerate(proposals)
    )
    return [p.pk for p in proposals]


def _intake_waiting() -> bool:
    backlog = broker_backlog()
    return backlog["intake"] + backlog["unacked"] > 0


def _run_noops(count: int = NOOPS) -> float:
    """Publish `count` no-op tasks and return tasks per second until all are run and acknowledged."""
    started = time.perf_counter()
    for n in range(count):
        intake_noop.apply_async(kwargs={"proposal_id": n}, queue="intake")
    wait_until(lambda: not _intake_waiting(), timeout=DEADLINE, message="no-op tasks", interval=0.05)
    return count / (time.perf_counter() - started)


@contextmanager
def _own_database(django_db_blocker: Any) -> Iterator[None]:
    """A fresh, migrated database of this run's own (never the bench's seeded one, never a test one),
    dropped afterwards; the worker processes are pointed at it."""
    with django_db_blocker.unblock():
        old_name = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_intake_{os.getpid()}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _consortium_and_lead() -> tuple[Any, Any]:
    reference_data_load(groups_csv=DATA / "country_groups.csv", countries_csv=DATA / "countries.csv")
    consortium = ConsortiumFactory(name="Bench intake consortium")
    MemberFactory(consortium=consortium, role=MemberRole.ANCHOR, layers=[Layer.CHIPS, Layer.SERVERS])
    MemberFactory(
        consortium=consortium, layers=[Layer.CLOUD, Layer.STORAGE, Layer.NETWORKING, Layer.APPLICATION]
    )
    lead = ConsortiumUserFactory(
        consortium=consortium, role=ConsortiumUserRole.LEAD, user__username="bench.lead"
    ).user
    return consortium, lead


def bench_intake_throughput_against_noop_baseline(django_db_blocker: Any) -> None:
    if not broker_is_redis():
        print("\nbench_intake: skipped, needs a Redis broker (CELERY_BROKER_URL=redis://...)")
        return
    with _own_database(django_db_blocker), _workers() as workers:
        _run(workers)


@contextmanager
def _workers() -> Iterator[list[WorkerProcess]]:
    broker_purge()
    started: list[WorkerProcess] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()
        broker_purge()


def _run(workers: list[WorkerProcess]) -> None:
    consortium, lead = _consortium_and_lead()
    ids = _seed(consortium, lead)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    for _ in range(2):
        worker = WorkerProcess(
            queues=("intake",),
            concurrency=1,
            extra_args=("-I", "bench.noop"),
            env=PRODUCTION_ENV,
            log_dir=log_dir,
        )
        workers.append(worker)
        worker.start()
    # Warm up: every pool process imports its code and opens its connections before the clock starts.
    _run_noops(200)

    noop_before = _run_noops()

    started = time.perf_counter()
    for proposal_id in ids:
        intake_check_proposal.apply_async(kwargs={"proposal_id": proposal_id})
    wait_until(
        lambda: (
            not Proposal.objects.filter(status=ProposalStatus.SUBMITTED).exists() and not _intake_waiting()
        ),
        timeout=DEADLINE,
        message="intake of every proposal",
        interval=0.1,
    )
    intake_rate = PROPOSALS / (time.perf_counter() - started)

    noop_after = _run_noops()
    noop_rate = (noop_before + noop_after) / 2

    # Correctness of the run (not timing): every proposal moved once, as its revision dictates.
    returned = len(range(0, PROPOSALS, RETURN_EVERY))
    assert Proposal.objects.filter(status=ProposalStatus.RETURNED).count() == returned
    assert Proposal.objects.filter(status=ProposalStatus.IN_REVIEW).count() == PROPOSALS - returned
    assert (
        AuditEvent.objects.filter(action__in=("accept_for_review", "return_incomplete")).count() == PROPOSALS
    )
    fan_out = broker_backlog()
    broker_purge()

    # Queries one intake makes, measured in this process on a fresh submitted proposal, with the rules
    # already read (as in a worker that read them less than EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS ago).
    probe = _seed_one_more(consortium, lead)
    completeness_rules()
    with (
        override_settings(EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS=60),
        CaptureQueriesContext(connection) as queries,
    ):
        intake_check(proposal_id=probe)

    ratio = intake_rate / noop_rate
    RESULTS.add(
        "Workers",
        f"Intake vs the no-op task ({PROPOSALS} proposals, {len(workers)} workers -c 1, Redis, same run)",
        f"{intake_rate:.1f} proposals/s ({len(queries)} SQL queries each)",
        baseline=f"no-op {noop_rate:.0f} tasks/s (before {noop_before:.0f}, after {noop_after:.0f})",
        ratio=f"{ratio:.2f}",
        goal=">= 0.3",
        met="yes" if ratio >= 0.3 else "no",
    )
    print(
        f"\n\nbench_intake: {PROPOSALS} submitted proposals ({returned} returned, {PROPOSALS - returned} "
        f"into review with Commerce and EXIM fan-out)\n"
        f"  broker {connection.settings_dict['ENGINE'].rsplit('.', 1)[-1]} db + "
        f"{os.environ.get('CELERY_BROKER_URL', 'default broker')}; "
        f"{len(workers)} worker processes (-c 1 each, queue intake); {os.cpu_count()} CPUs on this machine\n"
        f"  intake:        {intake_rate:8.1f} proposals/s\n"
        f"  no-op task:    {noop_rate:8.1f} tasks/s (before {noop_before:.1f}, after {noop_after:.1f})\n"
        f"  ratio:         {ratio:8.2f}  (goal >= 0.3)\n"
        f"  per intake:    {len(queries)} SQL queries (2 more when a worker re-reads the rules), "
        "2 messages published in one batch when accepted\n"
        f"  fan-out left:  commerce {fan_out['commerce']}, exim {fan_out['exim']} messages (purged)\n"
    )


def _seed_one_more(consortium, lead) -> int:
    template = Revision.objects.order_by("pk").values_list("snapshot", flat=True).last()
    proposal = Proposal.objects.create(
        consortium=consortium,
        call=first_call_seed(),
        title="Probe",
        status=ProposalStatus.SUBMITTED,
        revision_number=1,
    )
    Revision.objects.create(proposal=proposal, number=1, snapshot={**template, "id": proposal.pk})
    return proposal.pk
