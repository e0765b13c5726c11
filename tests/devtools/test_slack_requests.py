"""bot.devtools.slack_requests: fill() shapes, and signed requests accepted by a real Bolt app.

Bolt verifies the v0 signature and parses every payload, so a wrong shape here fails loudly.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_requests import SlackRequests, fill
from bot.serving.slack_body import SlackWsgiHandler
from tests.support.slack import BOT_TOKEN, modal, section

SECRET = "shhh-signing-secret"


# -- fill() ----------------------------------------------------------------------------------------


def _input(block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": block_id},
            "element": {"action_id": "a_" + block_id, **element}}


def _opt(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


FORM = modal(blocks=[
    section("intro"),
    _input("title", {"type": "plain_text_input"}),
    _input("sev", {"type": "static_select", "options": [_opt("hi", "高"), _opt("lo", "低")]}),
    _input("school", {"type": "external_select"}),
    _input("mentor", {"type": "users_select"}),
    _input("team", {"type": "multi_users_select"}),
    _input("chan", {"type": "conversations_select"}),
    _input("day", {"type": "datepicker"}),
    _input("at", {"type": "timepicker"}),
    _input("when", {"type": "datetimepicker"}),
    _input("tags", {"type": "checkboxes", "options": [_opt("a", "甲"), _opt("b", "乙")]}),
    _input("kind", {"type": "radio_buttons", "options": [_opt("x", "X")]}),
    _input("hours", {"type": "number_input", "is_decimal_allowed": False}),
])


def test_fill_shapes_every_element() -> None:
    v = fill(FORM, {"title": "宿舍网络", "sev": "hi", "school": "s-1", "mentor": "U2", "team": ["U2", "U3"],
                    "chan": "C5", "day": "2025-03-01", "at": "09:30", "when": 1740000000, "tags": ["b"],
                    "kind": "x", "hours": 12})
    assert v["title"]["a_title"] == {"type": "plain_text_input", "value": "宿舍网络"}
    assert v["sev"]["a_sev"]["selected_option"] == _opt("hi", "高")
    assert v["school"]["a_school"]["selected_option"]["text"]["text"] == "s-1"
    assert v["school"]["a_school"]["selected_option"]["value"] == "s-1"
    assert v["mentor"]["a_mentor"]["selected_user"] == "U2"
    assert v["team"]["a_team"]["selected_users"] == ["U2", "U3"]
    assert v["chan"]["a_chan"]["selected_conversation"] == "C5"
    assert v["day"]["a_day"]["selected_date"] == "2025-03-01"
    assert v["at"]["a_at"]["selected_time"] == "09:30"
    assert v["when"]["a_when"]["selected_date_time"] == 1740000000
    assert v["tags"]["a_tags"]["selected_options"] == [_opt("b", "乙")]
    assert v["kind"]["a_kind"] == {"type": "radio_buttons", "selected_option": _opt("x", "X")}
    assert v["hours"]["a_hours"] == {"type": "number_input", "value": "12"}
    assert "intro" not in json.dumps(list(v))


def test_fill_leaves_untouched_inputs_empty() -> None:
    v = fill(FORM, {"title": "x"})
    assert len(v) == 12
    assert v["sev"]["a_sev"] == {"type": "static_select", "selected_option": None}
    assert v["day"]["a_day"]["selected_date"] is None
    assert v["hours"]["a_hours"]["value"] is None
    assert v["tags"]["a_tags"]["selected_options"] == []


def test_fill_rejects_unknown_block_and_option() -> None:
    with pytest.raises(KeyError, match="nope"):
        fill(FORM, {"nope": "x"})
    with pytest.raises(ValueError, match="medium"):
        fill(FORM, {"sev": "medium"})


# -- signed requests through a real Bolt app -------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bolt(fake: FakeSlack) -> Iterator[tuple[App, SlackRequests, list[dict[str, Any]]]]:
    """A Bolt app on a loopback WSGI server (bodies parsed as `coopbot serve` parses them), its Web API pointed
    at the fake."""
    app = App(token=BOT_TOKEN, signing_secret=SECRET, client=WebClient(token=BOT_TOKEN, base_url=fake.url))
    seen: list[dict[str, Any]] = []
    server: WSGIServer = make_server("127.0.0.1", 0, SlackWsgiHandler(app, "/slack/events"),
                                     handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield app, SlackRequests(f"http://127.0.0.1:{server.server_port}", SECRET, fake=fake), seen
    finally:
        server.shutdown()
        server.server_close()


def test_signature_matches_slack_sdk_verifier() -> None:
    req = SlackRequests("http://127.0.0.1:9", SECRET)
    body, ts = "payload=%7B%22a%22%3A%22中%22%7D".encode(), int(time.time())
    signature = req.sign(body, ts)
    assert SignatureVerifier(SECRET).is_valid(body=body, timestamp=str(ts), signature=signature)
    assert not SignatureVerifier("other").is_valid(body=body, timestamp=str(ts), signature=signature)


def test_command_is_verified_and_respond_reaches_fake(bolt: Any, fake: FakeSlack) -> None:
    app, slack, seen = bolt

    @app.command("/coop")
    def coop(ack: Any, body: dict[str, Any], respond: Any) -> None:
        seen.append(body)
        ack()
        respond(f"收到：{body['text']}")

    reply = slack.command("/coop", "宿舍网络", user_id="U1")
    assert reply.status == 200
    call = fake.wait_for("response_url")[0]
    assert call.args["text"] == "收到：宿舍网络" and call.args["_path"].startswith("/response/")
    assert seen[0]["trigger_id"].startswith("1337.42.") and seen[0]["user_name"] == "u1"
    assert seen[0]["channel_id"] == "C0PARTNER" and seen[0]["is_enterprise_install"] == "false"


def test_stale_or_tampered_requests_are_rejected(bolt: Any) -> None:
    app, slack, _ = bolt
    app.command("/coop")(lambda ack: ack())
    assert slack.command("/coop", user_id="U1").status == 200
    body, form = b"command=%2Fcoop&user_id=U1", "application/x-www-form-urlencoded"
    assert slack.send(body, form, timestamp=int(time.time()) - 3600).status == 401
    assert slack.send(body, form, signature="v0=" + "0" * 64).status == 401


def test_block_action_from_message_has_response_url(bolt: Any, fake: FakeSlack) -> None:
    app, slack, seen = bolt

    @app.action("approve")
    def approve(ack: Any, body: dict[str, Any], respond: Any) -> None:
        seen.append(body)
        ack()
        respond(replace_original=True, text="已批准")

    assert slack.block_action(user_id="U1", action_id="approve", value="p-7", message_ts="1700000000.000100")
    call = fake.wait_for("response_url")[0]
    assert call.args["replace_original"] is True and call.args["text"] == "已批准"
    action = seen[0]["actions"][0]
    assert (action["type"], action["value"], seen[0]["container"]["type"]) == ("button", "p-7", "message")


def test_view_submission_with_filled_state(bolt: Any, client: WebClient) -> None:
    app, slack, seen = bolt

    @app.view("report")
    def report(ack: Any, view: dict[str, Any]) -> None:
        seen.append(view)
        ack(response_action="errors", errors={"title": "太短"})

    view = client.views_open(trigger_id="t", view=FORM)["view"]
    reply = slack.view_submission(view, fill(view, {"title": "x", "sev": "lo"}), user_id="U1")
    assert reply.json() == {"response_action": "errors", "errors": {"title": "太短"}}
    assert seen[0]["id"] == view["id"] and seen[0]["private_metadata"] == "p1"
    assert seen[0]["state"]["values"]["sev"]["a_sev"]["selected_option"]["value"] == "lo"


def test_block_suggestion_returns_options(bolt: Any) -> None:
    app, slack, _ = bolt

    @app.options("a_school")
    def options(ack: Any, body: dict[str, Any]) -> None:
        ack(options=[{"text": {"type": "plain_text", "text": body["value"] + "大学"}, "value": "s1"}])

    reply = slack.block_suggestion(user_id="U1", action_id="a_school", block_id="school", value="清华")
    assert reply.json()["options"][0]["text"]["text"] == "清华大学"


def test_event_retry_headers_and_url_verification(bolt: Any) -> None:
    app, slack, seen = bolt

    @app.event("app_mention")
    def mention(body: dict[str, Any], request: Any) -> None:
        seen.append({"body": body, "retry": request.headers.get("x-slack-retry-num")})

    assert slack.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> 你好", "channel": "C1"},
                       event_id="Ev42", retry_num=1).status == 200
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen[0]["body"]["event_id"] == "Ev42" and seen[0]["retry"] == ["1"]
    assert seen[0]["body"]["event"]["text"] == "<@UBOT> 你好" and seen[0]["body"]["event"]["event_ts"]
    assert slack.url_verification("chal-123").json() == {"challenge": "chal-123"}
