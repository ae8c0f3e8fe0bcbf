"""Rules every area shares (pure: no models, no database): when an edit is stale (here), and the one
text rule (text.py)."""


def edit_is_stale(*, expected: int | None, saved: int) -> bool:
    """An edit that names the version it started from is stale when the saved row has moved on.

    No named version (an older client, a form opened before versions existed) is not stale: the API
    documents that If-Match and `version` are optional; sending either makes the save safe.
    """
    return expected is not None and expected != saved
