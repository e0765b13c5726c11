"""App Home through the running app: each role's dashboard, paging, refresh after a change, strangers."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.exchanges.ids import ExchangeActionId
from bot.home.ids import HomeActionId
from bot.i18n.language import set_language
from bot.meetings.ids import MeetingActionId
from bot.problems.ids import ProblemActionId
from models.base import utcnow
from models.problem import Category, Problem, ProblemStatus, Severity
from models.roster import Intern, Membership, Partnership, Person, Role
from tests.support.exchanges import request
from tests.support.harness import COORD_SCHOOL, MEMBER, MENTOR, NOBODY, OUTSIDER, TEACHER, Harness


def open_home(h: Harness, user: str) -> dict[str, Any]:
    h.slack.event({"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"})
    h.deliver()
    return dict(h.fake.home(user))


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def action_ids(view: dict[str, Any]) -> list[str]:
    found = []
    for block in view["blocks"]:
        found += [e["action_id"] for e in block.get("elements") or [] if "action_id" in e]
        if "action_id" in (block.get("accessory") or {}):
            found.append(block["accessory"]["action_id"])
    return found


def button_values(view: dict[str, Any], action_id: str) -> list[str]:
    found = []
    for block in view["blocks"]:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                found.append(str(element.get("value")))
    return found


def add_problems(h: Harness, count: int, *, student_id: str = "S2024001", age: timedelta = timedelta(0)) -> None:
    """`count` open problems straight into the database (what many reports over months leave behind)."""
    with h.db.transaction() as session:
        intern = session.scalar(select(Intern).where(Intern.student_id == student_id))
        assert intern is not None
        reporter = session.scalar(select(Person).where(Person.id == intern.teacher_id))
        for n in range(count):
            session.add(Problem(partnership_id=intern.partnership_id, intern=intern, reporter=reporter,
                                category=Category.HOURS, severity=list(Severity)[n % 4], description=f"问题 {n}",
                                occurred_on=date(2027, 1, 1), status=ProblemStatus.OPEN,
                                created_at=utcnow() - age - timedelta(minutes=n)))


def test_a_teacher_sees_their_interns_and_their_open_problems(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="宿舍没有热水", category="living", severity="p3")
    home = open_home(h, TEACHER)
    text = text_of(home)
    assert "Your interns" in text and "张伟 (S2024001)" in text and "1 open problem" in text
    assert "欧阳娜娜" not in text  # another teacher's intern
    assert "Waiting for your acknowledgement" in text and "宿舍没有热水" in text
    assert "Partnership overview" not in text
    ids = action_ids(home)
    assert ProblemActionId.ACKNOWLEDGE in ids and HomeActionId.LOG_PROBLEM in ids
    assert HomeActionId.REQUEST_EXCHANGE in ids and MeetingActionId.OPEN_SCHEDULE not in ids
    assert HomeActionId.LANGUAGE in ids  # the language setting stays


def test_a_mentor_sees_problems_to_acknowledge_and_exchanges_to_review(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="加班没有加班费", category="pay")
    request(h)
    home = open_home(h, MENTOR)
    text = text_of(home)
    assert "Waiting for your acknowledgement" in text and "加班没有加班费" in text
    assert "Exchanges waiting for your decision" in text and "王芳" in text
    assert len(button_values(home, ProblemActionId.ACKNOWLEDGE)) == 1
    assert len(button_values(home, ExchangeActionId.REVIEW)) == 1


def test_a_mentor_sees_their_interns(harness: Harness) -> None:
    """Only teachers had a "Your interns" section; a mentor had no list of the interns they mentor."""
    h = harness
    h.report(TEACHER, description="加班没有加班费", category="pay")
    text = text_of(open_home(h, MENTOR))
    assert "Your interns" in text, text
    assert "张伟 (S2024001) — 软件测试" in text and "欧阳娜娜 (S2024002) — 硬件装配" in text
    assert "1 open problem" in text
    assert "Tom Jones" not in text  # another mentor's intern


def _interns_at(h: Harness, teacher: str, enterprise: str, names: list[str], ends: date) -> None:
    """`names` as interns of `teacher` (mentored by MENTOR) in a partnership with `enterprise`, straight into the
    database (a teacher's interns at several companies, or many that have finished)."""
    with h.db.transaction() as session:
        person = session.scalar(select(Person).where(Person.slack_user_id == teacher))
        mentor = session.scalar(select(Person).where(Person.slack_user_id == MENTOR))
        partnership = session.scalar(select(Partnership).where(Partnership.enterprise == enterprise))
        if partnership is None:
            partnership = Partnership(name=f"深职院–{enterprise}", school="深圳职业技术大学", enterprise=enterprise,
                                      channel_id=f"C0{len(enterprise)}X", timezone="Asia/Shanghai")
            session.add(Membership(partnership=partnership, person=person, role=Role.TEACHER))
        assert person is not None and mentor is not None
        for n, name in enumerate(names):
            session.add(Intern(student_id=f"{enterprise[:2]}{ends:%m%d}{n:02d}", name=name, partnership=partnership,
                               teacher=person, mentor=mentor, start_date=ends - timedelta(days=200), end_date=ends,
                               position="装配"))


def test_current_interns_come_first_by_enterprise_and_ended_ones_last(harness: Harness) -> None:
    """Ended internships were mixed in by name, eight to a page, with current ones on later pages."""
    h = harness
    finished = date.today() - timedelta(days=30)
    _interns_at(h, TEACHER, "华为技术有限公司", [f"Aaron {n}" for n in range(7)], finished)  # first by name
    _interns_at(h, TEACHER, "比亚迪股份有限公司", ["周杰", "陈晨"], date.today() + timedelta(days=90))
    home = open_home(h, TEACHER)
    lines = _interns_section(home).split("\n")
    assert lines[0] == "*Your interns* (1–8 of 10)"
    groups = {"*华为技术有限公司*": ["张伟 (S2024001)"], "*比亚迪股份有限公司*": ["周杰", "陈晨"]}
    wanted = [line for heading in sorted(groups) for line in (heading, *groups[heading])]  # by enterprise
    assert [next(w for w in wanted if w in line) for line in lines[1:6]] == wanted, lines
    assert lines[6] == "*Ended*" and all("Aaron" in line and ", ended " in line for line in lines[7:]), lines
    assert len(lines) == 12  # a title, three headings and eight interns: the last two ended ones come next
    h.slack.block_action(user_id=TEACHER, action_id=HomeActionId.NEXT_PAGE, value="interns:1", channel_id=None)
    h.deliver()
    second = _interns_section(h.fake.home(TEACHER)).split("\n")
    assert second[0] == "*Your interns* (9–10 of 10)" and second[1] == "*Ended*", second
    assert len(second) == 4 and all("Aaron" in line for line in second[2:]), second


def _interns_section(home: dict[str, Any]) -> str:
    [text] = [str(b["text"]["text"]) for b in home["blocks"]
              if b.get("text", {}).get("text", "").startswith("*Your interns*")]
    return text


def test_a_mentor_at_one_enterprise_sees_no_enterprise_headings(harness: Harness) -> None:
    h = harness
    _interns_at(h, TEACHER, "华为技术有限公司", ["Aaron"], date.today() - timedelta(days=3))
    lines = _interns_section(open_home(h, MENTOR)).split("\n")
    assert len(lines) == 5 and lines[0] == "*Your interns*" and lines[3] == "*Ended*", lines
    assert "张伟" in lines[1] and "欧阳娜娜" in lines[2] and "Aaron" in lines[4], lines


def test_a_coordinator_sees_the_partnership_overview_with_buttons_to_act(harness: Harness) -> None:
    h = harness
    add_problems(h, 3, age=timedelta(days=4))  # past every acknowledgement deadline
    h.report(TEACHER, description="刚刚报告", severity="p4")
    request(h)
    with h.db.transaction() as session:
        session.execute(update(Intern).where(Intern.student_id == "S2024002")
                        .values(end_date=date.today() + timedelta(days=10)))
    home = open_home(h, COORD_SCHOOL)
    text = text_of(home)
    assert "Partnership overview" in text and "*Overdue*\\n3" in text and "*Pending approvals*\\n1" in text
    assert "Overdue: not acknowledged in time" in text
    assert len(button_values(home, ProblemActionId.ACKNOWLEDGE)) == 3  # the overdue ones
    assert button_values(home, ExchangeActionId.REVIEW)  # the school coordinator decides for the sending side
    assert "Internships ending within 30 days" in text and "欧阳娜娜 (S2024002)" in text
    assert MeetingActionId.OPEN_SCHEDULE in action_ids(home)


def test_long_lists_are_paged_and_the_page_is_read_for_whoever_clicks(harness: Harness) -> None:
    h = harness
    add_problems(h, 150)
    home = open_home(h, TEACHER)
    assert len(home["blocks"]) <= 100
    assert "(1–8 of 150)" in text_of(home)
    [more] = button_values(home, HomeActionId.NEXT_PAGE)
    assert more == "awaiting:1"
    h.slack.block_action(user_id=TEACHER, action_id=HomeActionId.NEXT_PAGE, value=more, channel_id=None)
    h.deliver()
    page = h.fake.home(TEACHER)
    assert "(9–16 of 150)" in text_of(page) and button_values(page, HomeActionId.PREVIOUS_PAGE) == ["awaiting:0"]
    h.slack.block_action(user_id=TEACHER, action_id=HomeActionId.NEXT_PAGE, value="awaiting:99999", channel_id=None)
    h.deliver()
    assert "(145–150 of 150)" in text_of(h.fake.home(TEACHER))  # past the end: the last page
    # someone else sending the same value sees a page of their own lists, never the teacher's
    for user in (OUTSIDER, NOBODY):
        h.slack.block_action(user_id=user, action_id=HomeActionId.NEXT_PAGE, value="awaiting:1", channel_id=None)
        h.deliver()
        assert "张伟" not in text_of(h.fake.home(user))


def test_acknowledging_a_problem_republishes_the_mentors_and_the_teachers_homes(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="请假未批准")
    h.deliver()
    assert "请假未批准" in text_of(h.fake.home(MENTOR))  # the report itself refreshed it
    [problem_id] = button_values(open_home(h, MENTOR), ProblemActionId.ACKNOWLEDGE)
    before = {u: len([c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == u])
              for u in (MENTOR, TEACHER)}
    h.slack.block_action(user_id=MENTOR, action_id=ProblemActionId.ACKNOWLEDGE, value=problem_id, channel_id=None)
    h.deliver()
    for user in (MENTOR, TEACHER):
        published = [c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == user]
        assert len(published) > before[user], user
    mentor = text_of(h.fake.home(MENTOR))
    assert "Nothing waiting for you" in mentor and "请假未批准" in mentor  # now among their open problems
    assert button_values(h.fake.home(MENTOR), ProblemActionId.RESOLVE) == [problem_id]
    assert "Acknowledged" in text_of(h.fake.home(TEACHER))


def test_someone_on_no_roster_sees_how_to_get_added_and_nothing_else(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="秘密内容")
    text = text_of(open_home(h, NOBODY))
    assert "not on a coopbot roster" in text and "秘密内容" not in text and "张伟" not in text
    help_text = h.slack.command("/coop", "help", user_id=NOBODY).json()["text"]
    assert "not on a coopbot roster" in help_text and "What you can do" not in help_text


def test_help_says_what_each_role_may_do_as_the_matrix_says(harness: Harness) -> None:
    h = harness

    def help_for(user: str) -> str:
        return str(h.slack.command("/coop", "help", user_id=user).json()["text"])

    teacher, coordinator, member = help_for(TEACHER), help_for(COORD_SCHOOL), help_for(MEMBER)
    assert "log a problem with an intern (`/intern-issue`) — as teacher" in teacher
    assert "acknowledge a problem — as intern's teacher" in teacher
    assert "post a digest" not in teacher and "post a digest now (`/coop digest`) — as coordinator" in coordinator
    assert "log a problem" not in member and "request a staff exchange (`/exchange`) — as member" in member
    assert "never as" in coordinator  # nobody decides their own exchange


def test_help_gives_each_partnerships_roles_when_they_differ(harness: Harness) -> None:
    """A teacher and coordinator in one partnership and only a coordinator in another is not a teacher in both."""
    h = harness
    with h.db.transaction() as session:
        person = session.scalar(select(Person).where(Person.slack_user_id == COORD_SCHOOL))
        acme = session.scalar(select(Partnership).where(Partnership.name == "Other College–Acme"))
        assert person is not None and acme is not None
        session.add(Membership(person_id=person.id, partnership_id=acme.id, role=Role.COORDINATOR))
    text = str(h.slack.command("/coop", "help", user_id=COORD_SCHOOL).json()["text"])
    assert "Your roles: coordinator in Other College–Acme; " in text
    assert "teacher, coordinator in 深职院–华为" in text or "coordinator, teacher in 深职院–华为" in text
    same = str(h.slack.command("/coop", "help", user_id=TEACHER).json()["text"])
    assert "Your roles: teacher · 深职院–华为" in same  # one partnership: as before


def test_status_lists_the_callers_items(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="实习岗位与专业无关", category="skills_mismatch")
    h.settle()
    reply = h.slack.command("/coop", "status", user_id=TEACHER).json()
    shown = text_of(reply)
    assert reply["response_type"] == "ephemeral" and len(reply["blocks"]) <= 50
    assert "实习岗位与专业无关" in shown and "Next meeting" in shown and "Enterprise practice" in shown
    mentor = text_of(h.slack.command("/coop", "status", user_id=MENTOR).json())
    assert "Waiting for your acknowledgement" in mentor and "实习岗位与专业无关" in mentor


def test_home_help_and_status_in_chinese(harness: Harness) -> None:
    h = harness
    set_language(h.db, TEACHER, "zh_CN")
    h.report(TEACHER, description="宿舍没有热水")
    text = text_of(open_home(h, TEACHER))
    assert "您的实习生" in text and "待您受理" in text and "Your interns" not in text
    assert "您可以做的事" in h.slack.command("/coop", "help", user_id=TEACHER).json()["text"]
    assert "下次会议" in text_of(h.slack.command("/coop", "status", user_id=TEACHER).json())
