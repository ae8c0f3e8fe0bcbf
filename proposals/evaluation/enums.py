"""The evaluation track's states and choices."""

from django.db import models


class PanelStatus(models.TextChoices):
    FORMING = "forming", "Forming"
    CONFLICTS = "conflicts", "Declaring conflicts"
    SCORING = "scoring", "Scoring"
    DETERMINATION = "determination", "Awaiting determination"
    DESIGNATED = "designated", "Designated a priority AI export package"
    NOT_DESIGNATED = "not_designated", "Not designated"
    DEFERRED = "deferred", "Deferred"


DECIDED_PANEL_STATUSES = frozenset({PanelStatus.DESIGNATED, PanelStatus.NOT_DESIGNATED})
OPEN_PANEL_STATUSES = frozenset(set(PanelStatus) - DECIDED_PANEL_STATUSES)
