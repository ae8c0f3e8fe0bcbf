"""System checks: the trusted-proxy setting that sign-in lockout keys on, against the deployment's shape."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from accounts.lockout import trusted_proxy_networks

PROXY_HELP = (
    "Set EXPORTAI_TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For in front "
    "of gunicorn (0 when clients reach gunicorn directly), and EXPORTAI_TRUSTED_PROXIES to their "
    "addresses; see docs/security.md."
)


@register(Tags.security)
def check_trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Warn when the proxy count contradicts the other proxy settings (lockout would key on the wrong
    address: one shared by everyone, or one the client writes itself)."""
    problems: list[Any] = []
    count = settings.EXPORTAI_TRUSTED_PROXY_COUNT
    behind_tls_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if not isinstance(count, int) or count < 0:
        problems.append(
            Error("EXPORTAI_TRUSTED_PROXY_COUNT must be 0 or more.", hint=PROXY_HELP, id="accounts.E001")
        )
        return problems
    try:
        networks = trusted_proxy_networks()
    except ValueError as exc:
        problems.append(Error(f"EXPORTAI_TRUSTED_PROXIES: {exc}.", hint=PROXY_HELP, id="accounts.E002"))
        networks = []
    if count == 0 and behind_tls_proxy and not settings.DEBUG:
        problems.append(
            Warning(
                "SECURE_PROXY_SSL_HEADER says a proxy terminates TLS, but EXPORTAI_TRUSTED_PROXY_COUNT is "
                "0: sign-in lockout would count every client under the proxy's one address, and five "
                "failures would lock everyone out.",
                hint=PROXY_HELP,
                id="accounts.W001",
            )
        )
    if count > 0 and not behind_tls_proxy:
        problems.append(
            Warning(
                f"EXPORTAI_TRUSTED_PROXY_COUNT is {count} but SECURE_PROXY_SSL_HEADER is not set: with no "
                "proxy in front, any client chooses the address lockout counts by sending "
                "X-Forwarded-For.",
                hint=PROXY_HELP,
                id="accounts.W002",
            )
        )
    if count > 0 and not networks and not settings.DEBUG and not problems:
        problems.append(
            Warning(
                f"EXPORTAI_TRUSTED_PROXY_COUNT is {count} and EXPORTAI_TRUSTED_PROXIES is empty: "
                "X-Forwarded-For is believed from any peer, so a client reaching gunicorn without the "
                "proxy chooses the address lockout counts.",
                hint=PROXY_HELP,
                id="accounts.W004",
            )
        )
    if networks and count == 0:
        problems.append(
            Warning(
                "EXPORTAI_TRUSTED_PROXIES is set but EXPORTAI_TRUSTED_PROXY_COUNT is 0: the proxies' "
                "X-Forwarded-For is ignored.",
                hint=PROXY_HELP,
                id="accounts.W003",
            )
        )
    return problems
