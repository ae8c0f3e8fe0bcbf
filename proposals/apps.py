"""App configuration for the proposals domain."""

from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "ExportAI proposals"

    def ready(self) -> None:
        from proposals.core import signals  # noqa: PLC0415 (its receivers need the loaded models)
        from proposals.core.web.context import NAV_PROVIDERS  # noqa: PLC0415 (as above)
        from proposals.notify.web import notification_links  # noqa: PLC0415 (as above)

        signals.connect()
        NAV_PROVIDERS.append(notification_links)
