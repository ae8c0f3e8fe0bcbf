"""The uploads API's tests sign in through these clients."""

from tests.fixtures.api import as_editor, as_lead, as_outsider, as_viewer, draft  # noqa: F401 (fixtures)
