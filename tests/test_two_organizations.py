"""Two organizations, one partnership: the enterprise's people are in another Slack organization (Slack
Connect) or guests of the college's workspace. Slack delivers no slash command of theirs, so everything they
do starts from the channel's coopbot panel, from buttons on messages and from "My tasks" — driven here over
HTTP with the payloads Slack sends for them (their own `user.team_id` and `team.id`; a view submitted by them
says `app_installed_team_id`: the college's team)."""

from __future__ import annotations

import time
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from bot.delivery.fallback import SHOW_DETAILS
from bot.devtools.slack_requests import fill
from bot.exchanges import jobs
from bot.exchanges.ids import ExchangeActionId
from bot.internships.ids import InternshipActionId
from bot.meetings.ids import MeetingActionId
from bot.panel.ids import PanelActionId
from bot.problems.ids import ProblemActionId
from models.exchange import Exchange, ExchangeStatus
from models.internship import InternshipEvaluation
from models.meeting import MeetingInvitee, Rsvp
from models.problem import Problem, ProblemStatus
from models.roster import Intern, Partnership, Person
from tests.support.exchanges import END, START, decide, moment
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MEMBER, MENTOR, Harness
from tests.support.meetings import initial_answers, local_today
from tests.support.slack import buttons, text_of

ENTERPRISE_TEAM = "T0HUAWEI"
ENTERPRISE_PEOPLE = (MENTOR, COORD_ENTERPRISE, MEMBER)


def make_enterprise(h: Harness, mode: str) -> None:
    """Every enterprise person external (their own Slack team, no locale in users.info) or a guest."""
    for user in ENTERPRISE_PEOPLE:
        if mode == "external":
            h.slack.teams[user] = ENTERPRISE_TEAM
            h.fake.users[user] = {"id": user, "team_id": ENTERPRISE_TEAM}
        else:
            h.fake.users[user] = {"id": user, "is_restricted": True}


def the_panel(h: Harness) -> dict[str, Any]:
    found = [m for m in h.channel_messages() if PanelActionId.MY_TASKS in buttons(m)]
    assert len(found) == 1, found
    return found[0]


def bot_joins(h: Harness, channel: str = CHANNEL) -> None:
    assert h.slack.event({"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": channel,
                          "channel_type": "C", "team": h.slack.team_id}).status == 200
    h.deliver()


def click_in(h: Harness, user: str, view: dict[str, Any], action_id: str, value: str | None = None) -> None:
    """Click a button inside a modal (as Slack sends it: the view, no channel, no response_url)."""
    for block in view["blocks"]:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id and (value is None or element.get("value") == value):
                reply = h.slack.block_action(user_id=user, action_id=action_id, value=element.get("value"),
                                             block_id=block.get("block_id", "b"), channel_id=None, view=view)
                assert reply.status == 200, reply.text
                h.settle()
                return
    raise AssertionError(f"no button {action_id} ({value}) in the view")


def my_tasks(h: Harness, user: str) -> dict[str, Any]:
    before = len(h.fake.calls_to("views.open"))
    h.click(user, PanelActionId.MY_TASKS, the_panel(h))
    h.fake.wait_for("views.open", count=before + 1)
    view = h.last_modal()
    assert view["callback_id"] == "my_tasks"
    return view


def view_text(view: dict[str, Any]) -> str:
    return text_of({"blocks": view["blocks"], "text": ""})


def status_of(h: Harness, model: Any) -> Any:
    with h.db.session() as session:
        return session.scalars(select(model).order_by(model.id)).first().status


@pytest.mark.parametrize("mode", ["external", "guest"])
def test_the_enterprise_side_does_everything_from_the_panel(harness: Harness, mode: str) -> None:
    h = harness
    make_enterprise(h, mode)
    with h.db.transaction() as session:  # the enterprise's people read Chinese, whatever Slack says of them
        session.execute(update(Partnership).where(Partnership.channel_id == CHANNEL)
                        .values(enterprise_language="zh_CN"))

    # the bot joins the partnership's channel: the panel is posted and pinned
    bot_joins(h)
    panel = the_panel(h)
    assert buttons(panel) == [PanelActionId.LOG_PROBLEM, PanelActionId.REQUEST_EXCHANGE,
                              MeetingActionId.OPEN_SCHEDULE, PanelActionId.MY_TASKS]
    assert panel.get("pinned_to") == [CHANNEL]
    bot_joins(h)  # invited again: the same panel, brought up to date, not a second one
    assert the_panel(h)["ts"] == panel["ts"]

    # a mentor logs a problem from the panel, acknowledges and resolves it
    h.click(MENTOR, PanelActionId.LOG_PROBLEM, panel)
    report = h.last_modal()
    answers = {"intern_id": str(h.intern_id("S2024001")), "category": "safety", "severity": "p2",
               "description": "手指被夹伤", "occurred_on": local_today().isoformat()}
    assert h.slack.view_submission(report, fill(report, answers), user_id=MENTOR).text == ""
    h.deliver()
    [post] = [m for m in h.channel_messages() if ProblemActionId.ACKNOWLEDGE in buttons(m)]
    assert "手指被夹伤" in text_of(post)
    h.click(MENTOR, ProblemActionId.ACKNOWLEDGE, post)
    h.click(MENTOR, ProblemActionId.RESOLVE, post)
    note = h.last_modal()
    assert h.slack.view_submission(note, fill(note, {"text": "已处理"}), user_id=MENTOR).text == ""
    h.deliver()
    assert status_of(h, Problem) == ProblemStatus.RESOLVED

    # a problem the college reports waits on the mentor: My tasks lists it, and acknowledging works from there
    assert h.report(COORD_SCHOOL, student_id="S2024002", category="conduct", severity="p3",
                    description="迟到三次").text == ""
    h.deliver()
    notice = text_of(h.fake.messages("D" + MENTOR)[-1])
    assert "欧阳娜娜" in notice and "P3 – 一般" in notice  # the DM too is in their side's language
    tasks = my_tasks(h, MENTOR)
    assert "待您受理" in view_text(tasks) and "迟到三次" in view_text(tasks)
    click_in(h, MENTOR, tasks, ProblemActionId.ACKNOWLEDGE)
    h.deliver()
    with h.db.session() as session:
        acknowledged = session.scalar(select(Problem.status).where(Problem.description == "迟到三次"))
    assert acknowledged == ProblemStatus.ACKNOWLEDGED
    assert "迟到三次" not in view_text(my_tasks(h, MENTOR))

    # an enterprise engineer requests an exchange from the panel; both sides review it
    h.click(MEMBER, PanelActionId.REQUEST_EXCHANGE, the_panel(h))
    form = h.last_modal()
    answers = {"person": MEMBER, "direction": "enterprise_to_school", "host_unit": "信息学院",
               "purpose": "teaching", "start_date": START.isoformat(), "end_date": END.isoformat(),
               "expected_outcomes": "讲授一门课", "confidentiality": ["acknowledged"]}
    assert h.slack.view_submission(form, fill(form, answers), user_id=MEMBER).text == ""
    assert decide(h, COORD_SCHOOL, "approve").text == ""  # the host approver, from the DM
    h.deliver()
    tasks = my_tasks(h, COORD_ENTERPRISE)  # the sending coordinator, from My tasks
    assert "待您审批的人员交流" in view_text(tasks) and "赵磊" in view_text(tasks)  # in their side's language
    click_in(h, COORD_ENTERPRISE, tasks, ExchangeActionId.REVIEW)
    assert h.fake.calls_to("views.push"), "a form opened from a modal is pushed over it"
    review = h.last_modal()
    assert h.slack.view_submission(review, fill(review, {"decision": "approve"}), user_id=COORD_ENTERPRISE).text == ""
    h.deliver()
    assert status_of(h, Exchange) == ExchangeStatus.APPROVED

    # both sides assess at its end: the college's coordinator from the DM, the enterprise's from My tasks
    jobs.activate_started(h.services, moment(START))
    assert jobs.request_assessments(h.services, moment(END)) == 1
    h.deliver()
    h.services.exchanges.clock = h.services.home.clock = lambda: moment(END)
    tasks = my_tasks(h, COORD_ENTERPRISE)
    click_in(h, COORD_ENTERPRISE, tasks, ExchangeActionId.ASSESS)
    assess = h.last_modal()
    assert h.slack.view_submission(assess, fill(assess, {"rating": "good"}), user_id=COORD_ENTERPRISE).text == ""
    dm = [m for m in h.fake.messages("D" + COORD_SCHOOL) if ExchangeActionId.ASSESS in buttons(m)][-1]
    h.click(COORD_SCHOOL, ExchangeActionId.ASSESS, dm, channel="D" + COORD_SCHOOL)
    assess = h.last_modal()
    assert h.slack.view_submission(assess, fill(assess, {"rating": "excellent"}), user_id=COORD_SCHOOL).text == ""
    h.deliver()
    assert status_of(h, Exchange) == ExchangeStatus.ASSESSED
    assert ExchangeActionId.ASSESS not in str(my_tasks(h, COORD_ENTERPRISE)["blocks"])
    h.services.exchanges.clock = h.services.home.clock = h.services.clock

    # the sending side's coordinator confirms, and the certificate goes to the engineer who went, whose DMs Slack
    # refuses (another organization, and no channel shared with the bot now): a neutral line mentions them in
    # the panel's thread, "Show details" shows them alone the file, as a signed link coopbot serves
    h.services.held.public_url = "https://coop.example.edu"
    h.fake.refuse_dms[MEMBER] = "invalid_user_combination"
    confirm = [m for m in h.fake.messages("D" + COORD_ENTERPRISE) if ExchangeActionId.CONFIRM in buttons(m)][-1]
    h.click(COORD_ENTERPRISE, ExchangeActionId.CONFIRM, confirm, channel="D" + COORD_ENTERPRISE)

    def announced() -> list[dict[str, Any]]:
        return [m for m in h.fake.messages(CHANNEL) if SHOW_DETAILS in buttons(m) and f"<@{MEMBER}>" in text_of(m)]

    deadline = time.monotonic() + 30  # the channel's pace (a message a second after a burst) holds it a moment
    while not announced() and time.monotonic() < deadline:
        h.deliver()
        time.sleep(0.2)
    assert status_of(h, Exchange) == ExchangeStatus.COMPLETED
    assert announced() and all(m.get("thread_ts") == the_panel(h)["ts"] for m in announced())
    with h.db.session() as session:
        letter = session.scalars(select(Exchange)).one()
        number, pdf = letter.letter_number, letter.letter_pdf
    assert number and all(number not in text_of(m) for m in announced())  # the line says nothing private
    shown = len(h.fake.calls_to("views.open"))
    h.click(COORD_SCHOOL, SHOW_DETAILS, announced()[0])  # someone else: told privately it is not for them
    assert len(h.fake.calls_to("views.open")) == shown
    h.click(MEMBER, SHOW_DETAILS, announced()[0])
    details = h.last_modal()
    link = next(part.split("|")[0] for part in str(details).split("<") if part.startswith("https://coop.example.edu"))
    with urllib.request.urlopen(h.server.url + urlsplit(link).path, timeout=5) as reply:
        assert reply.status == 200 and reply.read() == pdf
    h.fake.refuse_dms.pop(MEMBER)

    # the enterprise coordinator schedules a meeting from the panel; the mentor answers it from My tasks
    h.click(COORD_ENTERPRISE, MeetingActionId.OPEN_SCHEDULE, the_panel(h))
    schedule = h.last_modal()
    values = {**initial_answers(schedule), "title": "季度会", "date": (local_today() + timedelta(days=7)).isoformat(),
              "start_time": "14:30", "location": "线上", "agenda": "实习生情况", "invitees": [COORD_SCHOOL, MENTOR]}
    assert h.slack.view_submission(schedule, fill(schedule, values), user_id=COORD_ENTERPRISE).text == ""
    h.deliver()
    tasks = my_tasks(h, MENTOR)
    assert "季度会" in view_text(tasks)
    assert tasks["title"]["text"] == "我的任务"  # their side's language: Slack gives no locale, never English
    click_in(h, MENTOR, tasks, MeetingActionId.RSVP_GOING)
    with h.db.session() as session:
        answered = session.scalar(select(MeetingInvitee.rsvp).join(Person, Person.id == MeetingInvitee.person_id)
                                  .where(Person.slack_user_id == MENTOR))
    assert answered == Rsvp.GOING
    assert "季度会" not in view_text(my_tasks(h, MENTOR))

    # a college teacher may not schedule from the panel: the service refuses, privately
    h.click(MEMBER, MeetingActionId.OPEN_SCHEDULE, the_panel(h))
    assert any("coordinators" in text or "联络人" in text for text in h.ephemerals())

    # what Slack told us of each enterprise person is stored
    with h.db.session() as session:
        people = {p.slack_user_id: p for p in session.scalars(select(Person))}
    for user in (MENTOR, COORD_ENTERPRISE, MEMBER):
        if mode == "external":
            assert people[user].slack_team_id == ENTERPRISE_TEAM and people[user].is_external, user
        else:
            assert people[user].is_guest and not people[user].is_external, user
    assert not people[COORD_SCHOOL].is_external and not people[COORD_SCHOOL].is_guest
    assert people[COORD_SCHOOL].slack_team_id == h.slack.team_id

    # the college's coordinator sees them marked in App Home, as Slack's badges mark them
    h.slack.event({"type": "app_home_opened", "user": COORD_SCHOOL, "tab": "home", "channel": "D0HOME"})
    h.deliver()
    home = text_of({"blocks": h.fake.home(COORD_SCHOOL)["blocks"], "text": ""})
    mark = "external" if mode == "external" else "guest"
    for user in ENTERPRISE_PEOPLE:
        assert f"<@{user}>" in home and mark in home, home
    assert f"<@{COORD_SCHOOL}>" not in home.split("People of another Slack organization")[1]
    # and in /coop admin, counted per partnership
    opened = len(h.fake.calls_to("views.open"))
    h.slack.command("/coop", "admin", user_id=COORD_SCHOOL)
    menu = h.fake.wait_for("views.open", count=opened + 1) and h.last_modal()
    counted = "⇄ 3 of another Slack organization, 0 guests" if mode == "external" else (
        "⇄ 0 of another Slack organization, 3 guests")
    assert counted in view_text(menu), view_text(menu)

    # an internship ends: the mentor sends its evaluation from My tasks
    with h.db.transaction() as session:
        session.execute(update(Intern).where(Intern.student_id == "S2024001")
                        .values(end_date=local_today() - timedelta(days=3)))
    tasks = my_tasks(h, MENTOR)
    assert "待填写的实习鉴定" in view_text(tasks) and "张伟" in view_text(tasks)
    click_in(h, MENTOR, tasks, InternshipActionId.EVALUATE, str(h.intern_id("S2024001")))
    form = h.last_modal()
    grades = {"attendance": "good", "professional_skills": "good", "attitude": "good", "safety_awareness": "good",
              "teamwork": "good", "certificate": ["issued"]}
    assert h.slack.view_submission(form, fill(form, grades), user_id=MENTOR).text == ""
    with h.db.session() as session:
        assert session.scalar(select(InternshipEvaluation.intern_id)) == h.intern_id("S2024001")
    assert "张伟" not in view_text(my_tasks(h, MENTOR))
