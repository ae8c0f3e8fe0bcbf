"""Fixtures for the web tests: signed-in clients, a bare draft, and uploads kept in a temporary folder."""

import pytest
from django.test import Client

from proposals.intake.models.proposal import Proposal
from tests.factories import ProposalFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploaded files go to a per-test folder, so a test can see exactly what was left behind."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft(consortium, lead) -> Proposal:
    """A bare draft of the test consortium (fails most checks)."""
    return ProposalFactory(consortium=consortium, title="Bare draft", created_by=lead)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lead_client(lead) -> Client:
    return signed_in(lead)


@pytest.fixture
def editor_client(editor) -> Client:
    return signed_in(editor)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return signed_in(viewer)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return signed_in(outsider)
