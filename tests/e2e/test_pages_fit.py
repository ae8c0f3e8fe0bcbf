"""Every signed-in page of each demo role, in Chromium, on a phone (390 x 844) and at desktop width:
the page never scrolls sideways (the document is no wider than the viewport), axe-core finds no WCAG
2.1 A/AA violation, and the browser reports no script error or CSP refusal.

The pages are the demo data's (tests/pages.py: the demo seed with its review work done), the same
ones the words test walks for raw codes.
"""

import pytest
from playwright.sync_api import BrowserContext

from proposals.demo import DEMO_PASSWORD
from tests.e2e.support import Journey, sign_in
from tests.pages import demo_world, pages_by_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}

DOCUMENT_WIDTH = "() => document.documentElement.scrollWidth"
# The elements that reach past the right edge, to say what to fix when a page is too wide.
TOO_WIDE = """(width) => [...document.querySelectorAll('main *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest('.usa-sr-only'))
    .slice(0, 4).map(el => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80))"""


def test_every_signed_in_page_fits_a_phone_and_a_desktop(context: BrowserContext, request):
    demo_world()
    pages = pages_by_role()
    overflow: list[str] = []
    journeys: list[Journey] = []
    for role in dict.fromkeys(p.role for p in pages):
        page = context.new_page()
        journey = Journey(page=page, name=f"{request.node.name}-{role}".replace(".", "-"))
        journeys.append(journey)
        # At desktop width: sign_in looks for the "Sign out" button, which a phone keeps in its menu.
        page.set_viewport_size(DESKTOP)
        sign_in(page, journey, username=role, password=DEMO_PASSWORD)
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            for item in (p for p in pages if p.role == role):
                response = page.goto(item.url)
                assert response is not None and response.ok, (
                    f"{role} {item.url}: {response and response.status}"
                )
                width = page.evaluate(DOCUMENT_WIDTH)
                if width > viewport["width"]:
                    culprits = page.evaluate(TOO_WIDE, viewport["width"])
                    overflow.append(
                        f"{role} {item.label} at {viewport['width']}px: {width}px wide {culprits}"
                    )
                journey.audit(f"{role} {item.label} at {viewport['width']}px")
        journey.step(f"{role} last page at desktop width", audit=False)
        print(f"{role}: {len(journey.audited)} page states audited")
    assert not overflow, "pages wider than the viewport:\n" + "\n".join(overflow)
    for journey in journeys:
        journey.assert_accessible_and_error_free()
