"""The calendar's jobs with a controlled clock: quarterly prompts, escalations, digests, /coop digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update

from bot.digests.data import Window, collect
from bot.meetings.ids import MeetingActionId
from bot.meetings.quarterly import PromptOutcome
from bot.problems.escalation import overdue
from bot.roster.partnerships import add_partnership
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import OutboxMessage
from models.exchange import Direction, Exchange, ExchangeStatus, Purpose
from models.meeting import ActionItem, Meeting
from models.problem import Problem
from models.roster import Intern, Partnership, Person
from models.schedule import JobRun
from models.schemas import PartnershipInput
from scheduler.jobs import run_by_hand, run_job
from scheduler.spec import JobReport, Reminder
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, OTHER_CHANNEL, TEACHER, Harness

UTC_CHANNEL = "C0UTCPARTNER"


@pytest.fixture
def h(harness: Harness) -> Harness:
    """The harness with a third partnership on UTC (Shanghai and Los Angeles are seeded)."""
    add_partnership(harness.db, PartnershipInput(name="UTC Partners", school="S", enterprise="E",
                                                 channel_id=UTC_CHANNEL, timezone="UTC"))
    return harness


def _posts(h: Harness) -> dict[str, list[str]]:
    """Top-level texts posted per channel, as Slack received them."""
    h.deliver()
    found: dict[str, list[str]] = {}
    for call in h.fake.calls_to("chat.postMessage"):
        if not call.args.get("thread_ts"):
            found.setdefault(str(call.args["channel"]), []).append(str(call.args.get("text")))
    return found


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_quarterly_prompt_follows_each_partnerships_midnight(h: Harness) -> None:
    assert run_job("quarterly-prompt", h.services, _at("2026-12-31T15:00")) == 0
    assert run_job("quarterly-prompt", h.services, _at("2026-12-31T16:30")) == 1  # 00:30 in Shanghai
    posts = _posts(h)
    assert list(posts) == [CHANNEL] and "Q1 2027" in posts[CHANNEL][0]
    assert run_job("quarterly-prompt", h.services, _at("2027-01-01T00:30")) == 1  # UTC's turn
    assert run_job("quarterly-prompt", h.services, _at("2027-01-01T08:30")) == 1  # 00:30 in Los Angeles
    assert run_job("quarterly-prompt", h.services, _at("2027-01-01T09:00")) == 0  # never twice
    posts = _posts(h)
    assert {c: len(t) for c, t in posts.items()} == {CHANNEL: 1, UTC_CHANNEL: 1, OTHER_CHANNEL: 1}
    [message] = h.channel_messages(OTHER_CHANNEL)
    [button] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == MeetingActionId.OPEN_SCHEDULE and button["value"].endswith(":2027Q1")
    with h.db.session() as session:
        assert session.scalars(select(JobRun.period).where(JobRun.job == "quarterly-prompt")).all() == ["2027Q1"] * 3


@pytest.mark.parametrize(("instant", "expected"), [
    ("2027-03-31T17:00", 1),  # Thursday 1 April, 01:00 in Shanghai; still 31 March elsewhere
    ("2026-10-01T12:00", 3),  # Thursday 1 October: everyone
])
def test_quarters_starting_on_a_weekday_prompt_that_day(h: Harness, instant: str, expected: int) -> None:
    assert run_job("quarterly-prompt", h.services, _at(instant)) == expected


def test_a_quarter_starting_on_saturday_prompts_on_monday(h: Harness) -> None:
    for saturday_or_sunday in ("2028-01-01T12:00", "2028-01-02T12:00"):
        assert run_job("quarterly-prompt", h.services, _at(saturday_or_sunday)) == 0
    assert run_job("quarterly-prompt", h.services, _at("2028-01-03T12:00")) == 3
    assert "Q1 2028" in _posts(h)[UTC_CHANNEL][0]


def test_holidays_move_the_prompt(h: Harness) -> None:
    h.services.meetings.holidays = frozenset({date(2027, 1, 1)})  # COOPBOT_HOLIDAYS, as the container hands it
    assert run_job("quarterly-prompt", h.services, _at("2027-01-01T12:00")) == 0
    assert run_job("quarterly-prompt", h.services, _at("2027-01-04T12:00")) == 3


def test_prompt_says_when_the_meeting_is_already_scheduled(h: Harness) -> None:
    with h.db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.channel_id == CHANNEL))
        organiser = session.scalar(select(Person).where(Person.slack_user_id == COORD_SCHOOL))
        assert partnership and organiser
        session.add(Meeting(partnership=partnership, organiser=organiser, title="Q1 <review>",
                            starts_at=_at("2027-01-20T06:00"), duration_minutes=90, quarter="2027Q1",
                            ics_uid="uid-1"))
    run_job("quarterly-prompt", h.services, _at("2027-01-01T12:00"))
    [message] = h.channel_messages(CHANNEL) if _posts(h) else []
    assert "already scheduled" in message["text"] and "Q1 &lt;review&gt;" in message["text"]
    assert not any(b["type"] == "actions" for b in message["blocks"])


def _meeting_in(h: Harness, channel: str, title: str, starts_at: datetime, quarter: str) -> None:
    with h.db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.channel_id == channel))
        organiser = session.scalar(select(Person).where(Person.slack_user_id == COORD_SCHOOL))
        assert partnership and organiser
        session.add(Meeting(partnership=partnership, organiser=organiser, title=title, starts_at=starts_at,
                            duration_minutes=90, quarter=quarter, ics_uid=f"uid-{channel}"))


def _report(report: JobReport) -> dict[str | None, str]:
    return {line.partnership: line.what for line in report.lines}


def test_the_quarterly_prompt_run_by_hand_mid_quarter_asks_now_once_and_says_what_it_did(h: Harness) -> None:
    """By hand means "do it now": on a day that is not the quarter's first working day, every partnership
    without this quarter's prompt and without a meeting is asked; once per partnership and quarter still."""
    mid_quarter = _at("2027-02-10T04:00")  # a Wednesday in Q1, weeks after its first working day
    assert run_job("quarterly-prompt", h.services, mid_quarter) == 0  # the scheduler: not its day
    _meeting_in(h, OTHER_CHANNEL, "Q1 <review>", _at("2027-02-20T17:00"), "2027Q1")
    report = run_by_hand("quarterly-prompt", h.services, mid_quarter)
    assert report.done == 2
    assert _report(report) == {
        "深职院–华为": "posted Q1 2027's prompt to schedule the review",
        "Other College–Acme": "meeting already scheduled: “Q1 <review>” on 2027-02-20 09:00 (America/Los_Angeles); "
                              "no prompt needed",
        "UTC Partners": "posted Q1 2027's prompt to schedule the review"}
    posts = _posts(h)
    assert set(posts) == {CHANNEL, UTC_CHANNEL}
    assert posts[CHANNEL] == ["Q1 2027: this quarter's cooperation review is not scheduled yet. Time to schedule it."]
    [message] = h.channel_messages(UTC_CHANNEL)
    [button] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == MeetingActionId.OPEN_SCHEDULE and button["value"].endswith(":2027Q1")

    again = run_by_hand("quarterly-prompt", h.services, mid_quarter + timedelta(days=1))
    assert again.done == 0
    assert _report(again)["深职院–华为"] == "Q1 2027's prompt already posted on 2027-02-10"
    assert run_job("quarterly-prompt", h.services, _at("2027-01-04T12:00") + timedelta(days=365)) == 3  # 2028Q1
    assert run_job("quarterly-prompt", h.services, _at("2028-01-05T12:00")) == 0
    with h.db.session() as session:
        periods = session.scalars(select(JobRun.period).where(JobRun.job == "quarterly-prompt")).all()
    assert sorted(periods) == ["2027Q1", "2027Q1", "2028Q1", "2028Q1", "2028Q1"]


def test_a_partnership_added_mid_quarter_is_prompted_when_it_is_added(h: Harness) -> None:
    h.services.clock = lambda: _at("2027-05-12T02:00")  # Q2 began weeks ago
    partnership, prompt = h.services.add_partnership(PartnershipInput(
        name="新合作 <x>", school="S", enterprise="E", channel_id="C0NEWPART", timezone="Asia/Shanghai"))
    assert prompt.outcome == PromptOutcome.POSTED and prompt.quarter.key == "2027Q2"
    panel, prompted = _posts(h)["C0NEWPART"]  # the channel's coopbot panel first (its name escaped), then the prompt
    assert panel.startswith("coopbot for *新合作 &lt;x&gt;*") and list(_posts(h)) == ["C0NEWPART"]
    assert prompted == "Q2 2027: this quarter's cooperation review is not scheduled yet. Time to schedule it."
    assert run_job("quarterly-prompt", h.services, _at("2027-05-13T02:00")) == 0
    assert _report(run_by_hand("quarterly-prompt", h.services, _at("2027-05-13T02:00")))[partnership.name] == (
        "Q2 2027's prompt already posted on 2027-05-12")
    assert run_job("quarterly-prompt", h.services, _at("2027-07-01T02:00")) >= 1  # next quarter, as usual
    assert len(_posts(h)["C0NEWPART"]) == 3


def test_digests_run_by_hand_say_per_partnership_what_they_posted(h: Harness) -> None:
    now = _at("2027-02-10T04:00")
    weekly = run_by_hand("digest", h.services, now)
    assert weekly.done == 3
    assert _report(weekly)["深职院–华为"] == "posted the digest of week 2027-W06 (2027-02-03 – 2027-02-09)"
    again = run_by_hand("digest", h.services, now + timedelta(hours=1))
    assert again.done == 0
    assert _report(again)["Other College–Acme"] == "the digest of week 2027-W06 already posted on 2027-02-09"

    # Mid-quarter, by hand: the last quarter that ended, never the current one so far (its end would find it done)
    review = run_by_hand("quarter-end-digest", h.services, now)
    assert review.done == 3
    assert _report(review)["UTC Partners"] == "posted Q4 2026 in review (2026-10-01 – 2026-12-31)"
    assert "Q4 2026 in review" in _posts(h)[CHANNEL][-1]
    assert run_by_hand("quarter-end-digest", h.services, now + timedelta(days=1)).done == 0  # once per quarter
    assert run_job("quarter-end-digest", h.services, _at("2027-03-31T09:00")) == 3  # Q1's own, at its end
    late = run_by_hand("quarter-end-digest", h.services, _at("2027-04-02T09:00"))  # Q1 is the one due
    assert late.done == 0
    assert _report(late)["UTC Partners"] == "Q1 2027 in review already posted on 2027-03-31"


def test_other_jobs_run_by_hand_report_their_count(h: Harness) -> None:
    report = run_by_hand("reminders", h.services, utcnow())
    assert report.done == 0 and report.lines
    assert all(line.partnership is None and line.what.endswith(": 0") for line in report.lines)
    assert run_by_hand("housekeeping", h.services, utcnow()) == JobReport("housekeeping", 0)


def _age(db: Database, hours: float) -> None:
    """Make every problem `hours` old."""
    with db.transaction() as session:
        session.execute(update(Problem).values(created_at=utcnow() - timedelta(hours=hours)))


@pytest.mark.parametrize(("severity", "hours", "escalated"), [
    ("p1", 1.9, False), ("p1", 2.1, True), ("p2", 23, False), ("p2", 25, True),
    ("p3", 71, False), ("p3", 73, True), ("p4", 73, True),
])
def test_unacknowledged_problems_escalate_after_their_severity_allows(h: Harness, severity: str, hours: float,
                                                                      escalated: bool) -> None:
    assert h.report(TEACHER, severity=severity, category="hours").status == 200
    h.deliver()
    _age(h.db, hours)
    dms_before = len(h.dms_to(COORD_ENTERPRISE))
    assert run_job("reminders", h.services, utcnow()) == int(escalated)
    if escalated:
        assert run_job("reminders", h.services, utcnow() + timedelta(hours=1)) == 0  # once per problem
    h.deliver()
    assert (len(h.dms_to(COORD_ENTERPRISE)) > dms_before) is escalated
    [report] = h.channel_messages()
    notes = [m["text"] for m in h.thread(report["ts"]) if "Escalated" in m["text"]]
    assert len(notes) == int(escalated)
    if escalated:
        assert f"<@{COORD_SCHOOL}>" in notes[0] and f"<@{COORD_ENTERPRISE}>" in notes[0]


def test_an_acknowledged_problem_is_not_escalated(h: Harness) -> None:
    h.report(TEACHER, severity="p1", category="hours")
    h.deliver()
    h.click(MENTOR, "problem_acknowledge", h.channel_messages()[0])
    _age(h.db, 5)
    assert run_job("reminders", h.services, utcnow()) == 0


def test_a_reopened_problem_nobody_acknowledges_is_escalated_again_from_its_reopening(h: Harness) -> None:
    """Reopened, a P1 waits for acknowledgement as a new report does: escalated 2 h after the reopening (not
    after the report), once per reopening, and listed as overdue on the coordinators' App Home."""
    h.report(TEACHER, severity="p1", category="safety", description="脚手架松动")
    h.deliver()
    _age(h.db, 30)
    assert run_job("reminders", h.services, utcnow()) == 1  # the report's own wait
    [problem_id] = [p.id for p in _problems(h)]
    h.services.problems.acknowledge(problem_id, MENTOR)
    h.services.problems.resolve(problem_id, MENTOR, "已加固", "resolve-1")
    h.services.problems.reopen(problem_id, TEACHER, "又松了", "reopen-1")
    assert run_job("reminders", h.services, utcnow() + timedelta(hours=1, minutes=50)) == 0  # not yet
    assert run_job("reminders", h.services, utcnow() + timedelta(hours=2, minutes=10)) == 1
    assert run_job("reminders", h.services, utcnow() + timedelta(hours=3)) == 0  # once per reopening
    h.deliver()
    [report] = h.channel_messages()
    notes = [m["text"] for m in h.thread(report["ts"]) if "Escalated" in m["text"]]
    assert len(notes) == 2 and "Not acknowledged after 2 hours" in notes[1]  # counted from the reopening
    h.services.problems.acknowledge(problem_id, MENTOR)
    h.services.problems.resolve(problem_id, MENTOR, "已更换", "resolve-2")
    h.services.problems.reopen(problem_id, TEACHER, "第三次", "reopen-2")
    assert run_job("reminders", h.services, utcnow() + timedelta(hours=2, minutes=10)) == 1  # the next reopening
    with h.db.session() as session:
        late = session.scalars(select(Problem.id).where(overdue(utcnow() + timedelta(hours=2, minutes=10)))).all()
    assert late == [problem_id]  # the rule the coordinators' "Overdue" list reads


def _problems(h: Harness) -> list[Problem]:
    with h.db.session() as session:
        return list(session.scalars(select(Problem)))


def _seed_cooperation(h: Harness, today: date) -> None:
    """An exchange of each kind, a meeting with action items and an internship ending soon."""
    with h.db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.channel_id == CHANNEL))
        people = {p.slack_user_id: p for p in session.scalars(select(Person))}
        assert partnership
        for status, end in ((ExchangeStatus.PENDING, today + timedelta(days=60)),
                            (ExchangeStatus.CHANGES_REQUESTED, today + timedelta(days=60)),
                            (ExchangeStatus.ACTIVE, today + timedelta(days=20)),
                            (ExchangeStatus.ACTIVE, today - timedelta(days=1))):
            session.add(Exchange(partnership=partnership, person=people[TEACHER], requester=people[TEACHER],
                                 direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit=f"Lab {status.value}",
                                 purpose=Purpose.TEACHING, start_date=today - timedelta(days=30), end_date=end,
                                 confidentiality_acknowledged_at=utcnow(), status=status))
        meeting = Meeting(partnership=partnership, organiser=people[COORD_SCHOOL], title="Q4 review",
                          starts_at=utcnow() + timedelta(days=3), duration_minutes=60, quarter="2026Q4",
                          ics_uid="uid-digest")
        session.add(meeting)
        for n in range(7):
            session.add(ActionItem(meeting=meeting, owner=people[MENTOR], text=f"item {n}",
                                   due_date=today + timedelta(days=n)))
        session.execute(update(Intern).where(Intern.student_id == "S2024002")
                        .values(end_date=today + timedelta(days=10)))


def test_weekly_digest_reads_at_a_glance_with_links(h: Harness) -> None:
    h.report(TEACHER, severity="p1", category="safety")
    h.report(TEACHER, severity="p3", category="hours")
    h.deliver()
    _seed_cooperation(h, utcnow().date())
    tomorrow = utcnow() + timedelta(days=1)  # the weekly digest covers whole days, up to yesterday's
    assert run_job("digest", h.services, tomorrow) == 3
    assert run_job("digest", h.services, tomorrow) == 0  # same week: already posted
    h.deliver()
    digest = h.channel_messages()[-1]
    blocks = digest["blocks"]
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "2 opened, 0 resolved, 2 still open" in text
    assert "P1 – Critical: 1 opened · 0 resolved · 1 open" in text
    assert "Workplace safety or injury: 1 opened" in text
    assert "https://slack.com/archives/C0PARTNER/p" in text  # the oldest open ones link to their reports
    assert "Awaiting a decision: 1" in text and "Under way: 1" in text and "Due for assessment: 1" in text
    assert "Changes requested: 1" in text  # waiting on the requester, not counted as awaiting a decision
    assert "Next: Q4 review" in text and "Open action items: 7" in text and "…and 2 more" in text
    assert "欧阳娜娜 (S2024002)" in text
    with h.db.session() as session:
        assert len(session.scalars(select(JobRun).where(JobRun.job == "digest")).all()) == 3


def test_digest_lists_approved_exchanges_that_have_not_started_as_coming_up(h: Harness) -> None:
    """An exchange approved to start next week is not "No exchanges pending or under way": it is coming up,
    soonest start first, with its start date; one whose start date has come reads as under way."""
    today = utcnow().date()
    with h.db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.channel_id == CHANNEL))
        person = session.scalar(select(Person).where(Person.slack_user_id == TEACHER))
        assert partnership and person
        for unit, start in (("Later <lab>", today + timedelta(days=30)), ("Next week & co", today + timedelta(days=7)),
                            ("Started today", today)):
            session.add(Exchange(partnership=partnership, person=person, requester=person,
                                 direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit=unit, purpose=Purpose.TEACHING,
                                 start_date=start, end_date=start + timedelta(days=60),
                                 confidentiality_acknowledged_at=utcnow(), status=ExchangeStatus.APPROVED))
    run_job("digest", h.services, utcnow())
    h.deliver()
    sections = [b["text"]["text"] for b in h.channel_messages(CHANNEL)[-1]["blocks"] if b["type"] == "section"]
    text = "\n".join(sections)
    assert "No exchanges" not in text
    [coming] = [s for s in sections if "Coming up: 2" in s]
    lines = [line for line in coming.splitlines() if line.startswith("• ")]
    assert "Next week &amp; co" in lines[0] and "Later &lt;lab&gt;" in lines[1]
    next_week = today + timedelta(days=7)
    assert f"starts {next_week:%b} {next_week.day}, {next_week.year}" in lines[0]
    assert "Under way: 1" in text and "Started today" in text


def test_digest_lists_of_the_longest_exchanges_stay_whole(h: Harness) -> None:
    """Host units of the 200 characters the form allows, full of & < >: each kind of exchange keeps five whole
    items and its "…and N more", and no section is cut inside a link or an escape."""
    today = utcnow().date()
    with h.db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.channel_id == CHANNEL))
        person = session.scalar(select(Person).where(Person.slack_user_id == TEACHER))
        assert partnership and person
        for status in (ExchangeStatus.PENDING, ExchangeStatus.CHANGES_REQUESTED, ExchangeStatus.ACTIVE):
            for n in range(6):
                session.add(Exchange(partnership=partnership, person=person, requester=person,
                                     direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit=("研发&测试<中心>" * 25)[:200],
                                     purpose=Purpose.TEACHING, start_date=today - timedelta(days=30),
                                     end_date=today + timedelta(days=40 + n), confidentiality_acknowledged_at=utcnow(),
                                     status=status))
    assert run_job("digest", h.services, utcnow()) >= 1
    h.deliver()
    sections = [b["text"]["text"] for b in h.channel_messages()[-1]["blocks"] if b["type"] == "section"]
    kinds = [text for text in sections if "研发&amp;测试&lt;中心&gt;" in text]
    assert len(kinds) == 3
    for text in kinds:
        assert len(text) <= 3000 and text.count("<") == text.count(">")  # every link closed
        assert text.count("\n• ") == 5 and text.endswith("…and 1 more")
        assert "&" not in text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")  # no escape split


def _count_queries(db: Database, windows: dict[int, Window]) -> int:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.session() as session:
            collect(session, windows, "UTC")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])


def test_digest_query_count_does_not_grow_with_the_data(h: Harness, tmp_path: Path) -> None:
    now = utcnow()

    def windows() -> dict[int, Window]:
        with h.db.session() as session:
            ids = session.scalars(select(Partnership.id)).all()
        return {pid: Window(now - timedelta(days=7), now, now.date()) for pid in ids}

    h.report(TEACHER)
    small = _count_queries(h.db, windows())
    for n in range(12):
        h.report(TEACHER, severity=("p1", "p2", "p3", "p4")[n % 4], category=("safety", "pay", "hours")[n % 3])
    _seed_cooperation(h, now.date())
    for n in range(5):
        add_partnership(h.db, PartnershipInput(name=f"Extra {n}", school="S", enterprise="E",
                                               channel_id=f"C0EXTRA{n}AB", timezone="Asia/Shanghai"))
    assert _count_queries(h.db, windows()) == small == 12  # 8, and 4 for placement and recruitment


def test_quarter_end_digest_on_the_last_working_day(h: Harness) -> None:
    assert run_job("quarter-end-digest", h.services, _at("2027-03-30T12:00")) == 0
    assert run_job("quarter-end-digest", h.services, _at("2027-03-31T09:00")) == 3
    assert run_job("quarter-end-digest", h.services, _at("2027-04-01T09:00")) == 0  # already done
    assert "Q1 2027 in review" in _posts(h)[CHANNEL][0]


def test_coop_digest_is_for_coordinators(h: Harness) -> None:
    def ask(user: str, **extra: str) -> str:
        """The private answer, sent to the response_url after the (empty, immediate) ack."""
        seen = len(h.fake.calls_to("response_url"))
        reply = h.slack.command("/coop", "digest", user_id=user, **extra)
        assert reply.status == 200 and reply.text == ""
        return str(h.fake.wait_for("response_url", count=seen + 1)[-1].args["text"])

    assert "only a partnership's coordinators" in ask(TEACHER)
    assert f"<#{CHANNEL}>" in ask(COORD_SCHOOL, channel_id=CHANNEL, trigger_id="T1")
    assert "already been posted" in ask(COORD_SCHOOL, channel_id=CHANNEL, trigger_id="T1")
    assert list(_posts(h)) == [CHANNEL]
    with h.db.session() as session:
        assert session.scalar(select(OutboxMessage.channel)) == CHANNEL


def test_reminders_run_every_workflows_hooks_and_survive_a_broken_one(h: Harness,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler import jobs

    calls: list[str] = []

    def broken(services: Any, now: datetime) -> int:
        calls.append("broken")
        raise RuntimeError("boom")

    def working(services: Any, now: datetime) -> int:
        calls.append("working")
        return 2

    monkeypatch.setattr(jobs, "REMINDERS", (Reminder("broken", broken), Reminder("working", working)))
    assert run_job("reminders", h.services, utcnow()) == 2
    assert calls == ["broken", "working"]
    monkeypatch.undo()
    names = {part.run.__name__ for part in jobs.REMINDERS}
    assert {"send_meeting_reminders", "ask_for_minutes", "send_action_item_reminders"} <= names


def test_each_weekly_digest_covers_its_own_seven_days(h: Harness) -> None:
    """Two Mondays' digests: "Nov 30 – Dec 6", then "Dec 7 – Dec 13", midnight to midnight in the partnership's
    zone; a report made on Sunday evening there is counted by the first digest only."""
    with h.db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.channel_id == UTC_CHANNEL))
        assert partnership is not None
        session.add(Problem(partnership=partnership, intern=session.scalars(select(Intern)).first(),
                            reporter=session.scalars(select(Person)).first(), category="hours", severity="p3",
                            description="late shifts", occurred_on=date(2026, 12, 6), status="open",
                            created_at=_at("2026-12-06T23:30")))
    assert run_job("digest", h.services, _at("2026-12-07T09:00")) == 3
    assert run_job("digest", h.services, _at("2026-12-14T09:00")) == 3
    h.deliver()
    utc = [call.args for call in h.fake.calls_to("chat.postMessage") if call.args["channel"] == UTC_CHANNEL]
    assert [d["text"] for d in utc] == ["Cooperation digest · Nov 30, 2026 – Dec 6, 2026",
                                        "Cooperation digest · Dec 7, 2026 – Dec 13, 2026"]
    first, second = ("\n".join(b["text"]["text"] for b in d["blocks"] if b["type"] == "section") for d in utc)
    assert "Problems: 1 opened" in first and "Problems: 0 opened" in second
