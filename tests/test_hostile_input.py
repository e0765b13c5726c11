"""Hostile and malformed payloads at every handler: never a 5xx, never a dead app, never a stray write.

The payloads are correctly signed (an attacker with a leaked URL cannot sign; what we test here is a
Slack client, a buggy integration or a forged interaction that passed signature checks): wrong types,
missing fields, huge strings, unknown and forged ids, garbage private_metadata and state values.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import json
import logging
import pkgutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import bot
import models
from bot.slack.surface import SLASH_COMMANDS
from tests.support.harness import MENTOR, NOBODY, TEACHER, Harness


def _known_ids() -> tuple[list[str], list[str]]:
    """Every action id and callback id the app declares: the `*ActionId` and `*Callback` enums of every
    bot/<domain> package (in its ids.py or forms.py). A module that fails to import fails the test."""
    actions: list[str] = []
    callbacks: list[str] = []
    for package in pkgutil.iter_modules(bot.__path__):
        if not package.ispkg:
            continue
        for name in ("ids", "forms"):
            if importlib.util.find_spec(f"bot.{package.name}.{name}") is None:
                continue
            module = importlib.import_module(f"bot.{package.name}.{name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                    if value.__name__.endswith("Callback"):
                        callbacks.extend(str(member.value) for member in value)
                    elif value.__name__.endswith("ActionId"):
                        actions.extend(str(member.value) for member in value)
    return actions, callbacks


ACTIONS, CALLBACKS = _known_ids()


def test_the_fuzzers_know_every_workflows_ids() -> None:
    """Guards the fuzz tests below against silently fuzzing fewer handlers than the app has."""
    domains = {"problem", "exchange", "meeting", "admin", "compliance", "intern", "home"}
    assert all(any(a.startswith(d) for a in ACTIONS) for d in domains), sorted(ACTIONS)
    assert all(any(c.startswith(d) for c in CALLBACKS) for d in domains - {"home"}), sorted(CALLBACKS)
USERS = [TEACHER, MENTOR, NOBODY, "", "U" + "9" * 40]
junk_text = st.one_of(st.text(max_size=50), st.text(min_size=3000, max_size=4000), st.just("<!channel>"),
                      st.just("-1"), st.just("9" * 30), st.just("1e309"), st.just("NaN"))
junk = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), junk_text),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.text(max_size=10), inner, max_size=3)),
                    max_leaves=8)


def _state_values() -> st.SearchStrategy[Any]:
    element = st.one_of(junk, st.fixed_dictionaries({}, optional={
        "type": junk_text, "value": junk, "selected_option": junk, "selected_date": junk_text,
        "selected_time": junk_text, "selected_user": junk, "selected_users": junk, "selected_options": junk}))
    blocks = st.sampled_from(["intern_id", "category", "severity", "description", "occurred_on", "text",
                              "actions_taken", "decision", "comment", "rating", "who", "direction", "start_date",
                              "end_date", "date", "time", "duration", "title", "ack", "invitees",
                              "confidentiality", "certificate", "zzz"])
    return st.dictionaries(blocks, st.one_of(junk, st.dictionaries(st.text(max_size=8), element, max_size=2)),
                           max_size=6)


def _post(h: Harness, payload: Any) -> int:
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return h.slack.send(body, "application/x-www-form-urlencoded").status


def _writes(h: Harness) -> int:
    """Rows in every table of ours: junk must leave all of them as they were."""
    with h.db.session() as session:
        return sum(int(session.scalar(select(func.count()).select_from(table)) or 0)
                   for table in models.Base.metadata.sorted_tables)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def app_errors() -> Iterator[_Collect]:
    """What the app's error handler logged: a listener that crashed after answering still fails the test."""
    collect = _Collect()
    logger = logging.getLogger("coopbot.errors")
    logger.addHandler(collect)
    try:
        yield collect
    finally:
        logger.removeHandler(collect)


def _still_healthy(h: Harness) -> None:
    h.settle()
    with urllib.request.urlopen(h.server.url + "/healthz", timeout=5) as response:
        assert response.status == 200
    crashed = [handler for handler in logging.getLogger("coopbot.errors").handlers if isinstance(handler, _Collect)]
    assert all(not handler.records for handler in crashed), [
        (r.getMessage(), r.exc_info[1] if r.exc_info else None) for handler in crashed for r in handler.records]


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(action_id=st.one_of(st.sampled_from(ACTIONS), junk_text), value=junk, user=st.sampled_from(USERS),
       extra=st.dictionaries(st.sampled_from(["container", "message", "view", "channel", "trigger_id"]), junk,
                             max_size=3))
def test_block_actions(harness: Harness, action_id: Any, value: Any, user: str, extra: dict[str, Any]) -> None:
    before = _writes(harness)
    payload = {"type": "block_actions", "user": {"id": user, "team_id": "T0001"}, "team": {"id": "T0001"},
               "api_app_id": "A0", "token": "x", "trigger_id": "1.2.3",
               "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button",
                            "action_ts": "1"}], **extra}
    assert _post(harness, payload) < 500
    _still_healthy(harness)
    if user not in (TEACHER, MENTOR):
        assert _writes(harness) == before


@FUZZ
@given(callback_id=st.one_of(st.sampled_from(CALLBACKS), junk_text), view_id=junk, metadata=junk,
       values=_state_values(), user=st.sampled_from(USERS),
       drop=st.sets(st.sampled_from(["type", "id", "callback_id", "state", "private_metadata"]), max_size=2))
def test_view_submissions(harness: Harness, callback_id: Any, view_id: Any, metadata: Any, values: Any,
                          user: str, drop: set[str]) -> None:
    before = _writes(harness)
    view = {"id": view_id, "type": "modal", "callback_id": callback_id, "hash": "h", "blocks": [],
            "private_metadata": metadata if isinstance(metadata, str) else json.dumps(metadata),
            "state": {"values": values}}
    view = {key: value for key, value in view.items() if key not in drop}
    payload = {"type": "view_submission", "user": {"id": user, "team_id": "T0001"}, "team": {"id": "T0001"},
               "api_app_id": "A0", "token": "x", "view": view}
    assert _post(harness, payload) < 500
    _still_healthy(harness)
    assert _writes(harness) == before  # junk never passes validation, so nothing may be written


@FUZZ
@given(action_id=st.one_of(st.sampled_from(ACTIONS), junk_text), value=junk, user=st.sampled_from(USERS))
def test_option_requests(harness: Harness, action_id: Any, value: Any, user: str) -> None:
    payload = {"type": "block_suggestion", "user": {"id": user, "team_id": "T0001"}, "team": {"id": "T0001"},
               "api_app_id": "A0", "token": "x", "action_id": action_id, "block_id": "b", "value": value}
    assert _post(harness, payload) < 500
    _still_healthy(harness)


@FUZZ
@given(command=st.sampled_from([c.command for c in SLASH_COMMANDS]), text=junk_text, user=st.sampled_from(USERS),
       drop=st.sets(st.sampled_from(["trigger_id", "user_id", "channel_id", "response_url"])))
def test_slash_commands(harness: Harness, command: str, text: str, user: str, drop: set[str]) -> None:
    before = _writes(harness)
    form = {"command": command, "text": text, "user_id": user, "channel_id": "C0PARTNER", "team_id": "T0001",
            "trigger_id": "1.2.3", "response_url": harness.fake.response_url("fuzz"), "api_app_id": "A0"}
    body = urllib.parse.urlencode({k: v for k, v in form.items() if k not in drop}).encode()
    assert harness.slack.send(body, "application/x-www-form-urlencoded").status < 500
    _still_healthy(harness)
    assert _writes(harness) == before


@FUZZ
@given(event=st.dictionaries(st.sampled_from(["type", "user", "channel", "tab", "event_ts"]), junk, max_size=5),
       event_type=st.sampled_from(["app_home_opened", "member_joined_channel"]))
def test_events(harness: Harness, event: dict[str, Any], event_type: str) -> None:
    assert harness.slack.event({**event, "type": event_type}).status < 500
    _still_healthy(harness)


def test_garbage_bodies(harness: Harness) -> None:
    for body, content_type in [(b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
                               (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
                               (b"{", "application/json"), (b"[]", "application/json"),
                               (b"payload=" + b"A" * 900_000, "application/x-www-form-urlencoded")]:
        assert harness.slack.send(body, content_type).status < 500, body[:40]
    _still_healthy(harness)


def test_ids_past_any_column_and_choices_of_the_wrong_shape_get_answers_not_crashes(harness: Harness) -> None:
    """Every form, with ids in its metadata too large for an integer column, and its multiple-choice blocks
    (people, checkboxes) holding a number: an answer (refusal or inline errors), never a 500, nothing written."""
    before = _writes(harness)
    huge = 10**20
    metadata = json.dumps({key: huge for key in ("problem_id", "meeting_id", "exchange_id", "intern_id",
                                                 "partnership_id", "item_id")})
    wrong_shape = {"type": "static_select", "selected_option": {"value": 7}, "selected_options": 7,
                   "selected_users": 7}
    values = {block: {"a": wrong_shape} for block in ("invitees", "confidentiality", "certificate")}
    for callback_id in CALLBACKS:
        view = {"id": f"V{callback_id}", "type": "modal", "callback_id": callback_id, "hash": "h", "blocks": [],
                "private_metadata": metadata, "state": {"values": values}}
        payload = {"type": "view_submission", "user": {"id": MENTOR, "team_id": "T0001"}, "team": {"id": "T0001"},
                   "api_app_id": "A0", "token": "x", "view": view}
        assert _post(harness, payload) < 500, callback_id
    _still_healthy(harness)
    assert _writes(harness) == before


def test_json_nested_deeper_than_python_recurses_is_refused_with_400(harness: Harness) -> None:
    body = b"payload=" + b"[" * 50_000 + b"]" * 50_000
    assert harness.slack.send(body, "application/x-www-form-urlencoded").status == 400
    _still_healthy(harness)


def test_payloads_missing_what_slack_always_sends_are_refused_with_400(harness: Harness) -> None:
    """Bolt reads a view's type, and the commands use trigger_id and response_url, before or after the
    ack: without them a listener would crash (a 500, or a traceback after a 200)."""
    view = harness.open_modal("/intern-issue", TEACHER)
    untyped = {key: value for key, value in view.items() if key != "type"}
    assert _post(harness, {"type": "view_submission", "user": {"id": TEACHER}, "team": {"id": "T0001"},
                           "api_app_id": "A0", "view": untyped}) == 400
    for missing in ("trigger_id", "response_url"):
        form = {"command": "/intern-issue", "text": "", "user_id": TEACHER, "channel_id": "C0PARTNER",
                "team_id": "T0001", "trigger_id": "1.2.3", "response_url": harness.fake.response_url("x")}
        del form[missing]
        assert harness.slack.send(urllib.parse.urlencode(form).encode(),
                                  "application/x-www-form-urlencoded").status == 400, missing
    _still_healthy(harness)


def test_non_numeric_and_huge_timestamps_are_refused(harness: Harness) -> None:
    body = b"command=%2Fcoop&user_id=U0TEACHER&text=help"
    for timestamp in ("abc", "1.7e9", "9" * 40, "-5", ""):
        reply = harness.slack.send(body, "application/x-www-form-urlencoded",
                                   headers={"X-Slack-Request-Timestamp": timestamp})
        assert reply.status == 401, timestamp


def test_a_user_id_longer_than_any_slack_issues_is_refused_with_400(harness: Harness) -> None:
    """A forged user id of 41 characters paged an App Home whose outbox row ("home:" and the id) overflowed
    its column on PostgreSQL (a crash after the ack). Slack's ids are a dozen characters: the guard refuses."""
    forged = "U" + "9" * 40
    payload = {"type": "block_actions", "user": {"id": forged, "team_id": "T0001"}, "team": {"id": "T0001"},
               "api_app_id": "A0", "token": "x", "trigger_id": "1.2.3",
               "actions": [{"action_id": "home_next_page", "block_id": "b", "value": "problems:1", "type": "button",
                            "action_ts": "1"}]}
    assert _post(harness, payload) == 400
    assert harness.slack.command("/coop", "help", user_id=forged).status == 400
    _still_healthy(harness)
