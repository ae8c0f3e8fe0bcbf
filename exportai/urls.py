"""Top-level URL configuration: web pages, the API and its schema, the admin."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

# ReDoc styles itself by injecting <style> elements (styled-components): this page alone may use inline
# style. Its scripts stay our own files; the Swagger page needs no exception.
api_redoc = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so a strict Content-Security-Policy holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", api_redoc, name="api-redoc"),
    path("api/", include("proposals.urls.api")),
    path("", include("proposals.urls.web")),
]

# Uploaded files are never served from MEDIA_URL, even in development: documents reach users only
# through the download views, which check the same permissions as the proposal pages.

# Under /api/ these answer in the API's JSON error shape (production included), elsewhere as pages.
handler400 = "proposals.core.api.middleware.bad_request"
handler404 = "proposals.core.api.middleware.not_found"
handler500 = "proposals.core.api.middleware.server_error"
