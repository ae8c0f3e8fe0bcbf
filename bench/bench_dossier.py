"""Dossier rendering speed: a 500-item proposal against a one-page PDF rendered in the same run.

Prints wall and CPU time (the machine may be shared: CPU time is what the render itself costs),
the page count and the ratio to the baseline; never fails on time. Goal: the dossier under 5 s.
"""

import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from proposals.core.enums import GeneratedKind, Layer
from proposals.demo import build_complete_proposal
from proposals.documents.models import GeneratedDocument
from proposals.documents.papers import PAPERS
from proposals.documents.papers.render import render_pdf
from proposals.documents.services.generated import generated_render, paper_context
from proposals.intake.models.proposal import LineItem
from proposals.intake.services.transitions import proposal_transition
from tests.conftest import _fast_password_hashing, consortium, lead, reference_data  # noqa: F401

pytestmark = pytest.mark.django_db

ITEMS = 500
RUNS = 3
DESCRIPTIONS = (
    "Data-center AI accelerator, 141 GB HBM3e",
    "8-accelerator AI server, liquid cooled",
    "All-flash parallel storage shelf",
    "Sovereign cloud control plane subscription",
    "800G InfiniBand-class switch",
    "Clinical language model deployment",
)


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _median(samples: list[tuple[float, float, Any]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def test_bench_dossier_500_items(consortium, lead, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    proposal = build_complete_proposal(consortium=consortium, lead=lead, title="Bench 500-item cluster")
    site = proposal.sites.get()
    layers = list(Layer.values)
    LineItem.objects.bulk_create(
        LineItem(
            proposal=proposal,
            layer=layers[n % len(layers)],
            description=f"{DESCRIPTIONS[n % len(layers)]}, lot {n:03d}",
            manufacturer="Atlas Compute Systems Inc.",
            origin_country_id="US",
            eccn="5A992.c",
            quantity=1 + n % 16,
            unit_value=Decimal(1000 + 37 * n),
            us_origin_value=(Decimal(1000 + 37 * n) * (1 + n % 16) * Decimal("0.8")).quantize(
                Decimal("0.01")
            ),
            site=site,
        )
        for n in range(ITEMS - proposal.line_items.count())
    )
    proposal = proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
    paper = PAPERS[GeneratedKind.DOSSIER]

    render_pdf("pdf/base.html", {"title": "warm-up"})  # loads WeasyPrint and the fonts once
    baseline = [_timed(lambda: render_pdf("pdf/base.html", {"title": "One page"})) for _ in range(RUNS)]
    context_wall, context_cpu, context = _timed(lambda: paper_context(paper, proposal, 0))
    assert context is not None and context["totals"]["count"] == ITEMS
    renders = [_timed(lambda: render_pdf(paper.template, context)) for _ in range(RUNS)]
    pdf = renders[0][2]
    task_wall, task_cpu, outcome = _timed(
        lambda: generated_render(proposal_id=proposal.pk, kind=GeneratedKind.DOSSIER)
    )
    assert outcome == "rendered"
    assert GeneratedDocument.objects.get().page_count == pdf.page_count

    base_wall, base_cpu = _median(baseline)
    wall, cpu = _median(renders)
    print(
        f"\nbench_dossier: {ITEMS} line items -> {pdf.page_count} pages, {len(pdf.content) / 1024:.0f} KiB"
        f"\n  dossier render, median of {RUNS}:   wall {wall:6.2f} s   cpu {cpu:6.2f} s   [goal < 5 s]"
        f"\n  baseline one-page PDF, median:   wall {base_wall:6.2f} s   cpu {base_cpu:6.2f} s"
        f"\n  ratio dossier / one page:        wall {wall / base_wall:6.1f}x   cpu {cpu / base_cpu:6.1f}x"
        f"\n  context (snapshot + findings):   wall {context_wall:6.2f} s   cpu {context_cpu:6.2f} s"
        f"\n  worker task end to end:          wall {task_wall:6.2f} s   cpu {task_cpu:6.2f} s"
        f"\n  per page:                        cpu {cpu / pdf.page_count * 1000:6.0f} ms"
    )
