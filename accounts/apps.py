"""App configuration for accounts."""

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Imported once every app's models are loaded: checks and receivers register as they import.
        from accounts import checks, signals  # noqa: F401, PLC0415
        from proposals.core.web.context import NAV_PROVIDERS, NavItem  # noqa: PLC0415
        from proposals.core.web.paths import named_path  # noqa: PLC0415

        NAV_PROVIDERS.append(_token_links(NavItem, named_path))


def _token_links(nav_item: type, named_path: Callable[[str], str]) -> Any:
    """Every signed-in user may hold API tokens: a link to their list, last in the navigation."""

    def links(user: Any) -> list[Any]:
        return [nav_item("API tokens", named_path("account-tokens"))]

    return links
