"""django.contrib.admin's app configuration with the two-factor site (accounts.admin_site) as admin.site."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.PortalAdminSite"
