"""Benchmark: the streamed pipeline CSV keeps memory flat as rows grow (peak Python allocations).

Prints figures and ratios against a baseline measured in the same run; never fails on time or size.
"""

import time
import tracemalloc
from decimal import Decimal

import pytest

from accounts.models import Agency, User
from proposals.core.enums import DealStage, EximProduct
from proposals.core.models.reference import Country
from proposals.exim.models import Deal
from proposals.exim.selectors import pipeline_csv_lines, pipeline_queryset
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import Proposal
from proposals.intake.services.calls import first_call_seed

# Past two chunks of the server-side cursor (CSV_CHUNK_SIZE rows each) the peak should stay put.
SMALL, BASE, BIG = 500, 5000, 10000


def _seed(n: int) -> None:
    consortium = Consortium.objects.create(name="Bench consortium")
    Country.objects.get_or_create(
        code="AE", defaults={"name": "United Arab Emirates", "region": "Middle East"}
    )
    call = first_call_seed()
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(consortium=consortium, call=call, title=f"Bench proposal {i}", revision_number=1)
            for i in range(n)
        ]
    )
    terms = {
        "financed_amount": "68000000.00",
        "term_class": "long",
        "findings": [{"message": "x" * 200}] * 12,
    }
    Deal.objects.bulk_create(
        [
            Deal(
                proposal=p,
                stage=DealStage.DUE_DILIGENCE,
                amount=Decimal("68000000"),
                product=EximProduct.DIRECT_LOAN,
                destination_id="AE",
                terms=terms,
            )
            for p in proposals
        ]
    )


def _measure(officer: User, rows: int, *, stream: bool) -> tuple[int, float, int]:
    qs = pipeline_queryset(officer).order_by("pk")[:rows]

    def consume() -> int:
        if stream:
            return sum(len(line) for line in pipeline_csv_lines(qs.all()))
        # The naive way, for contrast: every line in memory, then one string.
        return len("".join(list(pipeline_csv_lines(qs.all()))))

    started = time.perf_counter()  # timed without tracemalloc, which slows Python several times
    size = consume()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    consume()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, elapsed, size


@pytest.mark.django_db
def test_bench_pipeline_csv_memory_stays_flat():
    _seed(BIG)
    officer = User.objects.create(username="bench-exim", agency=Agency.EXIM)
    small_peak, _, _ = _measure(officer, SMALL, stream=True)
    base_peak, base_time, _ = _measure(officer, BASE, stream=True)
    big_peak, big_time, big_size = _measure(officer, BIG, stream=True)
    joined_peak, _, _ = _measure(officer, BIG, stream=False)
    # The peak rises while the first chunks of the server-side cursor fill, then stays put.
    print(
        f"\nEXIM pipeline CSV, streamed: {SMALL} rows peak {small_peak / 1024:.0f} KiB; "
        f"{BASE} rows peak {base_peak / 1024:.0f} KiB in {base_time:.2f}s; "
        f"{BIG} rows peak {big_peak / 1024:.0f} KiB in {big_time:.2f}s ({big_size / 1024:.0f} KiB of CSV, "
        f"{BIG / big_time:.0f} rows/s)"
        f"\n  peak ratio {BIG}/{BASE} rows: {big_peak / base_peak:.2f} (rows ratio {BIG / BASE:.0f})"
        f"\n  {BIG} rows joined in memory instead: peak {joined_peak / 1024:.0f} KiB "
        f"({joined_peak / big_peak:.1f}x the streamed peak)"
    )
