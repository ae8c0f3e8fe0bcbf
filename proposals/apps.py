"""App configuration for the proposals domain."""

from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "ExportAI proposals"

    def ready(self) -> None:
        from proposals.core import signals  # noqa: PLC0415 (its receivers need the loaded models)

        signals.connect()
