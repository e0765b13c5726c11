"""Issue #21, end to end: coopbot installed through Slack's OAuth flow by a college's workspace and a company's,
the partnership linked from Slack by both, and each side working in its own workspace — its own slash commands,
App Home and DMs — through its own installation, while a second college and company run beside them and never
see the first. The app's clock is the test's: tokens rotate as it passes their lifetime; the company uninstalls
and installs again.

Everything that happens is a signed request as Slack sends it (or the scheduler's job at the clock's time);
the database is read only to assert."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.devtools.slack_requests import SlackRequests, fill
from bot.exchanges import jobs
from bot.exchanges.ids import ExchangeActionId
from bot.installs.ids import LinkActionId
from bot.meetings.ids import MeetingActionId
from bot.problems.ids import ProblemActionId
from bot.roster.importer import import_interns, import_people
from bot.roster.partnerships import add_partnership
from bot.storage.db import Database
from models.delivery import OutboxMessage, OutboxStatus
from models.exchange import Exchange, ExchangeStatus
from models.meeting import MeetingInvitee, Rsvp
from models.problem import Problem, ProblemStatus
from models.roster import Partnership, Person
from models.schemas import PartnershipInput
from tests.support.exchanges import END, START, moment
from tests.support.harness import Harness, dm
from tests.support.installs import COLLEGE, COMPANY, Clock, bot_token, install, running_oauth_app, slack_from, token_of
from tests.support.meetings import initial_answers, local_today
from tests.support.slack import buttons, text_of

COLLEGE_B, COMPANY_B = "T0COLLEGEB", "T0COMPANYB"
A_NAME, B_NAME = "深职院–华为", "Other College–Acme"
A_CHANNEL, B_CHANNEL = "C0PARTNER", "C0OTHER"
# Pair A: the college's teacher and coordinator; the company's mentor, coordinator and an engineer.
TEACHER, COORD_S, MENTOR, COORD_E, ENGINEER = "U0TEACHER", "U0COORDS", "U0MENTOR", "U0COORDE", "U0MEMBER"
# Pair B: the other college's teacher-coordinator; the other company's mentor and coordinator.
TEACHER_B, MENTOR_B, COORD_E_B = "U0OUTSIDER", "U0MENTOR2", "U0COORDB"
WORKSPACE = {TEACHER: COLLEGE, COORD_S: COLLEGE, MENTOR: COMPANY, COORD_E: COMPANY, ENGINEER: COMPANY,
             TEACHER_B: COLLEGE_B, MENTOR_B: COMPANY_B, COORD_E_B: COMPANY_B}
PAIR_A, PAIR_B = (TEACHER, COORD_S, MENTOR, COORD_E, ENGINEER), (TEACHER_B, MENTOR_B, COORD_E_B)
A_WORDS = (A_NAME, "深圳职业技术大学", "华为", "张伟", "S2024001", A_CHANNEL, "右手被机器划伤")

PEOPLE = f"""slack_user_id,name,email,side,roles,partnership
{TEACHER},王芳,wangfang@szpt.edu.cn,school,teacher,{A_NAME}
{COORD_S},陈静,chenjing@szpt.edu.cn,school,coordinator;teacher,{A_NAME}
{MENTOR},李强,liqiang@huawei.com,enterprise,mentor,{A_NAME}
{COORD_E},张敏,zhangmin@huawei.com,enterprise,coordinator,{A_NAME}
{ENGINEER},赵磊,zhaolei@huawei.com,enterprise,member,{A_NAME}
{TEACHER_B},Olivia Smith,olivia@other.example,school,teacher;coordinator,{B_NAME}
{MENTOR_B},Bob Lee,bob@acme.example,enterprise,mentor,{B_NAME}
{COORD_E_B},Carol King,carol@acme.example,enterprise,coordinator,{B_NAME}
"""
INTERNS = f"""student_id,name,partnership,teacher,mentor,start_date,end_date,position
S2024001,张伟,{A_NAME},{TEACHER},{MENTOR},2026-09-01,2027-06-30,软件测试
A0001,Tom Jones,{B_NAME},{TEACHER_B},{MENTOR_B},2026-09-01,2027-06-30,Welder
"""


# --- the four organizations ------------------------------------------------------------------------------
def _roster(db: Database, tmp_path: Path) -> None:
    """The two partnerships, and their people and interns through the CSV importers (as the CLI takes them)."""
    add_partnership(db, PartnershipInput(name=A_NAME, school="深圳职业技术大学", enterprise="华为技术有限公司",
                                         channel_id=A_CHANNEL, timezone="Asia/Shanghai"))
    add_partnership(db, PartnershipInput(name=B_NAME, school="Other College", enterprise="Acme Ltd",
                                         channel_id=B_CHANNEL, timezone="Asia/Shanghai"))
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    import_people(db, tmp_path / "people.csv")
    (tmp_path / "interns.csv").write_text(INTERNS, encoding="utf-8")
    import_interns(db, tmp_path / "interns.csv")


def from_(h: Harness, team: str, **elsewhere: str) -> Harness:
    """The harness with its requests sent from `team`'s workspace (the support flows send through `h.slack`);
    `elsewhere`: people of another organization acting there (Slack Connect), by their own team."""
    slack: SlackRequests = slack_from(h, team)
    slack.teams.update(elsewhere)
    return replace(h, slack=slack)


def _tokens(h: Harness, *teams: str) -> set[str]:
    """Every token Slack ever issued to these workspaces' installations."""
    return {token for team in teams for token in h.fake.oauth.tokens_of(team)}


def _latest(h: Harness, team: str) -> str:
    return h.fake.oauth.tokens_of(team)[-1]


def _calls_for(h: Harness, method: str, key: str, value: str, since: int = 0) -> list[Any]:
    return [c for c in h.fake.calls[since:] if c.method == method and c.args.get(key) == value]


def _home(h: Harness, team: str, user: str) -> tuple[dict[str, Any], Any]:
    """`user` opens coopbot's App Home in `team`'s workspace: the view published for them, and its call."""
    before = len(h.fake.calls)
    assert slack_from(h, team).event({"type": "app_home_opened", "user": user, "tab": "home"}).status == 200
    h.deliver()
    published = _calls_for(h, "views.publish", "user_id", user, before)
    assert published, f"no App Home published for {user}"
    return h.fake.home(user), published[-1]


def _home_button(view: dict[str, Any], action_id: str) -> dict[str, Any]:
    [found] = [e for b in view.get("blocks") or [] for e in [b.get("accessory") or {}, *(b.get("elements") or [])]
               if e.get("action_id") == action_id]
    return found


def _link(h: Harness, college: str, company: str, coordinator: str, enterprise_coordinator: str,
          channel: str) -> None:
    """The college's coordinator links the partnership in its channel; the enterprise's accepts from the App
    Home coopbot publishes to them in the company's workspace, through the company's installation."""
    reply = slack_from(h, college).command("/coop", "link", user_id=coordinator, channel_id=channel)
    assert "is linked to coopbot in this workspace" in str(reply.json().get("text")), reply.text
    h.deliver()
    home, published = _home(h, company, enterprise_coordinator)
    assert token_of(published) == _latest(h, company)
    accept = _home_button(home, LinkActionId.ACCEPT)
    reply = slack_from(h, company).block_action(user_id=enterprise_coordinator, action_id=LinkActionId.ACCEPT,
                                                value=accept.get("value"), channel_id=None, view=home)
    assert reply.status == 200, reply.text
    h.deliver()


def _post_with(h: Harness, channel: str, action_id: str) -> dict[str, Any]:
    [post] = [m for m in h.channel_messages(channel) if action_id in buttons(m)]
    return post


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def _addressee(call: Any) -> str | None:
    """Whom or where a Slack call is for: a channel, a DM, a person's App Home (None: it does not say)."""
    for key in ("channel", "user_id", "channel_id", "channels", "user"):
        value = call.args.get(key)
        if value:
            first = str(value).split(",")[0]
            return first[1:] if first[1:] in WORKSPACE and first.startswith("D") else first
    return None


# --- the story ---------------------------------------------------------------------------------------------
def test_two_organizations_each_through_their_own_installation_beside_a_pair_that_never_sees_them(
        db: Database, tmp_path: Path) -> None:
    _roster(db, tmp_path)
    clock = Clock()
    with running_oauth_app(db, clock=clock, token_rotation=True) as h:
        h.fake.oauth.add_workspace(COLLEGE_B, "Other College", bot_user_id="U0BOTCOLLB")
        h.fake.oauth.add_workspace(COMPANY_B, "Acme Ltd", bot_user_id="U0BOTCOMPB")
        for user, team in WORKSPACE.items():  # what Slack's users.info says of each: their own workspace
            h.fake.users[user] = {"id": user, "team_id": team, "locale": "en-US"}

        # four workspaces install coopbot through the OAuth flow
        for workspace in (COLLEGE, COMPANY, COLLEGE_B, COMPANY_B):
            status, page = install(h, workspace)
            assert status == 200, page
        assert {bot_token(db, w) for w in (COLLEGE, COMPANY, COLLEGE_B, COMPANY_B)} == _tokens(
            h, COLLEGE, COMPANY, COLLEGE_B, COMPANY_B)

        # each pair links its partnership from Slack
        _link(h, COLLEGE, COMPANY, COORD_S, COORD_E, A_CHANNEL)
        _link(h, COLLEGE_B, COMPANY_B, TEACHER_B, COORD_E_B, B_CHANNEL)
        with db.session() as session:
            linked = {p.name: (p.install_team_id, p.partner_team_id) for p in session.scalars(select(Partnership))}
        assert linked == {A_NAME: (COLLEGE, COMPANY), B_NAME: (COLLEGE_B, COMPANY_B)}
        linked_at = len(h.fake.calls)

        # the company's mentor reports a problem with their own /intern-issue, in the company's workspace
        company, college = from_(h, COMPANY), from_(h, COLLEGE)
        before = len(h.fake.calls)
        assert company.report(MENTOR).text == ""
        [opened] = [c for c in h.fake.calls[before:] if c.method == "views.open"]
        assert token_of(opened) == _latest(h, COMPANY)
        h.deliver()
        [channel_post] = _calls_for(h, "chat.postMessage", "channel", A_CHANNEL, before)
        assert token_of(channel_post) == _latest(h, COLLEGE)  # once, through the channel's host
        teacher_dms = _calls_for(h, "chat.postMessage", "channel", TEACHER, before)
        assert teacher_dms and {token_of(c) for c in teacher_dms} == {_latest(h, COLLEGE)}
        mentor_homes = _calls_for(h, "views.publish", "user_id", MENTOR, before)
        assert mentor_homes and {token_of(c) for c in mentor_homes} == {_latest(h, COMPANY)}
        # the teacher acknowledges from the channel's post, and resolves from the college's workspace
        post = _post_with(h, A_CHANNEL, ProblemActionId.ACKNOWLEDGE)
        college.click(TEACHER, ProblemActionId.ACKNOWLEDGE, post, channel=A_CHANNEL)
        h.deliver()
        college.click(TEACHER, ProblemActionId.RESOLVE, h.fake.message(A_CHANNEL, post["ts"]), channel=A_CHANNEL)
        note = h.last_modal()
        assert college.slack.view_submission(note, fill(note, {"text": "已处理"}), user_id=TEACHER).text == ""
        h.deliver()
        with db.session() as session:
            assert session.scalars(select(Problem.status)).all() == [ProblemStatus.RESOLVED]

        # the other pair's mentor reports one of theirs, from their own company's workspace
        assert from_(h, COMPANY_B).report(MENTOR_B, student_id="A0001", description="Burnt a hand").text == ""
        h.deliver()
        assert "Burnt a hand" in text_of(_post_with(h, B_CHANNEL, ProblemActionId.ACKNOWLEDGE))

        # the clock passes the tokens' refresh margin: each installation's token is refreshed once, and
        # what follows carries the new one
        first = {w: _latest(h, w) for w in (COLLEGE, COMPANY)}
        clock.now += timedelta(hours=10, minutes=30)

        # the college's coordinator schedules a meeting with /coop-meeting; the company's coordinator answers
        view = college.open_modal("/coop-meeting", COORD_S)
        values = {**initial_answers(view), "title": "季度会", "date": (local_today() + timedelta(days=7)).isoformat(),
                  "start_time": "14:30", "location": "线上", "agenda": "实习生情况", "invitees": [COORD_E, MENTOR]}
        assert college.slack.view_submission(view, fill(view, values), user_id=COORD_S).text == ""
        h.deliver()
        for workspace in (COLLEGE, COMPANY):  # refreshed once each (by Slack's word: oauth.v2.access)
            assert h.fake.oauth.tokens_of(workspace) == [first[workspace], bot_token(db, workspace)]
        meeting_post = _post_with(h, A_CHANNEL, MeetingActionId.RSVP_GOING)
        # the company's coordinator answers on the channel's post (Slack Connect: their own team on the click)
        from_(h, COLLEGE, **{COORD_E: COMPANY}).click(COORD_E, MeetingActionId.RSVP_GOING, meeting_post,
                                                       channel=A_CHANNEL)
        h.deliver()
        with db.session() as session:
            answered = session.scalar(select(MeetingInvitee.rsvp).join(Person, Person.id == MeetingInvitee.person_id)
                                      .where(Person.slack_user_id == COORD_E))
        assert answered == Rsvp.GOING
        assert f"<@{COORD_E}>" in text_of(h.fake.message(A_CHANNEL, meeting_post["ts"]))

        # the company's engineer requests an exchange to the college with their own /exchange
        form = company.open_modal("/exchange", ENGINEER)
        answers = {"person": ENGINEER, "direction": "enterprise_to_school", "host_unit": "信息学院",
                   "purpose": "teaching", "start_date": START.isoformat(), "end_date": END.isoformat(),
                   "expected_outcomes": "讲授一门课", "confidentiality": ["acknowledged"]}
        assert company.slack.view_submission(form, fill(form, answers), user_id=ENGINEER).text == ""
        for side, coordinator in ((college, COORD_S), (company, COORD_E)):  # each reviews from their own DM
            h.deliver()
            review = dm(h, coordinator, ExchangeActionId.REVIEW)
            side.click(coordinator, ExchangeActionId.REVIEW, review, channel="D" + coordinator)
            modal = h.last_modal()
            assert side.slack.view_submission(modal, fill(modal, {"decision": "approve"}),
                                              user_id=coordinator).text == ""
        h.deliver()
        with db.session() as session:
            assert session.scalar(select(Exchange.status)) == ExchangeStatus.APPROVED
        for coordinator, workspace in ((COORD_S, COLLEGE), (COORD_E, COMPANY)):
            asked = [c for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == coordinator
                     and ExchangeActionId.REVIEW in str(c.args.get("blocks"))]
            assert asked and {token_of(c) for c in asked} == {_latest(h, workspace)}, coordinator
        # it starts, and ends: the scheduler's jobs at the clock's time; both sides assess from their DMs
        clock.now = moment(START)
        jobs.activate_started(h.services, clock.now)
        clock.now = moment(END)
        assert jobs.request_assessments(h.services, clock.now) == 1
        for side, coordinator, rating in ((college, COORD_S, "excellent"), (company, COORD_E, "good")):
            h.deliver()
            side.click(coordinator, ExchangeActionId.ASSESS, dm(h, coordinator, ExchangeActionId.ASSESS),
                       channel="D" + coordinator)
            modal = h.last_modal()
            assert side.slack.view_submission(modal, fill(modal, {"rating": rating}), user_id=coordinator).text == ""
        h.deliver()
        with db.session() as session:
            assert session.scalar(select(Exchange.status)) == ExchangeStatus.ASSESSED
        # the company's coordinator confirms; the letter of appointment goes to the engineer, through the company's
        before = len(h.fake.calls)
        company.click(COORD_E, ExchangeActionId.CONFIRM, dm(h, COORD_E, ExchangeActionId.CONFIRM),
                      channel="D" + COORD_E)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not [c for c in h.fake.calls[before:]
                                                   if c.method == "files.completeUploadExternal"]:
            h.deliver()
            time.sleep(0.1)
        [letter] = [c for c in h.fake.calls[before:] if c.method == "files.completeUploadExternal"]
        assert ENGINEER in str(letter.args) and token_of(letter) == _latest(h, COMPANY)
        with db.session() as session:
            assert session.scalar(select(Exchange.status)) == ExchangeStatus.COMPLETED

        # the company uninstalls coopbot: the college's coordinators are told, through the college's
        before, rows_before = len(h.fake.calls), len(_outbox(db))
        uninstalled_at = before
        h.fake.oauth.uninstall(COMPANY)
        assert slack_from(h, COMPANY).event({"type": "app_uninstalled"}).status == 200
        h.settle()
        assert bot_token(db, COMPANY) is None
        h.deliver()
        told = [c for c in _calls_for(h, "chat.postMessage", "channel", COORD_S, before)
                if "华为技术有限公司" in str(c.args.get("text"))]
        assert len(told) == 1 and token_of(told[0]) == _latest(h, COLLEGE)
        # the company's people reach nothing through their own workspace meanwhile
        modals = len(h.fake.calls_to("views.open"))
        company.slack.command("/intern-issue", user_id=MENTOR)
        h.settle()
        assert len(h.fake.calls_to("views.open")) == modals
        # the teacher reports: the mentor's DM and App Home go through the college's bot, which shares the
        # partnership's channel with them (bot/installs/routing.py), not through the removed installation; so,
        # the college hosting the channel, nothing of this partnership has to wait for the company to come back
        assert college.report(TEACHER, description="迟到三次", category="conduct", severity="p3").text == ""
        h.deliver()
        mentor_calls = [c for c in h.fake.calls[before:] if _addressee(c) == MENTOR]
        assert mentor_calls and {token_of(c) for c in mentor_calls} == {_latest(h, COLLEGE)}
        held = [r for r in _outbox(db)[rows_before:] if r.status != OutboxStatus.SENT]
        assert held == [], [(r.kind, r.channel, r.last_error) for r in held]

        # the company installs coopbot again: the college's coordinators hear it resumed, once; nothing doubles
        before = reinstalled_at = len(h.fake.calls)
        status, page = install(h, COMPANY)
        assert status == 200, page
        h.deliver()
        resumed = [c for c in _calls_for(h, "chat.postMessage", "channel", COORD_S, before)
                   if "installed again" in str(c.args.get("text"))]
        assert len(resumed) == 1 and token_of(resumed[0]) == _latest(h, COLLEGE)
        assert {r.status for r in _outbox(db)} == {OutboxStatus.SENT}
        posted = [c for c in h.fake.calls if c.method == "chat.postMessage"]
        assert len(posted) == len({(c.args.get("channel"), c.args.get("text"), str(c.args.get("blocks")))
                                   for c in posted}), "a message was sent twice"
        # and the mentor's App Home goes through the company's new installation again
        _, published = _home(h, COMPANY, MENTOR)
        assert token_of(published) == _latest(h, COMPANY) == bot_token(db, COMPANY)

        # nothing of one pair went through the other's installations
        tokens_a, tokens_b = _tokens(h, COLLEGE, COMPANY), _tokens(h, COLLEGE_B, COMPANY_B)
        places_a = {A_CHANNEL, *PAIR_A}
        places_b = {B_CHANNEL, *PAIR_B}
        for call in h.fake.calls:
            where, token = _addressee(call), token_of(call)
            if where in places_a:
                assert token in tokens_a, (call.method, where)
            if where in places_b:
                assert token in tokens_b, (call.method, where)
            if token in tokens_b:
                assert where not in places_a, (call.method, where)
        for call in h.fake.calls_to("views.publish"):
            if call.args.get("user_id") in PAIR_B:
                shown = str(call.args.get("view"))
                assert not [word for word in A_WORDS if word in shown], shown
        # the other pair's App Home and export show only theirs
        home, _ = _home(h, COLLEGE_B, TEACHER_B)
        assert "Burnt a hand" in str(home) and not [word for word in A_WORDS if word in str(home)]
        before = len(h.fake.calls)
        reply = slack_from(h, COLLEGE_B).command("/coop", "export", user_id=TEACHER_B, channel_id=B_CHANNEL)
        assert reply.status == 200, reply.text
        h.deliver()
        said = " ".join(str(c.args) for c in h.fake.calls[before:] if c.method != "files.getUploadURLExternal")
        assert B_NAME in said and A_NAME not in said, said
        [export] = [f for f in h.fake.files.values() if str(f.get("name")).endswith(".xlsx")]
        with zipfile.ZipFile(io.BytesIO(export["content"])) as book:
            cells = " ".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
        assert "Burnt a hand" in cells and not [word for word in A_WORDS if word in cells]

        # each person heard through their own organization's installation once the partnerships were linked
        # (the company's people, while it was uninstalled, through the college's: above)
        for n, call in enumerate(h.fake.calls[linked_at:], start=linked_at):
            person = _addressee(call)
            if person in WORKSPACE and call.method != "users.info" and not (
                    uninstalled_at <= n < reinstalled_at and WORKSPACE[person] == COMPANY):
                assert token_of(call) in h.fake.oauth.tokens_of(WORKSPACE[person]), (call.method, person)
        with db.session() as session:  # and coopbot learnt from Slack which organization each one is of
            assert {p.slack_user_id: p.slack_team_id for p in session.scalars(select(Person))} == WORKSPACE

        # the tokens: each workspace's calls never went back to a token once a newer one was in use
        for workspace in (COLLEGE, COMPANY, COLLEGE_B, COMPANY_B):
            issued = h.fake.oauth.tokens_of(workspace)
            used = [issued.index(token_of(c)) for c in h.fake.calls if token_of(c) in issued]
            assert used == sorted(used), workspace
