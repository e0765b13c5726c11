"""A partnership channel's life in Slack Connect, driven by Slack's events over HTTP: its id changes when it is
shared, it is disconnected from the enterprise (posts held, never failed, the college's coordinators told),
frozen (`restricted_action`), shared again (what waited is posted). And the panel kept up to date."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, select, update

from bot.panel.ids import PanelActionId
from bot.problems.ids import ProblemActionId
from models.delivery import OutboxMessage, OutboxStatus
from models.operations import ChannelAlert
from models.roster import Partnership
from scheduler.jobs import run_by_hand as run_job
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness
from tests.support.slack import BOT_TOKEN, buttons, text_of


def statuses(h: Harness, channel: str) -> list[OutboxStatus]:
    with h.db.session() as session:
        return list(session.scalars(select(OutboxMessage.status).where(OutboxMessage.channel == channel)
                                    .order_by(OutboxMessage.id)))


def channel_of_partnership(h: Harness) -> str:
    with h.db.session() as session:
        return str(session.scalar(select(Partnership.channel_id).where(Partnership.name == "深职院–华为")))


def event(h: Harness, payload: dict[str, Any]) -> None:
    assert h.slack.event(payload).status == 200
    h.settle()
    h.deliver()


def test_a_channel_shared_later_keeps_its_partnership_its_posts_and_what_waited(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="请假未批准")
    h.deliver()
    [report] = h.channel_messages()
    h.fake.not_in_channel.add(CHANNEL)  # the acknowledgement's update waits (parked) for the channel
    h.click(MENTOR, ProblemActionId.ACKNOWLEDGE, report)
    h.deliver()
    assert OutboxStatus.PARKED in statuses(h, CHANNEL)

    # Slack shares the channel: its id changes, and Slack says so
    shared = "C0SHAREDNOW"
    event(h, h.fake.change_channel_id(CHANNEL, shared))
    assert channel_of_partnership(h) == shared
    assert statuses(h, CHANNEL) == [OutboxStatus.SENT]  # only what was delivered keeps the old id
    h.fake.not_in_channel.discard(shared)
    event(h, {"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": shared, "channel_type": "C"})
    moved = [m for m in h.fake.messages(shared) if not m.get("thread_ts")]
    assert moved[0]["edited"] and f"Acknowledged by <@{MENTOR}>" in text_of(moved[0])  # updated where it is now
    assert PanelActionId.MY_TASKS in buttons(moved[-1])  # the panel, in the channel under its new id
    h.report(TEACHER, description="新的问题")
    h.deliver()
    assert "新的问题" in text_of(h.fake.messages(shared)[-1])
    assert all(s == OutboxStatus.SENT for s in statuses(h, shared))


def test_a_disconnected_channel_holds_its_posts_until_it_is_shared_again(harness: Harness) -> None:
    h = harness
    event(h, {"type": "channel_unshared", "channel": CHANNEL, "previously_connected_team_id": "T0HUAWEI",
              "is_ext_shared": False})
    [notice] = h.dms_to(COORD_SCHOOL)
    assert f"<#{CHANNEL}> is no longer shared with 华为技术有限公司" in notice

    def notices() -> list[str]:
        return [text for text in h.dms_to(COORD_SCHOOL) if "no longer shared" in text]

    assert h.dms_to(COORD_ENTERPRISE) == []  # the college's coordinators: the enterprise cannot see it anyway
    h.report(TEACHER, description="请假未批准")
    h.deliver()
    assert h.channel_messages() == []
    assert statuses(h, CHANNEL) == [OutboxStatus.PARKED]  # held: undelivered, not failed
    event(h, {"type": "channel_unshared", "channel": CHANNEL, "is_ext_shared": False})  # told once
    assert len(notices()) == 1

    event(h, {"type": "channel_shared", "channel": CHANNEL, "connected_team_id": "T0HUAWEI"})
    [report] = h.channel_messages()
    assert "请假未批准" in text_of(report)
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ChannelAlert)) == 0


def test_a_channel_still_shared_with_another_organization_is_not_held(harness: Harness) -> None:
    h = harness
    event(h, {"type": "channel_unshared", "channel": CHANNEL, "is_ext_shared": True})
    h.report(TEACHER, description="请假未批准")
    h.deliver()
    assert len(h.channel_messages()) == 1 and h.dms_to(COORD_SCHOOL) != []  # the report's alert, not a hold


def test_a_frozen_shared_channel_parks_posts_and_says_the_real_fix(harness: Harness) -> None:
    h = harness
    h.fake.frozen.add(CHANNEL)
    h.report(TEACHER, description="请假未批准")
    h.deliver()
    assert statuses(h, CHANNEL) == [OutboxStatus.PARKED]
    assert any("share it again" in text and f"<#{CHANNEL}>" in text for text in h.dms_to(COORD_SCHOOL))
    h.fake.frozen.discard(CHANNEL)
    event(h, {"type": "shared_channel_invite_accepted", "approval_required": False,
              "channel": {"id": CHANNEL, "is_private": False, "name": "coop"}, "teams_in_channel": []})
    event(h, {"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": CHANNEL, "channel_type": "C"})
    assert "请假未批准" in text_of(h.channel_messages()[0])


def test_a_declined_invitation_tells_the_college(harness: Harness) -> None:
    h = harness
    event(h, {"type": "shared_channel_invite_declined", "channel": {"id": CHANNEL, "name": "coop"},
              "declining_team": {"id": "T0HUAWEI"}})
    assert any("was declined" in text for text in h.dms_to(COORD_SCHOOL))


def test_the_panel_is_posted_again_when_deleted_and_on_coop_panel(harness: Harness) -> None:
    h = harness
    event(h, {"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": CHANNEL, "channel_type": "C"})
    [panel] = h.channel_messages()
    WebClient(token=BOT_TOKEN, base_url=h.fake.url).chat_delete(channel=CHANNEL, ts=panel["ts"])  # someone did
    event(h, {"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": CHANNEL, "channel_type": "C"})
    [again] = h.channel_messages()
    assert PanelActionId.MY_TASKS in buttons(again) and again["ts"] != panel["ts"] and again.get("pinned_to")

    reply = h.slack.command("/coop", "panel", user_id=TEACHER)
    assert "Posting the coopbot panel" in reply.json()["text"]
    h.deliver()
    assert len(h.channel_messages()) == 2
    assert "not on a coopbot roster" in h.slack.command("/coop", "panel", user_id="U0NOBODY").json()["text"]
    elsewhere = h.slack.command("/coop", "panel", user_id=TEACHER, channel_id="C0ELSEWHERE").json()["text"]
    assert "not a partnership's channel" in elsewhere
    outsider = h.slack.command("/coop", "panel", user_id="U0OUTSIDER").json()["text"]
    assert "only people on this partnership's roster" in outsider


def test_a_panel_whose_words_changed_is_updated_in_place_by_the_reminders_job(harness: Harness) -> None:
    h = harness
    event(h, {"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": CHANNEL, "channel_type": "C"})
    [panel] = h.channel_messages()
    assert run_job("reminders", h.services).done == 0  # nothing changed: no call to Slack
    with h.db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.channel_id == CHANNEL).values(language="zh_CN"))
    report = run_job("reminders", h.services)
    assert report.done == 1 and any(line.what == "panels: 1" for line in report.lines)
    h.deliver()
    [updated] = h.channel_messages()
    assert updated["ts"] == panel["ts"] and updated["edited"] and "上报实习问题" in str(updated["blocks"])
    assert run_job("reminders", h.services).done == 0


def test_a_school_side_channel_whose_id_changes_keeps_receiving_school_side_reports(harness: Harness) -> None:
    h = harness
    with h.db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.name == "深职院–华为")
                        .values(school_channel_id="G0SCHOOLSIDE"))
    event(h, {"type": "channel_id_changed", "old_channel_id": "G0SCHOOLSIDE", "new_channel_id": "C0SCHOOLSIDE",
              "event_ts": "1700000000.000100"})
    with h.db.session() as session:
        assert session.scalar(select(Partnership.school_channel_id)
                              .where(Partnership.name == "深职院–华为")) == "C0SCHOOLSIDE"
    h.report(TEACHER, category="health", description="学生反映失眠焦虑")
    h.deliver()
    assert "学生反映失眠焦虑" in text_of(h.fake.messages("C0SCHOOLSIDE")[-1])
    assert all("学生反映失眠焦虑" not in text_of(m) for m in h.fake.messages(CHANNEL))
