"""The exchange calendar (activation, assessment requests, reminders), the practice ledger, the export."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.devtools.slack_requests import fill
from bot.exchanges import jobs
from bot.exchanges.export import HEADER, iter_exchange_rows
from bot.exchanges.ids import ExchangeActionId
from bot.exports.writers import write_csv
from models.exchange import ExchangeStatus
from tests.support.exchanges import END, START, decide, moment, request, the_exchange
from tests.support.harness import COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness, dm


def _weekday_after(day: date, working_days: int) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    added = 0
    while added < working_days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            added += 1
    return day


def test_pending_reviews_remind_the_approvers_then_the_coordinators_once(harness: Harness) -> None:
    h = harness
    request(h)
    decide(h, COORD_SCHOOL, "approve")
    h.deliver()
    # The partnership's date (Asia/Shanghai), not this machine's: after 16:00 UTC it is already tomorrow there.
    submitted = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(submitted, 2))) == 0
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(submitted, 3))) == 1
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(submitted, 4))) == 0  # once per round
    h.deliver()
    for user in (MENTOR, COORD_ENTERPRISE):  # the side still to decide, not the side that did
        assert sum("still waiting for your decision" in text for text in h.dms_to(user)) == 1
    assert not any("still waiting" in text for text in h.dms_to(COORD_SCHOOL))
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(submitted, 7))) == 1
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(submitted, 8))) == 0
    h.deliver()
    for user in (COORD_SCHOOL, COORD_ENTERPRISE):
        assert sum("more than 7 working days" in text for text in h.dms_to(user)) == 1


def test_overdue_assessments_remind_the_side_that_has_not_assessed(harness: Harness) -> None:
    h = harness
    request(h)
    decide(h, COORD_SCHOOL, "approve")
    decide(h, MENTOR, "approve")
    assert jobs.activate_started(h.services, moment(START - timedelta(days=1))) == 0  # not yet
    assert jobs.activate_started(h.services, moment(START)) == 1
    assert jobs.request_assessments(h.services, moment(END - timedelta(days=1))) == 0
    assert jobs.request_assessments(h.services, moment(END)) == 1
    h.deliver()
    h.services.exchanges.clock = lambda: moment(END)
    h.click(MENTOR, ExchangeActionId.ASSESS, dm(h, MENTOR, ExchangeActionId.ASSESS), channel="D" + MENTOR)
    modal = h.last_modal()
    assert h.slack.view_submission(modal, fill(modal, {"rating": "pass"}), user_id=MENTOR).text == ""
    second = h.slack.view_submission(modal, fill(modal, {"rating": "fail"}), user_id=MENTOR)  # retry
    assert second.text == ""
    assert the_exchange(h).status == ExchangeStatus.ACTIVE
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(END, 4))) == 0
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(END, 5))) == 1
    assert jobs.send_review_reminders(h.services, moment(_weekday_after(END, 6))) == 0
    h.deliver()
    assert sum("still needs your assessment" in text for text in h.dms_to(COORD_SCHOOL)) == 1
    assert not any("still needs your assessment" in text for text in h.dms_to(MENTOR))


def test_coop_status_shows_decisions_waiting_and_the_practice_ledger(harness: Harness) -> None:
    h = harness
    request(h)
    h.deliver()
    reply = h.slack.command("/coop", "status", user_id=MENTOR)
    shown = str(reply.json())
    assert "Exchanges waiting for your decision" in shown and "王芳" in shown
    assert "Enterprise practice" not in shown  # an enterprise mentor has no ledger
    teacher = str(h.slack.command("/coop", "status", user_id=TEACHER).json())
    assert "Enterprise practice in the last 5 years: 0 of 6 months." in teacher and "6 more months" in teacher


def test_export_guards_formulas_and_runs_from_the_command_line(harness: Harness) -> None:
    h = harness
    request(h, host_unit="=HYPERLINK(\"http://evil\")")
    decide(h, MENTOR, "request_changes", "@SUM(A1)")
    out = io.StringIO()
    write_csv(out, HEADER, iter_exchange_rows(h.db))
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["host_unit"] == "'=HYPERLINK(\"http://evil\")" and row["host_comment"] == "'@SUM(A1)"
    assert row["status"] == "changes_requested" and row["practice_months_5y"] == "0.0"
    assert row["meets_6_month_rule"] == "no" and "r1 host request_changes (李强): @SUM(A1)" in row["decision_history"]
    env = {**os.environ, "DATABASE_URL": h.db.url}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "export", "exchanges"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("id,partnership,person,") and "changes_requested" in done.stdout
