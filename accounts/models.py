"""The portal's user: a Django user with the agency it works for (if any).

Consortium users carry no agency; what they may do comes from their consortium memberships
(proposals.intake.models.consortium.ConsortiumUser).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Agency(models.TextChoices):
    NONE = "", "Consortium (industry)"
    COMMERCE = "commerce", "Department of Commerce"
    EXIM = "exim", "Export-Import Bank"
    PROGRAM = "program", "Program administration"
    STATE = "state", "Department of State"
    WAR = "war", "Department of War"
    ENERGY = "energy", "Department of Energy"
    OSTP = "ostp", "Office of Science and Technology Policy"


def user_shown_as(*, first_name: str | None, last_name: str | None, username: str) -> str:
    """How the portal names a user: the full name, else the username (User.__str__; lists that read
    the names without the user, such as the Commerce queue's rows, call this too)."""
    return f"{first_name or ''} {last_name or ''}".strip() or username


class User(AbstractUser):
    agency = models.CharField(max_length=16, choices=Agency.choices, blank=True, default=Agency.NONE)
    organization = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return user_shown_as(first_name=self.first_name, last_name=self.last_name, username=self.username)

    @property
    def is_commerce(self) -> bool:
        return self.agency == Agency.COMMERCE

    @property
    def is_exim(self) -> bool:
        return self.agency == Agency.EXIM

    @property
    def is_program_admin(self) -> bool:
        return self.agency == Agency.PROGRAM or self.is_superuser

    @property
    def is_agency_staff(self) -> bool:
        return bool(self.agency) or self.is_superuser

    @property
    def requires_two_factor(self) -> bool:
        """Every agency account (Commerce, EXIM, program, the evaluating agencies) and anyone who can
        reach the admin must use TOTP."""
        return bool(self.agency) or self.is_staff or self.is_superuser
