"""The sandbox page in headless Chromium (Debian's `chromium`, driven by Playwright; no browser download).

Without /usr/bin/chromium these tests skip, unless COOPBOT_REQUIRE_BROWSER=1 (CI sets it) makes that a
failure. COOPBOT_SANDBOX_SCREENSHOT=1 also refreshes docs/sandbox.png, the README's screenshot.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.devtools.sandbox import Sandbox
from bot.devtools.sandbox_seed import MEMBER, MENTOR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "sandbox.png"

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

if sync_playwright is None or not os.access(CHROMIUM, os.X_OK):
    reason = f"needs playwright and {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("COOPBOT_REQUIRE_BROWSER") == "1":
        raise RuntimeError(reason)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    with Sandbox(port=0, database_url=f"sqlite:///{tmp_path / 'sandbox.db'}") as sandbox, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 820})
            errors: list[str] = []
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
            tab.goto(sandbox.url)
            yield tab
            assert errors == [], f"the page raised: {errors}"
        finally:
            browser.close()


def _log_problem(page: Page) -> None:
    composer = page.get_by_test_id("composer")
    composer.fill("/intern-issue")
    composer.press("Enter")
    modal = page.get_by_role("dialog")
    expect(modal).to_contain_text("Log intern problem")

    page.get_by_test_id("modal-submit").click()  # nothing filled in: the app answers with inline errors
    expect(modal.locator("[data-block-id=category] .error")).to_have_text("Choose a category.")
    expect(modal.locator("[data-block-id=intern_id] .error")).to_be_visible()

    modal.get_by_label("Intern").fill("Zhang")  # an external_select: options come from the app
    modal.get_by_role("option", name="张伟 Zhang Wei (demo) (DEMO001)").click()
    modal.get_by_label("Category").select_option(label="Workplace safety or injury")
    modal.get_by_label("Severity").select_option(label="P2 – Serious")
    modal.get_by_label("What happened").fill("Cut his hand on the <b>press</b> & saw the nurse. *Not* serious.")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()


def test_log_acknowledge_and_resolve_a_problem(page: Page) -> None:
    _log_problem(page)
    report = page.locator(".message").first
    expect(report).to_contain_text("P2 – Serious · Workplace safety or injury")
    expect(report).to_contain_text("Cut his hand on the <b>press</b> & saw the nurse.")  # text, never HTML
    expect(report.locator("b")).to_have_count(0)
    expect(report.locator(".mention").first).to_contain_text("@")
    if os.environ.get("COOPBOT_SANDBOX_SCREENSHOT") == "1":
        page.screenshot(path=str(SCREENSHOT))

    page.get_by_test_id("person-picker").select_option(MEMBER)  # no role on this problem: refused privately
    report.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".message.ephemeral")).to_contain_text("role does not allow")

    page.get_by_test_id("person-picker").select_option(MENTOR)
    expect(page.locator(".message.ephemeral")).to_have_count(0)
    report.get_by_role("button", name="Acknowledge").click()
    expect(report).to_contain_text("Acknowledged by @Li Qiang")
    expect(report).to_contain_text("(edited)")

    report.get_by_role("button", name="Resolve").click()
    modal = page.get_by_role("dialog")
    expect(modal).to_contain_text("Resolve problem")
    page.get_by_test_id("modal-submit").click()
    expect(modal.locator("[data-block-id=text] .error")).to_contain_text("Write something")
    modal.get_by_label("What was done to resolve it?").fill("Safety briefing held with the whole team.")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()
    expect(report).to_contain_text("Resolved by @Li Qiang")
    expect(report).to_contain_text("Safety briefing held")

    report.get_by_role("button", name="Reopen").click()  # a confirm dialog first
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    expect(report).to_contain_text("Resolved by")

    report.get_by_role("button", name="replies").click()
    expect(page.locator("#thread")).to_contain_text("acknowledged this problem")


def test_home_tab_and_direct_messages(page: Page) -> None:
    _log_problem(page)
    page.get_by_test_id("person-picker").select_option(MENTOR)
    page.locator("#apps").get_by_role("button", name="coopbot").click()
    expect(page.locator("#home")).not_to_contain_text("Loading")
    expect(page.locator("#home .blocks")).to_be_visible()
    page.get_by_role("button", name="Messages").click()
    expect(page.locator("#messages")).to_contain_text("reported a problem about your intern")
