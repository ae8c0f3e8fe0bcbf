"""The uploads pages' tests sign in through these clients."""

from tests.fixtures.web import (  # noqa: F401 (fixtures)
    draft,
    editor_client,
    lead_client,
    outsider_client,
    viewer_client,
)
