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


class User(AbstractUser):
    agency = models.CharField(max_length=16, choices=Agency.choices, blank=True, default=Agency.NONE)
    organization = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

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
