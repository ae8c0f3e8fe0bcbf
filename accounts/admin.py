"""Admin for portal users: the stock user admin plus the agency field."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Portal", {"fields": ("agency", "organization")}))
    list_display = ("username", "email", "agency", "organization", "is_staff")
    list_filter = ("agency", "is_staff", "is_superuser")
