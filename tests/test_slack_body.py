"""Slack's form bodies are read by their keys: a slash command that merely mentions "payload" is a command."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot.devtools.slack_requests import SlackRequests
from bot.serving.request_guard import admit_request, check_request
from bot.serving.server import build_wsgi_app, start_in_thread
from bot.serving.slack_body import SlackRequest, parse_body
from tests.support.harness import CHANNEL, TEACHER, Harness
from tests.support.slack import SIGNING_SECRET

FORM = "application/x-www-form-urlencoded"


def _opens_the_report_form(h: Harness, slack: SlackRequests, **command: str) -> None:
    before = len(h.fake.calls_to("views.open"))
    reply = slack.command("/intern-issue", command.pop("text", ""), user_id=TEACHER, **command)
    assert reply.status == 200, reply.text
    h.settle()
    opened = h.fake.wait_for("views.open", count=before + 1)
    assert opened[-1].args["view"]["callback_id"] == "problem_report"


@pytest.mark.parametrize("command", [{"text": "payload crane"}, {"text": "payload"},
                                     {"channel_name": "payload-ops"}, {"text": "payload=", "channel_name": "payload"}],
                         ids=["text", "the word alone", "channel name", "both, with an equals sign"])
def test_a_command_mentioning_payload_opens_its_form(harness: Harness, command: dict[str, str]) -> None:
    """Through the request guard and Bolt, as `coopbot serve` takes it: answered, the form opened."""
    _opens_the_report_form(harness, harness.slack, **command)


def test_bolt_itself_reads_the_command_by_its_keys(harness: Harness) -> None:
    """Without the guard in front (as the sandbox serves it), Bolt's request is parsed by key too: not a 404."""
    server = start_in_thread(build_wsgi_app(harness.runtime.app, harness.runtime.health))
    try:
        slack = SlackRequests(server.url, SIGNING_SECRET, fake=harness.fake)
        _opens_the_report_form(harness, slack, text="payload crane", channel_name="payload-ops")
    finally:
        server.stop()


def test_the_parser_decides_by_the_payload_key() -> None:
    command = urlencode({"command": "/intern-issue", "text": "payload crane", "channel_name": "payload-ops",
                         "user_id": TEACHER})
    assert parse_body(command, FORM) == {"command": "/intern-issue", "text": "payload crane",
                                         "channel_name": "payload-ops", "user_id": TEACHER}
    interaction = urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": TEACHER}})})
    assert parse_body(interaction, FORM) == {"type": "block_actions", "user": {"id": TEACHER}}
    assert parse_body('{"type": "event_callback"}', "application/json; charset=utf-8") == {"type": "event_callback"}
    assert parse_body("", FORM) == {}
    request = SlackRequest(body=command, headers={"content-type": FORM})
    assert request.body["text"] == "payload crane" and request.context.user_id == TEACHER
    assert request.to_copyable().body == request.body and isinstance(request.to_copyable(), SlackRequest)


def test_the_guard_lets_such_a_command_through() -> None:
    body = urlencode({"command": "/intern-issue", "text": "payload crane", "user_id": TEACHER,
                      "channel_id": CHANNEL, "trigger_id": "1.2.3", "response_url": "https://hooks.example/x"})
    timestamp = str(int(time.time()))
    signature = SlackRequests("http://unused", SIGNING_SECRET).sign(body.encode(), int(timestamp))
    assert check_request(SIGNING_SECRET, body.encode(), {"x-slack-request-timestamp": timestamp,
                                                         "x-slack-signature": signature, "content-type": FORM}) is None


def test_the_guard_hands_its_parse_to_bolt_and_bolt_still_verifies_the_signature() -> None:
    payload = {"type": "view_submission", "user": {"id": TEACHER}, "team": {"id": "T1"},
               "view": {"id": "V1", "type": "modal", "callback_id": "problem_report"}}
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    signature = SlackRequests("http://unused", SIGNING_SECRET).sign(body.encode(), int(timestamp))
    headers = {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature, "content-type": FORM}
    admitted = admit_request(SIGNING_SECRET, body.encode(), headers)
    assert admitted == payload
    assert admit_request(SIGNING_SECRET, body.encode(), {**headers, "x-slack-signature": "v0=00"}) == 401
    assert isinstance(admitted, dict)
    request = SlackRequest(body=body, headers=headers, parsed=admitted)
    assert request.body is admitted  # not parsed again
    assert request.raw_body == body  # what Bolt's signature check reads
    assert request.context.user_id == TEACHER
