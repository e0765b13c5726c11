"""The sandbox page in headless Chromium (Debian's `chromium`, driven by Playwright; no browser download).

Without /usr/bin/chromium these tests skip, unless COOPBOT_REQUIRE_BROWSER=1 (CI sets it) makes that a
failure. COOPBOT_SANDBOX_SCREENSHOT=1 also refreshes docs/sandbox.png, the README's screenshot.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.devtools.sandbox import Sandbox
from bot.devtools.sandbox_seed import COLLEGE_TEAM, COORD_SCHOOL, ENTERPRISE_TEAM, MEMBER, MENTOR, TEACHER

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

# Each step is a browser click, a signed request to the app, a Web API call back and a page poll; on a
# loaded two-core machine (four test workers beside Chromium, or other work) that chain took over 20 s once.
# A bound on waiting, not a speed check.
expect.set_options(timeout=60_000)



@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(port=0, database_url=f"sqlite:///{tmp_path / 'sandbox.db'}") as running:
        yield running


@contextmanager
def _tab(url: str) -> Iterator[Any]:
    """A Chromium tab on `url`; on the way out, no JavaScript error raised on any page it showed."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 820}, locale="en-US",
                                   timezone_id="Asia/Shanghai")
            errors: list[str] = []
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
            tab.goto(url)
            yield tab
            assert errors == [], f"the page raised: {errors}"
        finally:
            browser.close()


@pytest.fixture
def page(sandbox: Sandbox) -> Iterator[Any]:
    with _tab(sandbox.url) as tab:
        yield tab


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


def _act_as(page: Page, person: str) -> None:
    page.get_by_test_id("person-picker").select_option(person)
    expect(page.get_by_test_id("person-picker")).to_have_value(person)


def _approve(page: Page, summary: Any) -> None:
    """Review → Approve in the modal, as the person picked now."""
    summary.get_by_role("button", name="Review").click()
    modal = page.get_by_role("dialog")
    expect(modal).to_contain_text("Review the exchange")
    modal.get_by_label("Approve", exact=True).check()
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()


def test_request_and_approve_an_exchange(page: Page) -> None:
    start = date.today() + timedelta(days=14)  # clear of "today" in the partnership's timezone
    composer = page.get_by_test_id("composer")
    composer.fill("/exchange")
    composer.press("Enter")
    modal = page.get_by_role("dialog")
    expect(modal).to_contain_text("Request an exchange")
    expect(modal.get_by_label("Who")).to_have_value(TEACHER)  # the caller by default
    modal.get_by_label("Direction").select_option(label="College → Enterprise")
    modal.get_by_label("Host unit").fill("Test lab <b>2012</b>")
    modal.get_by_label("Purpose").select_option(label="Production practice")
    modal.get_by_label("Start date").fill(start.isoformat())
    modal.get_by_label("End date").fill((start - timedelta(days=1)).isoformat())
    page.get_by_test_id("modal-submit").click()  # the dates out of order, the acknowledgement missing
    expect(modal.locator("[data-block-id=end_date] .error")).to_contain_text("must not be before the start date")
    expect(modal.locator("[data-block-id=confidentiality] .error")).to_be_visible()
    modal.get_by_label("End date").fill((start + timedelta(days=60)).isoformat())
    modal.get_by_label("I have read and will keep the host's confidentiality rules.").check()
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()

    summary = page.locator(".message").first
    expect(summary).to_contain_text("Staff exchange: 王芳 Wang Fang (demo) (College → Enterprise)")
    expect(summary).to_contain_text("Test lab <b>2012</b>")  # text, never HTML
    expect(summary).to_contain_text("Status: Awaiting approval")

    summary.get_by_role("button", name="Review").click()  # the person going decides nothing: refused privately
    expect(page.locator(".message.ephemeral")).to_contain_text("role does not allow")

    _act_as(page, COORD_SCHOOL)  # the sending side's coordinator sends it back first
    summary.get_by_role("button", name="Review").click()
    modal.get_by_label("Ask for changes").check()
    modal.get_by_label("Comment").fill("Please add the plan <!channel>.")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()
    expect(summary).to_contain_text("Status: Changes requested")

    _act_as(page, TEACHER)  # the requester reads why in a DM (quoted), edits and resubmits
    page.locator("#apps").get_by_role("button", name="coopbot").click()
    page.get_by_role("button", name="Messages").click()
    notice = page.locator("#messages .message").last
    expect(notice).to_contain_text("For the college, @陈静 Chen Jing (demo) asked for changes to your exchange "
                                   "request for 王芳 Wang Fang (demo).")
    expect(notice.locator("blockquote")).to_have_text("Please add the plan <!channel>.")
    notice.get_by_role("button", name="Edit request").click()
    expect(modal).to_contain_text("Edit the exchange")
    expect(modal.get_by_label("Host unit")).to_have_value("Test lab <b>2012</b>")
    modal.get_by_label("Expected outcomes").fill("A plan: three test benches.")
    modal.get_by_label("I have read and will keep the host's confidentiality rules.").check()
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()
    page.locator("#channels").get_by_role("button").first.click()
    expect(summary).to_contain_text("round 2")

    _act_as(page, COORD_SCHOOL)
    _approve(page, summary)
    expect(summary).to_contain_text("(sending side): ✅ Approved by @陈静 Chen Jing (demo)")
    expect(summary).to_contain_text("Status: Awaiting approval")

    _act_as(page, MENTOR)  # the host side's approver
    _approve(page, summary)
    expect(summary).to_contain_text("Status: Approved")
    expect(summary).to_contain_text("(host side): ✅ Approved by @Li Qiang 李强 (demo)")
    expect(summary.get_by_role("button", name="Review")).to_have_count(0)

    _act_as(page, TEACHER)
    page.locator("#apps").get_by_role("button", name="coopbot").click()
    page.get_by_role("button", name="Messages").click()
    messages = page.locator("#messages")
    expect(messages).to_contain_text("For the college, @陈静 Chen Jing (demo) approved your exchange request for "
                                     "王芳 Wang Fang (demo).")
    expect(messages).to_contain_text("For the enterprise, @Li Qiang 李强 (demo) approved your exchange request")
    expect(messages).to_contain_text("Both sides approved: the exchange starts on")


def test_schedule_a_meeting_and_answer_it(page: Page) -> None:
    day = date.today() + timedelta(days=3)
    _act_as(page, COORD_SCHOOL)
    composer = page.get_by_test_id("composer")
    composer.fill("/coop-meeting")
    composer.press("Enter")
    modal = page.get_by_role("dialog")
    expect(modal).to_contain_text("Schedule a meeting")
    expect(modal.get_by_label("Title")).to_have_value(re.compile(r"^Q[1-4] \d{4} cooperation review$"))
    modal.get_by_label("Title").fill("Quarterly review <!channel>")
    modal.get_by_label("Date").fill(day.isoformat())
    page.get_by_test_id("modal-submit").click()  # no start time yet
    expect(modal.locator("[data-block-id=start_time] .error")).to_have_text("Pick a start time.")
    modal.get_by_label("Start time").fill("14:30")
    modal.get_by_label("Duration (minutes)").fill("60")
    modal.get_by_label("Location or link").fill("Room 301")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()

    announcement = page.locator(".message").first
    expect(announcement).to_contain_text("📅 Quarterly review <!channel>")
    expect(announcement).to_contain_text("2:30 PM (Asia/Shanghai) · 60 minutes")
    expect(announcement).to_contain_text("Room 301")
    expect(announcement).to_contain_text("Going: 0")
    expect(announcement).to_contain_text("No answer yet: 3")
    for label in ("Going", "Maybe", "Can't go"):
        expect(announcement.get_by_role("button", name=label, exact=True)).to_be_visible()

    announcement.get_by_role("button", name="Going", exact=True).click()
    expect(announcement).to_contain_text("Going: 1 — @陈静 Chen Jing (demo)")
    expect(announcement).to_contain_text("No answer yet: 2")

    _act_as(page, MEMBER)
    announcement.get_by_role("button", name="Maybe", exact=True).click()
    expect(announcement).to_contain_text("Maybe: 1 — @Sam Lee (demo)")
    expect(announcement).to_contain_text("Going: 1 — @陈静 Chen Jing (demo)")

    _act_as(page, TEACHER)  # not invited, but on the partnership's roster: answering joins the meeting
    announcement.get_by_role("button", name="Going", exact=True).click()
    expect(announcement).to_contain_text("Going: 2 — @陈静 Chen Jing (demo), @王芳 Wang Fang (demo)")
    expect(announcement).to_contain_text("No answer yet: 1")


def _open_home(page: Page) -> Any:
    page.locator("#apps").get_by_role("button", name="coopbot").click()
    home = page.locator("#home")
    # The Home tab is built by the app and published through the fake Slack, which the page long-polls: with
    # four test workers and Chromium on two cores that took over 20 s once. A wait, not a speed check.
    expect(home.locator(".blocks")).to_be_visible(timeout=60_000)
    return home


def test_every_app_home_control_reaches_the_app(page: Page) -> None:
    """The language select shows the language in use and switches it; "Log a problem" and "Request an
    exchange" open their forms (each an action on the home view, found by its id)."""
    home = _open_home(page)
    modal = page.get_by_role("dialog")
    home.get_by_role("button", name="Log a problem").click()
    expect(modal).to_contain_text("Log intern problem")
    modal.get_by_role("button", name="Cancel").click()
    expect(modal).to_be_hidden()
    home.get_by_role("button", name="Request an exchange").click()
    expect(modal).to_contain_text("Request an exchange")
    modal.get_by_role("button", name="Cancel").click()
    expect(modal).to_be_hidden()

    language = home.locator("select[data-action-id=home_language]")
    expect(language.locator("option:checked")).to_have_text("Use my Slack language")  # not "Choose…"
    language.select_option(label="简体中文")
    expect(home).to_contain_text("语言")  # the home, published again in Chinese
    expect(language.locator("option:checked")).to_have_text("简体中文")
    home.get_by_role("button", name="上报实习问题").click()
    expect(modal).to_contain_text("上报实习问题")
    expect(page.locator("#toast")).to_be_hidden()  # no "that view is gone"


def test_each_message_shows_when_it_was_posted(page: Page, sandbox: Sandbox) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    morning = datetime.combine(date.today(), time(9, 5), tzinfo=shanghai)
    composer = page.get_by_test_id("composer")
    for at, text in ((morning, "before the meeting"), (morning + timedelta(hours=2, minutes=35), "after it")):
        sandbox.fake.clock_ns = lambda at=at: int(at.timestamp()) * 1_000_000_000
        composer.fill(text)
        composer.press("Enter")
        expect(page.locator(".message").last).to_contain_text(text)
    shown = page.locator(".message .meta")
    expect(shown.nth(0)).to_contain_text("09:05 AM")
    expect(shown.nth(1)).to_contain_text("11:40 AM")


def test_the_unread_badge_counts_what_came_since_the_dm_was_read(page: Page) -> None:
    badge = page.locator("#apps .badge")
    _log_problem(page)  # the mentor is told in a DM
    _act_as(page, MENTOR)
    expect(badge).to_have_text("1")
    _open_home(page)
    page.get_by_role("button", name="Messages").click()
    expect(page.locator("#messages")).to_contain_text("reported a problem about your intern")
    expect(badge).to_have_count(0)  # read
    page.locator("#channels").get_by_role("button").first.click()
    _act_as(page, TEACHER)
    _log_problem(page)  # a second report: one new DM for the mentor
    _act_as(page, MENTOR)
    expect(badge).to_have_text("1")


def test_ephemeral_replies_last_only_as_long_as_the_session(page: Page) -> None:
    composer = page.get_by_test_id("composer")
    composer.fill("/coop help")
    composer.press("Enter")
    reply = page.locator(".message.ephemeral")
    expect(reply).to_contain_text("/intern-issue")
    page.reload()  # a new session, as a reload of Slack
    expect(page.get_by_test_id("composer")).to_be_visible()
    expect(reply).to_have_count(0)
    composer.fill("/coop help")
    composer.press("Enter")
    expect(reply).to_have_count(1)
    _act_as(page, MENTOR)  # another person's client
    _act_as(page, TEACHER)
    expect(reply).to_have_count(0)


def test_the_person_picker_shows_names_and_roles_uncut(page: Page) -> None:
    picker = page.get_by_test_id("person-picker")
    expect(picker.locator("option")).to_have_count(5)
    _act_as(page, COORD_SCHOOL)
    expect(page.get_by_test_id("person-roles")).to_have_text("coordinator, teacher")
    expect(picker.locator("optgroup[label='coordinator, teacher'] option")).to_have_text("陈静 Chen Jing (demo)")
    cut = picker.evaluate("""(select) => {
        const style = getComputedStyle(select);
        const context = document.createElement("canvas").getContext("2d");
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
        return [...select.options].map((o) => o.text).filter((text) => context.measureText(text).width > room);
    }""")
    assert cut == [], f"the picker cuts these off: {cut}"


def test_oauth_both_workspaces_install_then_the_company_mentor_reports_and_opens_home(tmp_path: Path) -> None:
    """`coopbot sandbox --oauth` in the browser: each workspace's "Add to Slack" → the app's /slack/install → the
    fake Slack's Allow page → /slack/oauth_redirect → back to the page; then the company's mentor logs a problem
    from the shared channel's composer and opens their own coopbot's App Home."""
    with Sandbox(port=0, database_url=f"sqlite:///{tmp_path / 'sandbox.db'}", oauth=True) as sandbox, \
            _tab(sandbox.url) as page:
        for team in (COLLEGE_TEAM, ENTERPRISE_TEAM):
            page.get_by_test_id(f"add-to-slack-{team}").click()
            expect(page.get_by_test_id("workspace")).to_have_value(team)  # Slack's Allow page, this workspace chosen
            page.get_by_test_id("allow").click()
            page.wait_for_url(sandbox.url)
            expect(page.get_by_test_id(f"add-to-slack-{team}")).to_have_count(0)
        expect(page.locator("#workspace-list .installed")).to_have_count(2)

        _act_as(page, MENTOR)
        expect(page.get_by_test_id("person-roles")).to_contain_text("Demo Works Ltd")  # of the company's workspace
        _log_problem(page)
        report = page.locator(".message").first
        expect(report).to_contain_text("P2 – Serious · Workplace safety or injury")
        expect(report).to_contain_text("Cut his hand on the <b>press</b> & saw the nurse.")

        home = _open_home(page)
        expect(home).not_to_contain_text("not installed")
        expect(home.get_by_role("button", name="Log a problem")).to_be_visible()
        assert sandbox.fake.wait_for("views.publish", where=lambda c: c.args.get("user_id") == MENTOR)[-1].token \
            in sandbox.fake.oauth.tokens_of(ENTERPRISE_TEAM)  # the company's own coopbot's Home
