"""HTML to PDF with WeasyPrint: one function, so every paper shares fonts, base URL and page setup."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Papers carry their CSS inline and use system fonts: nothing is fetched, from disk or network.
    raise ValueError(f"PDF rendering fetches no resources ({url})")


def render_pdf(template: str, context: dict[str, Any]) -> RenderedPdf:
    """Render a Django template to PDF with no external resources."""
    from weasyprint import HTML  # noqa: PLC0415 (Pango and cairo load slowly: only where PDFs render)

    html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_refuse_fetch).render()
    return RenderedPdf(content=document.write_pdf(), page_count=len(document.pages))
