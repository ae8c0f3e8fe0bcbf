"""Revoke a user's API tokens when what they were issued for changes.

Receivers, not service calls, because these changes are made in several places (the admin, the
sign-in journey's enrolment, the demo seed, services) and a missed call would leave a token alive.
The receivers only decide *that* something changed; revoking is accounts.tokens.tokens_revoke_all.
Every use re-checks activity and two-factor as well (accounts.tokens), for changes made around the ORM.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tokens import tokens_revoke_all
from proposals.intake.models.consortium import ConsortiumUser

User = get_user_model()

# A change to any of these ends the user's tokens: the password, deactivation, and what the user
# may reach (agency, staff and superuser flags).
REVOKING_USER_FIELDS = ("password", "is_active", "agency", "is_staff", "is_superuser")


def user_change_revokes_tokens(before: dict[str, Any], after: Any) -> bool:
    """Did a save change the password, activity, agency or staff/superuser flags?"""
    return any(before[name] != getattr(after, name) for name in REVOKING_USER_FIELDS)


@receiver(pre_save, sender=User, dispatch_uid="accounts-user-tokens-pre")
def _user_before_save(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    instance._revoke_tokens = False
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not set(update_fields) & set(REVOKING_USER_FIELDS):
        return  # e.g. last_login at every sign-in: no read
    before = sender.objects.filter(pk=instance.pk).values(*REVOKING_USER_FIELDS).first()
    instance._revoke_tokens = before is not None and user_change_revokes_tokens(before, instance)


@receiver(post_save, sender=User, dispatch_uid="accounts-user-tokens-post")
def _user_after_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_revoke_tokens", False):
        tokens_revoke_all(user_id=instance.pk)
        instance._revoke_tokens = False


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="accounts-device-tokens")
def _device_removed(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    """A two-factor reset (the confirmed device deleted, in the admin or by re-enrolment) ends the
    tokens; abandoned unconfirmed enrolments do not."""
    if instance.confirmed:
        tokens_revoke_all(user_id=instance.user_id)


def _consortium_role_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A consortium membership added, changed or removed: the user's tokens end."""
    if kwargs.get("raw"):
        return
    tokens_revoke_all(user_id=instance.user_id)


def connect_consortium_roles() -> None:
    post_save.connect(_consortium_role_changed, sender=ConsortiumUser, dispatch_uid="accounts-cu-save")
    post_delete.connect(_consortium_role_changed, sender=ConsortiumUser, dispatch_uid="accounts-cu-delete")


connect_consortium_roles()
