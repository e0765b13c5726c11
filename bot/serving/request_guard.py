"""The shape of Slack's payloads, checked before Bolt (or any listener) reads them.

Bolt builds its request context from the parsed body before any middleware runs, and crashes (500) on
some shapes a forged or buggy client can send (`view: null`, `event: {"user": false}`). So the HTTP
layer checks each request first: signature (401), then encoding and shape (400). Only the fields
something dereferences are checked, and only for their type: Slack adds fields all the time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_sdk.signature import SignatureVerifier

from bot.serving.slack_body import parse_body


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


# A Slack user id ("U0123ABCD", "W…"): far shorter than this. A longer one is forged, and would not fit the
# columns that hold people's ids (32 characters, "home:" and the id for an App Home's outbox rows).
SlackUserId = Annotated[str, Field(max_length=24)]


class _User(_Loose):
    id: SlackUserId


class _Team(_Loose):
    id: str | None = None


class _Channel(_Loose):
    id: str | None = None


class _State(_Loose):
    values: dict[str, dict[str, dict[str, Any]]] = {}


class _View(_Loose):
    id: str
    type: str  # "modal" or "home"; Bolt reads it before any listener
    callback_id: str | None = None
    private_metadata: str | None = None
    state: _State | None = None


class _Action(_Loose):
    action_id: str
    block_id: str | None = None
    value: str | None = None
    selected_option: dict[str, Any] | None = None


class _Interaction(_Loose):
    type: str
    user: _User
    team: _Team | None = None
    channel: _Channel | None = None
    view: _View | None = None
    container: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    actions: list[_Action] | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    action_id: str | None = None
    value: str | None = None


class _Command(_Loose):
    command: str
    user_id: SlackUserId
    text: str = ""
    trigger_id: str  # Slack sends one with every command; the commands open modals with it
    channel_id: str | None = None
    response_url: str  # likewise always sent: replies after the ack go there


class _ChannelObject(_Loose):
    id: str


class _Event(_Loose):
    type: str
    user: SlackUserId | None = None
    # an id; or, in the Slack Connect invitation events (shared_channel_invite_*), an object with the id
    channel: str | _ChannelObject | None = None
    tab: str | None = None


class _EventEnvelope(_Loose):
    type: str
    event: _Event | None = None
    event_id: str | None = None


# Objects Slack either omits or sends as objects, never as null (Bolt itself dereferences them). Except `team`
# at the top of an interaction: null in an org-wide install's (Enterprise Grid), which Bolt expects.
_NEVER_NULL = ("user", "team", "channel", "view", "container", "message", "actions", "event", "state")
_NULL_FOR_ORG_WIDE = ("team",)


def is_well_formed(body: dict[str, Any]) -> bool:
    """True when the payload has the shape its kind must have."""
    if any(key in body and body[key] is None and key not in _NULL_FOR_ORG_WIDE for key in _NEVER_NULL):
        return False
    view = body.get("view")
    if isinstance(view, dict) and any(key in view and view[key] is None for key in _NEVER_NULL):
        return False
    try:
        if "command" in body:
            _Command.model_validate(body)
        elif body.get("type") in ("event_callback", "url_verification", "app_rate_limited"):
            _EventEnvelope.model_validate(body)
        else:
            _Interaction.model_validate(body)
    except ValidationError:
        return False
    return True


# The request's payload, parsed, when Bolt may take it; otherwise the HTTP status to answer (401 or 400).
RequestGuard = Callable[[bytes, Mapping[str, str]], int | dict[str, Any]]


def check_request(signing_secret: str, body: bytes, headers: Mapping[str, str]) -> int | None:
    """None when Bolt may take the request; otherwise the HTTP status to answer (401 or 400)."""
    admitted = admit_request(signing_secret, body, headers)
    return admitted if isinstance(admitted, int) else None


def admit_request(signing_secret: str, body: bytes, headers: Mapping[str, str]) -> int | dict[str, Any]:
    """The payload, parsed (`parse_body`), when Bolt may take the request; otherwise the HTTP status to answer
    (401 or 400). The server hands that parse to Bolt's request (bot.serving.slack_body.SlackRequest): the
    form decoding of an interaction's payload is most of a parse, which is not worth doing twice.

    `headers` keys are lowercase. The signature is checked exactly as Bolt checks it (HMAC and a
    five-minute timestamp window), so the order of refusals never leaks whether a shape was valid.
    """
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 16):
        return 401  # slack_sdk would raise on int("abc")
    try:
        text = body.decode("utf-8")  # slack_sdk would raise on bytes that are not UTF-8
    except UnicodeDecodeError:
        return 400
    if not SignatureVerifier(signing_secret).is_valid(body=body, timestamp=timestamp,
                                                      signature=headers.get("x-slack-signature", "")):
        return 401
    try:
        parsed = parse_body(text, headers.get("content-type"))
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python recurses
        return 400
    if not isinstance(parsed, dict) or not is_well_formed(parsed):
        return 400
    return parsed


def request_guard(signing_secret: str) -> RequestGuard:
    return partial(admit_request, signing_secret)
