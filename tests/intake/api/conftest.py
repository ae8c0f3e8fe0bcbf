"""API test helpers: clients signed in as each kind of user, uploads kept out of the worktree."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def as_lead(lead) -> APIClient:
    return _client_for(lead)


@pytest.fixture
def as_editor(editor) -> APIClient:
    return _client_for(editor)


@pytest.fixture
def as_viewer(viewer) -> APIClient:
    return _client_for(viewer)


@pytest.fixture
def as_outsider(outsider) -> APIClient:
    return _client_for(outsider)


@pytest.fixture
def draft(consortium, lead):
    """A bare draft of the test consortium, through the drafting service."""
    from proposals.intake.services.drafting import proposal_create

    return proposal_create(consortium=consortium, actor=lead, title="Kenya AI Hub", target_countries=["KE"])
