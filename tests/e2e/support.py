"""Browser-test helpers: the Chromium launch, a journey recorder (screenshots, axe audits), keyboard."""

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD
from tests.twofactor import totp_now

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = BASE_DIR / "test-artifacts" / "e2e"
AXE_JS = BASE_DIR / "static" / "vendor" / "axe" / "axe.min.js"
# The same file as the live server serves it. Injected by URL, not inline (add_script_tag(path=...)):
# the portal's Content-Security-Policy (script-src 'self') refuses inline scripts, and the journeys
# keep that policy enforced so that a page the policy breaks fails here too.
AXE_URL = "/static/vendor/axe/axe.min.js"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Headless, and kept off the network: no background fetches, updates, sync or QUIC to the outside.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.1 A and AA: what Section 508 (via WCAG 2.0 AA) asks, plus the 2.1 additions.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# How long a journey waits for the worker to move a proposal on (a loaded CI machine is slow).
WORKER_TIMEOUT_MS = 90_000


def unavailable(reason: str) -> None:
    """Without a prerequisite, skip locally, but fail in CI: browser tests must never be skipped there."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"e2e prerequisite missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def format_violations(violations: dict[str, list[dict[str, Any]]]) -> str:
    """axe's violations, per page, as lines a person can act on; a problem repeated on later pages
    (the same rule on the same markup, as in the shared frame) is shown once, with where else it was."""
    seen: dict[tuple[str, str], list[str]] = {}
    lines: list[str] = []
    for where, found in violations.items():
        page_lines = []
        for v in found:
            nodes = []
            for node in v["nodes"]:
                target = " ".join(t if isinstance(t, str) else json.dumps(t) for t in node["target"])
                key = (v["id"], node["html"])
                if key in seen:
                    seen[key].append(where)
                    continue
                seen[key] = [where]
                summary = re.sub(r"\s+", " ", node.get("failureSummary") or "").strip()
                nodes.append(f"      at {target}\n         {node['html'][:160]}\n         {summary}")
            if nodes:
                page_lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                page_lines.extend(nodes)
        if page_lines:
            lines.append(f"{where}:")
            lines.extend(page_lines)
    repeats = sum(len(pages) - 1 for pages in seen.values())
    if repeats:
        lines.append(f"(and {repeats} repeat(s) of the above on later pages)")
    return "\n".join(lines)


@dataclass
class Journey:
    """Records a journey: a numbered screenshot and an axe audit at each step; violations kept for the end."""

    page: Page
    name: str
    directory: Path = field(init=False)
    steps: int = 0
    audited: list[str] = field(default_factory=list)
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    browser_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.directory = ARTIFACTS / self.name
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        # Script errors and Content-Security-Policy refusals: a page can look right and still be broken.
        self.page.on("pageerror", lambda exc: self.browser_errors.append(f"{self.page.url}: {exc}"))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.browser_errors.append(f"{self.page.url}: {message.text} ({message.location.get('url')})")

    def step(self, label: str, *, audit: bool = True) -> None:
        """Screenshot the page as it is now, and audit it (each distinct page state the journey shows)."""
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        # caret="initial": hiding the caret makes Playwright leave style="" on every input, which htmx
        # then copies during a swap, and the CSP refuses (a harness artifact, not the portal's).
        path = self.directory / f"{self.steps:02d}-{slug}.png"
        self.page.screenshot(path=path, full_page=True, caret="initial")
        if audit:
            self.audit(label)

    def audit(self, label: str) -> None:
        found = axe_violations(self.page)
        self.audited.append(f"{label} ({self.page.url})")
        if found:
            self.violations[f"{label} ({self.page.url})"] = found

    def assert_accessible_and_error_free(self) -> None:
        """The journey's verdict: no script errors or CSP refusals, and no WCAG 2.1 A/AA violations."""
        assert not self.browser_errors, "the browser reported errors:\n" + "\n".join(self.browser_errors)
        assert not self.violations, (
            f"axe found WCAG 2.1 A/AA violations on {len(self.violations)} of {len(self.audited)} "
            f"page states:\n{format_violations(self.violations)}"
        )


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in the page against WCAG 2.1 A and AA; return its violations (empty when clean)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(AXE_RUN, AXE_TAGS) + page.evaluate(DUPLICATE_LABEL_TARGETS)


# axe retired its duplicate-id rules with WCAG 2.2's removal of 4.1.1, but an id that a <label for> or
# an aria-labelledby/-describedby points at must still be unique: the browser names only the first
# element, and the second field goes unnamed (WCAG 1.3.1, 4.1.2). Same report shape as axe's.
DUPLICATE_LABEL_TARGETS = """() => {
    const referenced = new Set();
    document.querySelectorAll('label[for]').forEach(l => referenced.add(l.htmlFor));
    document.querySelectorAll('[aria-labelledby], [aria-describedby]').forEach(el => {
        for (const a of ['aria-labelledby', 'aria-describedby'])
            (el.getAttribute(a) || '').split(/\\s+/).filter(Boolean).forEach(id => referenced.add(id));
    });
    const nodes = [];
    for (const id of referenced) {
        const all = document.querySelectorAll(`[id="${CSS.escape(id)}"]`);
        if (all.length > 1) all.forEach(el => nodes.push({
            target: [`#${id}`], html: el.outerHTML.slice(0, 300),
            failureSummary: `${all.length} elements share id="${id}", which a label or ARIA reference names`,
        }));
    }
    return nodes.length ? [{
        id: 'duplicate-label-target', impact: 'serious',
        help: 'IDs referenced by labels and ARIA must be unique',
        helpUrl: 'https://www.w3.org/WAI/WCAG21/Understanding/name-role-value', nodes,
    }] : [];
}"""

AXE_RUN = """async (tags) => {
    const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
    const results = await axe.run(document, options);
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary})),
    }));
}"""


def focused(page: Page) -> str:
    """A short description of the element that has keyboard focus: its tag, name and text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el) return '';
            const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
            return `${el.tagName.toLowerCase()}|${el.getAttribute('name') || ''}|${text}`;
        }"""
    )


def tab_to(page: Page, pattern: str, *, limit: int = 120) -> str:
    """Press Tab until the focused element's description matches `pattern` (a regex); return it."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if re.search(pattern, now):
            return now
        seen.append(now)
    raise AssertionError(f"Tab never reached {pattern!r}; focus went through:\n" + "\n".join(seen))


def _wait_for_an_unused_code(device: TOTPDevice) -> None:
    """A code is accepted once: a second sign-in within the same time step waits for the next code, as
    a person would (at most one step, 30 s). A fast journey that signs the same user in twice needs it."""
    while device.last_t >= (int(time.time()) - device.t0) // device.step:
        time.sleep(0.5)


def sign_in(page: Page, journey: Journey, *, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the sign-in page, as a person would; agency accounts then give a TOTP code.

    The code comes from the user's device key, as an authenticator app computes it: on a first sign-in
    the portal offers enrolment (a pending device), afterwards it asks for the enrolled device's code.
    """
    page.goto("/accounts/login/")
    journey.step("sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/" in page.url:
        first_use = "/accounts/2fa/setup/" in page.url
        journey.step("two-factor enrolment" if first_use else "two-factor code")
        device = TOTPDevice.objects.get(user__username=username, confirmed=not first_use)
        _wait_for_an_unused_code(device)
        page.get_by_label("Six-digit code from your authenticator app").fill(totp_now(device))
        page.get_by_role("button", name="Confirm and continue" if first_use else "Verify").click()
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    expect(page.get_by_role("button", name=f"Sign out ({username})")).to_be_visible()


def wait_until(
    predicate: Callable[[], Any], *, message: str, timeout: float = WORKER_TIMEOUT_MS / 1000
) -> Any:
    """Poll the database (or anything) until `predicate` returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")
        time.sleep(0.2)
    return result
