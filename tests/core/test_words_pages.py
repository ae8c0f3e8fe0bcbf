"""No page shows a raw code: every signed-in page of each demo role, its visible text searched for the
shapes codes take (LAYER_MISSING, in_review, gate:2, "a -> b") and for words said twice."""

import re
from html.parser import HTMLParser

import pytest

from accounts.models import User
from tests.pages import demo_world, pages_by_role

pytestmark = pytest.mark.django_db

RAW_CODES = {
    "an upper-case code": re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b"),
    # A file's name (security_plan.pdf) is the consortium's own word, not a code.
    "a snake_case code": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.[a-z]{2,4}\b)"),
    "an audit subject": re.compile(r"\b(?:gate|hit|deal|rfi|note|message|panel|screening):\d+\b"),
    "an arrow in ASCII": re.compile(r"\S -> \S"),
    "a word said twice": re.compile(r"\b([A-Za-z]{3,}) \1\b", re.IGNORECASE),
    "a label made from a field name": re.compile(r"\bExim product\b|\bEccn\b"),
}


class _VisibleText(HTMLParser):
    """The text a person sees or hears, outside script, style and template elements, and outside
    <code>: what a page marks as literal, such as a CSV template's column names, is meant to be typed."""

    SKIP = {"script", "style", "template", "code"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.parts


def raw_codes(html: str) -> list[str]:
    found = []
    for text in visible_text(html):
        for what, pattern in RAW_CODES.items():
            found += [f"{what}: {m.group(0)!r} in {text[:120]!r}" for m in pattern.finditer(text)]
    return found


def test_the_finder_finds_the_codes_the_issue_names():
    html = (
        "<p>LAYER_MISSING</p><li>Application layer layer</li><label>Exim product</label>"
        "<p>gate:2 gate_opened -> open</p><script>var in_review = 1;</script><p>security_plan.pdf</p>"
    )
    assert [line.split(":")[0] for line in raw_codes(html)] == [
        "an upper-case code",
        "a word said twice",
        "a label made from a field name",
        "a snake_case code",
        "an audit subject",
        "an arrow in ASCII",
    ]


def test_no_signed_in_page_of_the_demo_shows_a_raw_code(client):
    demo_world()
    pages = pages_by_role()
    problems = []
    for role in sorted({p.role for p in pages}):
        client.force_login(User.objects.get(username=role))
        for page in (p for p in pages if p.role == role):
            response = client.get(page.url)
            assert response.status_code == 200, f"{role} {page.url}: {response.status_code}"
            problems += [
                f"{role} {page.label} ({page.url}): {c}" for c in raw_codes(response.content.decode())
            ]
    assert not problems, "\n".join(problems)
