"""Signed HTTP requests shaped exactly like Slack's, so tests and the local sandbox drive the real Bolt
stack end to end.

Payload shapes follow what Slack sends (form-encoded commands, `payload=<json>` interactions, JSON
event envelopes); the v0 signature makes Bolt's request verification run for real. `fill` builds a
view's `state.values` the way Slack submits it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.devtools.fake_slack import FakeSlack

APP_ID = "A0APP"
VERIFICATION_TOKEN = "legacy-verification-token"  # noqa: S105 - a fake, never a real token


@dataclass
class Reply:
    """What the app answered Slack."""

    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        """The body parsed as JSON (Bolt acks and view responses are JSON)."""
        return json.loads(self.text)


def new_trigger_id() -> str:
    return f"1337.42.{secrets.token_hex(16)}"


def _action_ts() -> str:
    return f"{time.time():.6f}"


class SlackRequests:
    """Sends the requests Slack would send to the app at `base_url + path`."""

    def __init__(self, base_url: str, signing_secret: str, *, fake: FakeSlack | None = None,
                 team_id: str = "T0001", path: str = "/slack/events", bot_user_id: str | None = None) -> None:
        self.url = base_url.rstrip("/") + path
        self.signing_secret = signing_secret
        self.fake = fake
        self.team_id = team_id  # the team the app is installed in
        self._bot_user_id = bot_user_id  # that installation's bot (OAuth mode); else the fake's own
        # People of other organizations (Slack Connect): user id → their own team id. Their clicks and
        # submissions carry it as `user.team_id`; `team.id` is the workspace whose installation the message or
        # view belongs to (as Slack sends it: java-slack-sdk #1041), and a view says so in app_installed_team_id.
        self.teams: dict[str, str] = {}
        self._seq = itertools.count(1)

    def sign(self, body: bytes, timestamp: int) -> str:
        """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret."""
        base = f"v0:{timestamp}:".encode() + body
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()

    def send(self, body: bytes, content_type: str, *, timestamp: int | None = None,
             signature: str | None = None, headers: dict[str, str] | None = None) -> Reply:
        """POST a signed body; explicit timestamp/signature let tests send stale or tampered requests."""
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": signature if signature is not None else self.sign(body, ts),
                "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)", **(headers or {})}
        request = urllib.request.Request(self.url, data=body, headers=sent, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - http(s) URL we built
                return Reply(resp.status, dict(resp.headers.items()), resp.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            return Reply(err.code, dict(err.headers.items()), err.read().decode("utf-8"))

    # -- payload building blocks -------------------------------------------------------------------

    @property
    def bot_user_id(self) -> str:
        return self._bot_user_id or (self.fake.bot_user_id if self.fake else "UBOT")

    def _response_url(self, kind: str) -> str:
        name = f"{kind}-{next(self._seq)}"
        if self.fake is not None:
            return self.fake.response_url(name)
        return f"https://hooks.slack.com/{kind}/{self.team_id}/{name}/x"

    def _user(self, user_id: str) -> dict[str, Any]:
        name = user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.teams.get(user_id, self.team_id)}

    def _team(self, team_id: str | None = None) -> dict[str, Any]:
        return {"id": team_id or self.team_id, "domain": "example"}

    def _interaction(self, payload: dict[str, Any]) -> Reply:
        base = {"api_app_id": APP_ID, "token": VERIFICATION_TOKEN, "team": self._team(),
                "enterprise": None, "is_enterprise_install": False}
        view = payload.get("view")
        if isinstance(view, dict):  # Slack adds where the app is installed to every view it sends back
            payload = {**payload, "view": {**view, "app_installed_team_id": self.team_id}}
        body = urlencode({"payload": json.dumps({**base, **payload}, ensure_ascii=False)}).encode()
        return self.send(body, "application/x-www-form-urlencoded")

    # -- the requests --------------------------------------------------------------------------------

    def command(self, command: str, text: str = "", *, user_id: str, channel_id: str = "C0PARTNER",
                user_name: str | None = None, response_url: str | None = None,
                trigger_id: str | None = None, channel_name: str | None = None) -> Reply:
        """A slash command, form-encoded the way Slack posts it."""
        form = {
            "token": VERIFICATION_TOKEN, "team_id": self.team_id, "team_domain": "example",
            "channel_id": channel_id,
            "channel_name": channel_name or ("directmessage" if channel_id.startswith("D") else channel_id.lower()),
            "user_id": user_id, "user_name": user_name or user_id.lower(), "command": command, "text": text,
            "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": response_url or self._response_url("commands"),
            "trigger_id": trigger_id or new_trigger_id(),
        }
        return self.send(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def block_action(self, *, user_id: str, action_id: str, value: str | None = None, block_id: str = "b",
                     channel_id: str | None = "C0PARTNER", message_ts: str | None = None,
                     view: dict[str, Any] | None = None,
                     selected_option: dict[str, Any] | None = None, response_url: str | None = None,
                     trigger_id: str | None = None, message: dict[str, Any] | None = None) -> Reply:
        """A button click (or static_select choice) in a message or a view."""
        action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "action_ts": _action_ts()}
        if selected_option is not None:
            action.update(type="static_select", selected_option=selected_option)
        else:
            label = {"type": "plain_text", "text": value or action_id, "emoji": True}
            action.update(type="button", text=label)
            if value is not None:
                action["value"] = value
        payload: dict[str, Any] = {"type": "block_actions", "user": self._user(user_id),
                                   "trigger_id": trigger_id or new_trigger_id(), "actions": [action]}
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
        elif message_ts is not None:
            payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                                    "is_ephemeral": False}
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
        if message_ts is not None:
            payload["message"] = message or {"type": "message", "ts": message_ts, "text": "", "blocks": [],
                                             "user": self.bot_user_id}
            payload["state"] = {"values": {}}
            payload["response_url"] = response_url or self._response_url("actions")
        return self._interaction(payload)

    def view_submission(self, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]], *,
                        user_id: str, trigger_id: str | None = None) -> Reply:
        """A modal submitted with `values` (build them with `fill`)."""
        submitted = {**view, "state": {"values": values}}
        return self._interaction({"type": "view_submission", "user": self._user(user_id), "view": submitted,
                                  "response_urls": [], "trigger_id": trigger_id or new_trigger_id()})

    def view_closed(self, view: dict[str, Any], *, user_id: str) -> Reply:
        """The user cancelled a modal opened with notify_on_close."""
        return self._interaction({"type": "view_closed", "user": self._user(user_id), "view": view,
                                  "is_cleared": False})

    def block_suggestion(self, *, user_id: str, action_id: str, block_id: str, value: str,
                         view: dict[str, Any] | None = None) -> Reply:
        """An external_select asking the app for options matching what the user typed."""
        payload: dict[str, Any] = {"type": "block_suggestion", "user": self._user(user_id),
                                   "action_id": action_id, "block_id": block_id, "value": value}
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
        return self._interaction(payload)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None,
              retry_reason: str = "http_timeout") -> Reply:
        """An Events API delivery; `retry_num` makes it look like Slack's redelivery."""
        now = int(time.time())
        envelope = {
            "token": VERIFICATION_TOKEN, "team_id": self.team_id, "api_app_id": APP_ID,
            "event": {"event_ts": f"{time.time():.6f}", **event}, "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}", "event_time": now,
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": self.bot_user_id,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        body = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        return self.send(body, "application/json", headers=headers)

    def url_verification(self, challenge: str) -> Reply:
        """The handshake Slack sends when the Request URL is configured."""
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.send(json.dumps(body).encode(), "application/json")


_EMPTY: dict[str, dict[str, Any]] = {
    "plain_text_input": {"value": None}, "number_input": {"value": None},
    "email_text_input": {"value": None}, "url_text_input": {"value": None},
    "static_select": {"selected_option": None}, "external_select": {"selected_option": None},
    "radio_buttons": {"selected_option": None}, "users_select": {"selected_user": None},
    "multi_users_select": {"selected_users": []}, "conversations_select": {"selected_conversation": None},
    "multi_conversations_select": {"selected_conversations": []},
    "channels_select": {"selected_channel": None}, "datepicker": {"selected_date": None},
    "timepicker": {"selected_time": None}, "datetimepicker": {"selected_date_time": None},
    "checkboxes": {"selected_options": []}, "multi_static_select": {"selected_options": []},
    "multi_external_select": {"selected_options": []},
}


def _option(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The full option object Slack echoes back; a typo'd value fails here rather than in the app."""
    if isinstance(value, dict):
        return value
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if option.get("value") == value:
            return dict(option)
    if options:
        raise ValueError(f"{value!r} is not one of the options of {element.get('action_id')!r}")
    return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": value}


def _answered(element: dict[str, Any], answer: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        return {"value": None if answer is None else str(answer)}
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"selected_option": _option(element, answer)}
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"selected_options": [_option(element, v) for v in answer]}
    if kind == "datetimepicker":
        return {"selected_date_time": int(answer)}
    if kind in ("multi_users_select", "multi_conversations_select"):
        return {next(iter(_EMPTY[kind])): list(answer)}
    if kind in _EMPTY:
        return {next(iter(_EMPTY[kind])): answer}
    raise ValueError(f"fill() does not know element type {kind!r}")


def fill(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Build `view.state.values` from the view's own input blocks, in the shape Slack submits.

    Unanswered inputs keep their empty shape, as Slack sends for untouched optional fields.
    """
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input" or "block_id" not in block:
            continue
        element = block["element"]
        action_id = element.get("action_id", block["block_id"])
        if block["block_id"] in answers:
            state = _answered(element, answers[block["block_id"]])
        else:
            empty = _EMPTY.get(element["type"], {})
            state = {k: (list(v) if isinstance(v, list) else v) for k, v in empty.items()}
        values[block["block_id"]] = {action_id: {"type": element["type"], **state}}
    unknown = sorted(set(answers) - set(values))
    if unknown:
        raise KeyError(f"no input block with block_id {', '.join(unknown)} in the view")
    return values
