"""The content security policy on every kind of page, and production settings passing `check --deploy`."""

import re
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.security.production import ROOT, printed_in_production, production_env

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: set(values) for name, *values in directives}


@pytest.mark.parametrize("url_name", ["home", "login", "api-docs"])
def test_pages_carry_the_strict_policy(client, url_name):
    response = client.get(reverse(url_name))

    policy = _policy(response)
    assert response.status_code == 200
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["object-src"] == {"'none'"}


def test_redoc_alone_may_use_inline_style(client):
    policy = _policy(client.get(reverse("api-redoc")))

    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}  # ReDoc injects <style> elements
    assert policy["script-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}


def test_docs_pages_request_nothing_from_outside(client):
    for url_name in ("api-docs", "api-redoc"):
        html = client.get(reverse(url_name)).content.decode()
        assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []


def test_api_responses_carry_the_policy(api_client):
    assert "frame-ancestors 'none'" in api_client.get("/api/schema/")["Content-Security-Policy"]


def test_swagger_init_script_is_served_from_our_origin(client):
    page = client.get(reverse("api-docs")).content.decode()
    script = client.get(reverse("api-docs") + "?script=")

    assert '<script src="/api/docs/?script="></script>' in page
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"


@pytest.mark.parametrize("url_name", ["home", "login", "api-docs", "api-redoc"])
def test_pages_have_no_inline_script_or_style(client, url_name):
    html = client.get(reverse(url_name)).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"<style\b", html) == []
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []


def test_htmx_is_configured_not_to_inject_styles(client):
    html = client.get(reverse("home")).content.decode()

    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in html
    )


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(ALLOWED_HOSTS="portal.example.gov"),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_values():
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.X_FRAME_OPTIONS, repr(s.EXPORTAI_DEMO_TOTP_SECRET))"
    )
    assert printed_in_production(code) == "31536000 True True True True DENY ''"
