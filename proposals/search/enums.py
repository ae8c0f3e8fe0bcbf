"""The lists that have a search box and saved filters."""

from django.db import models


class SearchList(models.TextChoices):
    PROPOSALS = "proposals", "Proposals"
    COMMERCE_QUEUE = "commerce_queue", "Commerce review queue"
    EXIM_PIPELINE = "exim_pipeline", "EXIM pipeline"
