"""A health report by a teacher stays on the school side (docs/decisions/0009-who-sees-what.md), end to end over
HTTP: whatever the fake Slack received — posts, updates, DMs, App Homes, digests, refusals — nothing of it reaches
the shared channel or an enterprise person."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.devtools.slack_requests import fill
from bot.permissions import Action
from bot.problems.ids import ProblemActionId
from bot.problems.jobs import escalate_unacknowledged
from models.problem import Problem
from models.roster import Partnership
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MEMBER, MENTOR, TEACHER, Harness
from tests.support.slack import text_of

SCHOOL_CHANNEL = "C0SCHOOLONLY"
ENTERPRISE = (MENTOR, COORD_ENTERPRISE, MEMBER)
# the report's words: its description, category and resolution (the intern's name is no secret: the mentor's App
# Home lists 张伟 as their intern, and the digest's compliance lines name interns)
PRIVATE = ("抑郁", "Health and mental health", "已康复")


def _set_school_channel(h: Harness, channel: str | None) -> None:
    with h.db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.channel_id == CHANNEL)
                        .values(school_channel_id=channel))


def _everything_sent_to(h: Harness, conversations: set[str]) -> list[str]:
    """Every call the fake Slack received that lands in one of `conversations` (a channel, a person, their DM,
    their App Home), as the JSON it carried."""
    found = []
    for call in h.fake.calls:
        args = call.args
        where = {str(args.get(k)) for k in ("channel", "channel_id", "user", "user_id", "users", "channels")}
        where |= {w.removeprefix("D") for w in where}
        if call.method == "views.publish" or where & conversations:
            if call.method == "views.publish" and str(args.get("user_id")) not in conversations:
                continue
            found.append(json.dumps(args, ensure_ascii=False))
    for call in h.fake.calls_to("response_url"):
        found.append(json.dumps(call.args, ensure_ascii=False))  # private replies: checked by who got them below
    return found


def _open_home(h: Harness, user: str) -> None:
    h.slack.event({"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"})
    h.deliver()


@pytest.mark.parametrize("school_channel", [SCHOOL_CHANNEL, None], ids=["school-side channel", "no such channel"])
def test_a_teachers_health_report_never_reaches_the_shared_channel_or_the_enterprise(
        harness: Harness, school_channel: str | None) -> None:
    h = harness
    _set_school_channel(h, school_channel)
    reply = h.report(TEACHER, category="health", severity="p1", description="抑郁症状，已陪同就医。")
    assert reply.status == 200 and reply.text == ""
    h.deliver()
    with h.db.session() as session:
        problem = session.scalars(select(Problem)).one()
        assert problem.school_only
    if school_channel:
        [post] = h.channel_messages(SCHOOL_CHANNEL)
        assert "抑郁症状" in text_of(post) and f"<@{MENTOR}>" not in text_of(post)
        assert "School-side only" in text_of(post)
    else:  # the report itself, with its buttons, in the teacher's DM... and a copy to the college's coordinator
        assert any("抑郁症状" in text_of(m) for m in h.fake.messages("D" + TEACHER))
        assert any("抑郁症状" in text_of(m) for m in h.fake.messages("D" + COORD_SCHOOL))
    assert h.channel_messages(CHANNEL) == []
    assert h.dms_to(MENTOR) == [] and h.dms_to(COORD_ENTERPRISE) == []

    # The mentor clicks a forged Acknowledge for it: refused as a report that does not exist, nothing changes.
    for user in ENTERPRISE:
        h.slack.block_action(user_id=user, action_id=ProblemActionId.ACKNOWLEDGE, value=str(problem.id),
                             channel_id=CHANNEL, message_ts="1.000001", response_url=h.fake.response_url(user))
        h.settle()
        h.slack.block_action(user_id=user, action_id=ProblemActionId.RESOLVE, value=str(problem.id),
                             channel_id=CHANNEL, message_ts="1.000001", response_url=h.fake.response_url(user))
        h.settle()
    refusals = [c.args for c in h.fake.calls_to("response_url")]
    assert len(refusals) == 2 * len(ENTERPRISE)
    assert all(r["text"] == "I could not find that item any more; it may have been removed." for r in refusals)
    with h.db.session() as session:
        assert session.scalars(select(Problem)).one().status.value == "open"

    # Nobody acknowledges it in time: escalated to the college's coordinators only.
    assert escalate_unacknowledged(h.services, datetime.now(UTC) + timedelta(hours=3)) == 1
    h.deliver()
    assert any("not been acknowledged" in text for text in h.dms_to(COORD_SCHOOL))
    assert h.dms_to(COORD_ENTERPRISE) == []

    # The teacher acknowledges and updates it; the school's coordinator resolves it.
    where = SCHOOL_CHANNEL if school_channel else "D" + TEACHER
    post = next(m for m in h.fake.messages(where) if "抑郁症状" in text_of(m))
    h.click(TEACHER, ProblemActionId.ACKNOWLEDGE, post, channel=where)
    h.deliver()
    for user in (*ENTERPRISE, TEACHER):  # while it is open: on the teacher's App Home, on no enterprise one
        _open_home(h, user)
    assert "抑郁症状" in json.dumps(h.fake.home(TEACHER), ensure_ascii=False)
    h.click(COORD_SCHOOL, ProblemActionId.RESOLVE, post, channel=where)
    modal = h.last_modal()
    assert h.slack.view_submission(modal, fill(modal, {"text": "已康复"}), user_id=COORD_SCHOOL).text == ""
    h.deliver()

    # Every App Home, a digest now, /coop status: nothing of it for the enterprise side, a count in the digest.
    for user in (*ENTERPRISE, COORD_SCHOOL):
        _open_home(h, user)
    assert h.services.digests.post_now(COORD_SCHOOL, CHANNEL, "digest-now") == [CHANNEL]
    h.deliver()
    [digest] = [m for m in h.channel_messages(CHANNEL)]
    assert "school-side report" in text_of(digest) and "1 opened, 1 resolved" in text_of(digest)
    for user in ENTERPRISE:
        assert h.slack.command("/coop", "status", user_id=user).status == 200
    h.settle()

    leaked = [sent for sent in _everything_sent_to(h, {CHANNEL, *ENTERPRISE})
              if any(word in sent for word in PRIVATE)]
    assert leaked == []
    assert [m["ts"] for m in h.fake.messages(CHANNEL)] == [digest["ts"]]  # the digest alone, no thread under it
    # the enterprise people's App Homes were published, and show no problem at all
    for user in ENTERPRISE:
        home: dict[str, Any] = h.fake.home(user)
        assert not any(word in json.dumps(home, ensure_ascii=False) for word in PRIVATE)


def test_the_school_side_box_is_drawn_for_college_people_and_ticking_it_keeps_an_ordinary_report_private(
        harness: Harness) -> None:
    h = harness
    _set_school_channel(h, SCHOOL_CHANNEL)
    view = h.open_modal("/intern-issue", MENTOR)
    assert "school_only" not in [b.get("block_id") for b in view["blocks"]]
    view = h.open_modal("/intern-issue", TEACHER)
    assert "school_only" in [b.get("block_id") for b in view["blocks"]]
    answers = {"intern_id": str(h.intern_id("S2024001")), "category": "mentoring", "severity": "p3",
               "description": "带教老师经常不在岗", "occurred_on": date.today().isoformat(), "school_only": ["yes"]}
    assert h.slack.view_submission(view, fill(view, answers), user_id=TEACHER).text == ""
    h.deliver()
    assert h.channel_messages(CHANNEL) == [] and h.dms_to(MENTOR) == []
    [post] = h.channel_messages(SCHOOL_CHANNEL)
    assert "带教老师经常不在岗" in text_of(post)


def test_coop_setup_links_a_school_side_channel_for_college_coordinators_only(harness: Harness) -> None:
    h = harness
    h.slack.command("/coop", "setup", user_id=COORD_ENTERPRISE, channel_id=SCHOOL_CHANNEL)
    view = h.fake.wait_for("views.open", count=1) and h.last_modal()
    pid = str(h.services.admin.partnerships_for(COORD_SCHOOL, Action.LINK_CHANNEL)[0].id)
    reply = h.slack.view_submission(view, fill(view, {"partnership": pid, "use": "school"}), user_id=COORD_ENTERPRISE)
    assert reply.json()["errors"] == {"use": "Only the college's coordinators can link the school-side channel."}
    h.slack.command("/coop", "setup", user_id=COORD_SCHOOL, channel_id=CHANNEL)  # the shared one: refused
    view = h.fake.wait_for("views.open", count=2) and h.last_modal()
    reply = h.slack.view_submission(view, fill(view, {"partnership": pid, "use": "school"}), user_id=COORD_SCHOOL)
    assert reply.json()["response_action"] == "errors"
    h.slack.command("/coop", "setup", user_id=COORD_SCHOOL, channel_id=SCHOOL_CHANNEL)
    view = h.fake.wait_for("views.open", count=3) and h.last_modal()
    reply = h.slack.view_submission(view, fill(view, {"partnership": pid, "use": "school"}), user_id=COORD_SCHOOL)
    assert reply.status == 200 and reply.text == ""
    h.deliver()
    with h.db.session() as session:
        linked = session.scalars(select(Partnership).where(Partnership.channel_id == CHANNEL)).one()
        assert linked.school_channel_id == SCHOOL_CHANNEL
    [post] = h.fake.messages(SCHOOL_CHANNEL)
    assert "school-side channel" in post["text"]
    h.report(TEACHER, category="health", severity="p3", description="焦虑")
    h.deliver()
    assert any("焦虑" in text_of(m) for m in h.fake.messages(SCHOOL_CHANNEL))
