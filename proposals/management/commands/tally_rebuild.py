"""Recount the proposals per state (after a bulk load with triggers off, or a partial restore)."""

from typing import Any

from django.core.management.base import BaseCommand

from proposals.intake.selectors import proposal_tally_drift
from proposals.intake.services.tally import proposal_tally_rebuild


class Command(BaseCommand):
    help = "Recount the proposals per state kept for list totals (models.ProposalTally)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Only report drift; exit 1 if any.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        drift = proposal_tally_drift()
        for (status, submitted), (kept, counted) in sorted(drift.items()):
            kind = "submitted" if submitted else "never submitted"
            self.stdout.write(f"{status} ({kind}): tally {kept}, proposals {counted}")
        if check:
            if drift:
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("The tally matches the proposals."))
            return
        counted = proposal_tally_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Recounted {counted} proposals."))
