"""A version number on every object people edit, for optimistic concurrency (core.services.concurrency)."""

from django.db import models


class Versioned(models.Model):
    """Abstract: `version` counts the accepted saves of the object's own editable fields.

    An edit names the version it started from (a hidden form field, the API's If-Match or `version`);
    the write path refuses it when the row has moved on, so no save silently reverts another.
    """

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one with every accepted edit; an edit made from an older version is refused.",
    )

    class Meta:
        abstract = True
