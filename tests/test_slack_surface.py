"""The rest of the Slack surface, through the running app: signatures, App Home, /coop, events."""

from __future__ import annotations

import json
import time
import urllib.parse

from sqlalchemy import func, select

from bot.panel.ids import PanelActionId
from bot.slack.manifest import build_manifest
from bot.slack.surface import BOT_EVENTS, SLASH_COMMANDS
from models.delivery import OutboxMessage, OutboxStatus, ProcessedRequest
from models.problem import Problem
from tests.support.harness import CHANNEL, COORD_SCHOOL, MENTOR, NOBODY, TEACHER, Harness
from tests.support.slack import buttons, text_of


def test_unsigned_tampered_and_stale_requests_are_refused_and_change_nothing(harness: Harness) -> None:
    h = harness
    body = urllib.parse.urlencode({"command": "/intern-issue", "user_id": TEACHER, "trigger_id": "1.2.3",
                                   "team_id": "T0001", "channel_id": CHANNEL, "text": "",
                                   "response_url": h.fake.response_url("commands")}).encode()
    form = "application/x-www-form-urlencoded"
    assert h.slack.send(body, form, signature="v0=" + "0" * 64).status == 401
    stale = int(time.time()) - 10 * 60
    assert h.slack.send(body, form, timestamp=stale).status == 401
    assert h.slack.send(body, form, headers={"X-Slack-Signature": ""}).status == 401
    h.settle()
    assert h.fake.calls_to("views.open") == []
    assert h.slack.send(body, form).status == 200  # the same body, correctly signed, is accepted


def test_app_home_shows_a_persons_open_problems(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="宿舍没有热水", category="living", severity="p3")
    h.deliver()
    opened = {"type": "app_home_opened", "user": MENTOR, "channel": "D0MENTOR", "tab": "home"}
    assert h.slack.event(opened).status == 200
    h.deliver()
    home = h.fake.home(MENTOR)
    text = json.dumps(home, ensure_ascii=False)
    assert "Your open problems" in text and "宿舍没有热水" in text and "张伟 (S2024001)" in text


def test_app_home_tells_a_stranger_how_to_get_added_and_shows_no_data(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="秘密内容")
    h.slack.event({"type": "app_home_opened", "user": NOBODY, "channel": "D0NOBODY", "tab": "home"})
    h.deliver()
    text = json.dumps(h.fake.home(NOBODY), ensure_ascii=False)
    assert "not on a coopbot roster" in text and "秘密内容" not in text and "张伟" not in text


def test_a_retried_event_publishes_once_per_delivery_and_never_duplicates_records(harness: Harness) -> None:
    h = harness
    event = {"type": "app_home_opened", "user": TEACHER, "channel": "D0T", "tab": "home"}
    h.slack.event(event, event_id="Ev0001")
    h.slack.event(event, event_id="Ev0001", retry_num=1)
    h.deliver()
    # Opening App Home changes nothing, so a retry is simply answered again: two publishes of the same
    # home, no record of the event, no other row written.
    publishes = h.fake.calls_to("views.publish")
    assert [c.args["user_id"] for c in publishes] == [TEACHER, TEACHER]
    assert publishes[0].args["view"] == publishes[1].args["view"]
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Problem)) == 0
        assert session.scalar(select(func.count()).select_from(ProcessedRequest)) == 0


def test_coop_help_and_status_answer_privately(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="加班没有加班费", category="pay", severity="p2")
    h.settle()
    reply = h.slack.command("/coop", "status", user_id=TEACHER)
    assert reply.status == 200
    body = reply.json()
    assert "加班没有加班费" in json.dumps(body, ensure_ascii=False)
    assert body["response_type"] == "ephemeral"
    assert "/intern-issue" in h.slack.command("/coop", "help", user_id=TEACHER).json()["text"]
    assert "not on a coopbot roster" in h.slack.command("/coop", "status", user_id=NOBODY).json()["text"]
    unknown = h.slack.command("/coop", "<!channel>", user_id=TEACHER).json()["text"]
    assert "<!channel>" not in unknown


def test_a_mistyped_coop_word_answers_with_the_callers_own_help(harness: Harness) -> None:
    """A typo is not a reason to tell someone on the roster that they are not on it."""
    h = harness
    help_text = h.slack.command("/coop", "help", user_id=COORD_SCHOOL).json()["text"]
    typo = h.slack.command("/coop", "bogus", user_id=COORD_SCHOOL).json()["text"]
    assert typo.startswith("I don't know `bogus`.")
    assert typo.endswith(help_text) and "not on a coopbot roster" not in typo
    assert "not on a coopbot roster" in h.slack.command("/coop", "bogus", user_id=NOBODY).json()["text"]
    for word in ("帮助", "?", "？"):
        assert h.slack.command("/coop", word, user_id=COORD_SCHOOL).json()["text"] == help_text, word


def test_inviting_the_bot_delivers_what_waited_for_the_channel(harness: Harness) -> None:
    h = harness
    h.fake.not_in_channel.add(CHANNEL)
    h.report(TEACHER, description="请假未批准")
    h.deliver()
    assert h.channel_messages() == []
    assert any("/invite @coopbot" in text for text in h.dms_to(TEACHER))
    h.fake.not_in_channel.discard(CHANNEL)
    h.slack.event({"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": CHANNEL,
                   "channel_type": "C", "team": "T0001"})
    h.deliver()
    report, panel = h.channel_messages()  # what waited, then the channel's coopbot panel
    assert "请假未批准" in text_of(report) and PanelActionId.MY_TASKS in buttons(panel)
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status != OutboxStatus.SENT)) == 0


def test_someone_else_joining_does_not_requeue(harness: Harness) -> None:
    h = harness
    h.fake.not_in_channel.add(CHANNEL)
    h.report(TEACHER)
    h.deliver()
    h.fake.not_in_channel.discard(CHANNEL)  # the bot could post now: only a requeue would make it try
    h.slack.event({"type": "member_joined_channel", "user": MENTOR, "channel": CHANNEL, "team": "T0001"})
    h.deliver()
    assert h.channel_messages() == []
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status == OutboxStatus.PARKED)) == 1


def test_the_manifest_lists_exactly_what_the_app_listens_to(harness: Harness) -> None:
    manifest = build_manifest("https://coop.example.com")
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == {c.command for c in SLASH_COMMANDS}
    for command in declared:  # Bolt answers 404 for a request no listener handles
        assert harness.slack.command(command, "help", user_id=NOBODY).status == 200, command
    assert harness.slack.command("/not-ours", user_id=NOBODY).status == 404
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)
    for event in BOT_EVENTS:
        reply = harness.slack.event({"type": event, "user": NOBODY, "channel": CHANNEL, "tab": "home"})
        assert reply.status == 200, event
    assert harness.slack.event({"type": "reaction_added", "user": NOBODY}).status == 404
    harness.settle()


def test_healthz_reports_the_outbox(harness: Harness) -> None:
    import urllib.request

    harness.report(TEACHER)
    harness.settle()
    with urllib.request.urlopen(harness.server.url + "/healthz", timeout=5) as response:
        health = json.loads(response.read())
    assert health["database"] == "ok" and health["outbox"]["pending"] == _pending(harness) > 0


def test_metrics_count_requests_and_ack_latency(harness: Harness) -> None:
    import urllib.request

    harness.report(TEACHER)
    harness.settle()
    with urllib.request.urlopen(harness.server.url + "/metrics", timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    assert 'coopbot_slack_requests_total{kind="slash_command"} 1.0' in text
    assert 'coopbot_slack_requests_total{kind="view_submission"} 1.0' in text
    assert "coopbot_slack_ack_seconds_count 2.0" in text
    pending = next(line for line in text.splitlines() if line.startswith("coopbot_outbox_pending "))
    assert float(pending.split()[1]) == _pending(harness) >= 2  # the report's post, the mentor's DM, …


def _pending(h: Harness) -> int:
    with h.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status == OutboxStatus.PENDING)) or 0)


def test_every_response_carries_a_request_id(harness: Harness) -> None:
    reply = harness.slack.command("/coop", "help", user_id=TEACHER)
    assert len(reply.headers.get("X-Request-Id") or reply.headers.get("x-request-id") or "") == 16


def test_healthz_says_when_slack_refuses_the_bot_token(harness: Harness) -> None:
    """Messages wait while the token is refused, which no restart of the process fixes: /healthz stays 200
    but says "degraded" and why, so monitoring reaches the operator."""
    import urllib.request

    h = harness

    def health() -> dict[str, object]:
        with urllib.request.urlopen(h.server.url + "/healthz", timeout=5) as response:
            assert response.status == 200
            return dict(json.loads(response.read()))

    assert health()["status"] == "ok" and health()["slack"] == "ok"
    assert h.report(TEACHER).text == ""  # stored; its messages wait in the outbox
    h.settle()
    h.fake.fail("*", error="invalid_auth", times=1000)  # then Slack refuses the token
    h.deliver()
    state = health()
    assert state["status"] == "degraded"
    assert state["slack"] == "bot token refused (invalid_auth): check SLACK_BOT_TOKEN"
    assert state["outbox"]["pending"] >= 1 and state["outbox"]["failed"] == 0  # type: ignore[index]


def test_a_refusal_in_app_home_or_a_modal_is_shown_over_it_and_a_dm_only_if_that_fails(harness: Harness) -> None:
    """App Home and modals have no channel for an ephemeral message: the refusal opens a small modal over
    App Home (or is pushed over the modal); a DM carries it only when Slack will not show that."""
    from bot.compliance.forms import ComplianceActionId

    h = harness
    intern = str(h.intern_id("S2024001"))  # 王芳's (TEACHER's) intern: MENTOR does not keep its checklist
    home = {"id": "VHOME", "type": "home", "blocks": []}
    h.slack.block_action(user_id=MENTOR, action_id=ComplianceActionId.OPEN, value=intern, view=home, channel_id=None)
    h.settle()
    [shown] = [c.args["view"] for c in h.fake.calls_to("views.open")]
    assert shown["title"]["text"] == "coopbot" and "only the intern's teacher" in str(shown["blocks"])
    assert not h.dms_to(MENTOR)
    h.fake.fail("views.open", error="expired_trigger_id")
    h.slack.block_action(user_id=MENTOR, action_id=ComplianceActionId.OPEN, value=intern, view=home, channel_id=None)
    h.settle()
    assert any("only the intern's teacher" in text for text in h.dms_to(MENTOR))


def test_inviting_the_bot_delivers_at_once_even_while_its_user_id_is_unknown(harness: Harness) -> None:
    """auth.test failed a moment ago, so the request's context lacks the bot's user id (asked again only after a
    minute): the event's own `authorizations` still say the member who joined is the bot."""
    h = harness
    h.fake.fail("auth.test", error="internal_error", times=1)
    h.fake.not_in_channel.add(CHANNEL)
    h.report(TEACHER, description="请假未批准")  # the first request: its auth.test fails
    h.deliver()
    assert h.channel_messages() == []
    assert [c.args for c in h.fake.calls_to("auth.test")] != []
    h.fake.not_in_channel.discard(CHANNEL)
    h.slack.event({"type": "member_joined_channel", "user": h.fake.bot_user_id, "channel": CHANNEL,
                   "channel_type": "C", "team": "T0001"})
    h.settle()
    h.deliver()
    report, panel = h.channel_messages()
    assert "请假未批准" in text_of(report) and PanelActionId.MY_TASKS in buttons(panel)


def test_an_options_list_never_waits_for_slack_to_say_the_persons_language(harness: Harness) -> None:
    """The intern search answers in its ack, so it uses the Slack locale only if already known: no users.info
    call (which could take seconds) runs before it."""
    from bot.problems.ids import ProblemActionId

    h = harness
    reply = h.slack.block_suggestion(user_id=TEACHER, action_id=ProblemActionId.INTERN_SELECT, block_id="intern_id",
                                     value="S2024")
    assert reply.status == 200 and reply.json()["options"]
    assert "(S2024001)" in json.dumps(reply.json(), ensure_ascii=False)
    assert h.fake.calls_to("users.info") == []


def test_a_report_of_emoji_and_rare_characters_fits_slacks_count_in_every_message(harness: Harness) -> None:
    """1,500 emoji and rare CJK ideographs (Extension B) are 1,500 characters by `len` but 3,000 UTF-16 units,
    Slack's strictest count: the report's post, its DMs and App Home must each fit by that count (the fake Slack
    refuses what does not), and the whole text still reaches the channel."""
    h = harness
    description = ("😀𠀀" * 750)
    assert h.report(TEACHER, description=description).status == 200
    h.deliver()
    h.slack.event({"type": "app_home_opened", "user": MENTOR, "channel": "D0MENTOR", "tab": "home"})
    h.deliver()
    assert h.fake.refused_blocks == []
    post = h.channel_messages()[-1]
    texts = "".join(b["text"]["text"] for b in post["blocks"] if b.get("type") == "section" and "text" in b)
    assert description in texts
    assert "😀𠀀" in json.dumps(h.fake.home(MENTOR), ensure_ascii=False)
