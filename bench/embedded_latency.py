"""Submission -> license gates under `make run`'s embedded defaults: SQLite, the filesystem broker, one
worker with beat (-c 2, every queue, as scripts/run.sh starts it), with 100 proposals in review.

Runs in a folder of its own (a fresh SQLite database and broker folder, never var/ of a checkout):

    .venv/bin/python -m bench.embedded_latency [--in-review 100] [--samples 5] [--json]

Prints, for each sample, the seconds from the submission's commit (what the web request does) until the
proposal is in review and until its license gates exist; `make bench` runs it (bench_embedded.py).
Figures only: nothing here fails on time.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEADLINE = 600


def _environment(folder: Path) -> dict[str, str]:
    """`make run`'s defaults, in `folder`: only what run.sh's environment leaves unset is chosen here."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT", "CACHE_URL")
        and not key.startswith(("EXPORTAI_", "CELERY_", "PYTEST", "DJANGO_"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "exportai.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "EXPORTAI_BROKER_DIR": str(folder / "broker"),
        "CACHE_URL": f"filecache://{folder / 'cache'}",
        "MEDIA_ROOT": str(folder / "media"),
        "PYTHONUNBUFFERED": "1",
    }


def _child(args: argparse.Namespace) -> None:
    """In the embedded environment: seed, start the worker, drain the backlog, then measure."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Exists, OuterRef

    from proposals.commerce.models import LicenseGate
    from proposals.core.enums import ProposalStatus
    from proposals.demo import build_complete_proposal
    from proposals.intake.models.consortium import Consortium
    from proposals.intake.models.proposal import Proposal
    from proposals.intake.services.transitions import proposal_transition

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    consortium = Consortium.objects.order_by("pk").first()
    lead = consortium.users.filter(role="lead").select_related("user").first().user

    def submit(title: str) -> int:
        proposal = build_complete_proposal(consortium=consortium, lead=lead, title=title)
        proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
        return proposal.pk

    def gated(proposal_id: int) -> bool:
        return LicenseGate.objects.filter(proposal_id=proposal_id).exists()

    def in_review(proposal_id: int) -> bool:
        return Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.IN_REVIEW).exists()

    backlog = [submit(f"Backlog proposal {n}") for n in range(args.in_review)]
    worker = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "celery"),
            "-A",
            "exportai",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=2",
            "-Q",
            "intake,commerce,exim,documents,notify",
            "--schedule",
            str(Path(args.folder) / "celerybeat-schedule"),
        ],
        cwd=BASE_DIR,
        stdout=open(Path(args.folder) / "worker.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        started = time.monotonic()
        queues = Path(os.environ["EXPORTAI_BROKER_DIR"]) / "queues"
        while Proposal.objects.filter(pk__in=backlog).filter(
            Exists(LicenseGate.objects.filter(proposal=OuterRef("pk")))
        ).count() < len(backlog) or any(queues.iterdir()):
            if time.monotonic() - started > DEADLINE or worker.poll() is not None:
                raise SystemExit(f"backlog not drained; see {args.folder}/worker.log")
            time.sleep(0.2)
        drained = time.monotonic() - started
        reviewing = Proposal.objects.filter(status=ProposalStatus.IN_REVIEW).count()
        samples = []
        for n in range(args.samples):
            proposal = build_complete_proposal(consortium=consortium, lead=lead, title=f"Measured {n}")
            t0 = time.monotonic()
            proposal_transition(proposal_id=proposal.pk, action="submit", actor=lead)
            review_at = gates_at = None
            while gates_at is None:
                now = time.monotonic() - t0
                if review_at is None and in_review(proposal.pk):
                    review_at = now
                if gated(proposal.pk):
                    gates_at = now
                    review_at = review_at if review_at is not None else now
                if now > DEADLINE:
                    raise SystemExit(f"no license gates after {DEADLINE} s; see {args.folder}/worker.log")
                time.sleep(0.01)
            samples.append({"review": review_at, "gates": gates_at})
            # Let the rest of its fan-out (screening, EXIM, dossier) finish before the next sample.
            while any(queues.iterdir()):
                time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    print(
        json.dumps(
            {
                "in_review": reviewing,
                "backlog_seconds": drained,
                "backlog_proposals": len(backlog),
                "samples": samples,
            }
        )
    )


def measure(*, in_review: int = 100, samples: int = 5) -> dict:
    """Run the measurement in a fresh folder; returns the child's figures."""
    folder = Path(tempfile.mkdtemp(prefix="exportai-embedded-"))
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.embedded_latency",
                "--child",
                "--folder",
                str(folder),
                "--in-review",
                str(in_review),
                "--samples",
                str(samples),
            ],
            cwd=BASE_DIR,
            env=_environment(folder),
            capture_output=True,
            text=True,
            timeout=DEADLINE * 3,
        )
        if out.returncode:  # the folder (database, worker.log) is kept to look into
            raise RuntimeError(f"embedded latency run failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    except BaseException:
        print(f"embedded latency: kept {folder}", file=sys.stderr)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-review", type=int, default=100)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    load_start = os.getloadavg()
    result = measure(in_review=args.in_review, samples=args.samples)
    result["loadavg"] = {"start": load_start, "end": os.getloadavg()}
    if args.json:
        print(json.dumps(result))
        return
    gates = [s["gates"] for s in result["samples"]]
    review = [s["review"] for s in result["samples"]]
    print(
        f"{result['in_review']} proposals in review (backlog of {result['backlog_proposals']} drained in "
        f"{result['backlog_seconds']:.1f} s)\n"
        f"submission -> in review:     median {statistics.median(review):.2f} s, max {max(review):.2f} s\n"
        f"submission -> license gates: median {statistics.median(gates):.2f} s, max {max(gates):.2f} s "
        f"(goal <= 3 s)\n"
        "load average at start {:.2f} {:.2f} {:.2f}, end {:.2f} {:.2f} {:.2f}".format(
            *result["loadavg"]["start"], *result["loadavg"]["end"]
        )
    )


if __name__ == "__main__":
    main()
