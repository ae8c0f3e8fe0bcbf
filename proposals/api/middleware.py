"""API edges outside DRF: NUL characters in query strings, and JSON 404s for unmatched API paths."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from proposals.api.parsers import NUL_MESSAGE


def reject_nul_in_query(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and "%00" in request.META.get("QUERY_STRING", "").upper():
            return JsonResponse({"message": NUL_MESSAGE, "code": "parse_error", "extra": {}}, status=400)
        return get_response(request)

    return middleware


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page: the API's JSON error body under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Not found.", "code": "not_found", "extra": {}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
