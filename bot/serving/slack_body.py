"""Slack's request bodies, parsed by their keys: one parser for the request guard and for Bolt.

Slack posts slash commands as form fields (`command=/intern-issue&text=…&channel_name=…`), interactions as
one form field holding JSON (`payload={…}`), and events as JSON. Bolt's own parser
(`slack_bolt.request.internals.parse_body`) tells the two form shapes apart by looking for the substring
"payload" anywhere in the body, so a command whose text or channel name contains the word ("/intern-issue
payload crane", a channel named payload-ops) is read as an interaction without a payload: an empty body,
which the guard refuses (400) and Bolt answers 404. Here the form is parsed first and the `payload` *key*
decides. Bolt reads our parse through `SlackRequest`, which the WSGI handler builds for every request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

JSON_TYPE = "application/json"
# The WSGI environ key under which the server leaves the request guard's parse for `SlackWsgiHandler`
PARSED_BODY = "coopbot.parsed_body"
FORM_TYPE = "application/x-www-form-urlencoded"


def media_type(content_type: str | None) -> str:
    """"application/json; charset=utf-8" → "application/json" (lowercase; "" when there is none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_body(body: str, content_type: str | None) -> dict[str, Any]:
    """The request's payload as a dict: JSON as it is; a form by its keys, the JSON in its `payload` field
    when it has one (an interaction), else its fields (a slash command). Raises ValueError for JSON that
    does not parse; the result may be another JSON value than an object (the guard refuses those)."""
    if not body:
        return {}
    kind = media_type(content_type)
    if kind == JSON_TYPE or (kind != FORM_TYPE and body.startswith("{")):
        parsed: Any = json.loads(body)
        return parsed  # may be another JSON value than an object: the guard refuses those
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in fields:
        payload: Any = json.loads(fields["payload"])
        return payload
    return fields


class SlackRequest(BoltRequest):
    """Bolt's request, its body parsed by key (`parse_body`); everything else as Bolt builds it.

    `parsed`: `body` already parsed by `parse_body` (the request guard's, which no one else holds), used
    as it is. Bolt still verifies the signature over `body`, the raw text."""

    def __init__(self, *, body: str, query: str | Mapping[str, Any] | None = None,
                 headers: Mapping[str, str | Sequence[str]] | None = None,
                 context: dict[str, Any] | None = None, parsed: dict[str, Any] | None = None) -> None:
        super().__init__(body="", query=query, headers=dict(headers or {}), context=context)  # type: ignore[arg-type]
        self.raw_body = body
        if parsed is None:
            try:
                parsed = parse_body(body, self.content_type)
            except (ValueError, RecursionError):  # the request guard answers these 400 before Bolt sees them
                parsed = {}
        self.body = parsed if isinstance(parsed, dict) else {}
        self.context = build_context(BoltContext(context or {}), self.body)

    def to_copyable(self) -> SlackRequest:
        """A copy for another thread (Bolt's lazy listeners), parsed the same way."""
        return SlackRequest(body=self.raw_body, query=self.query, headers=self.headers,
                            context=self.context.to_copyable())


class SlackWsgiHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, building a `SlackRequest` for each request (with the request guard's parse when
    the server left one in the environ, under PARSED_BODY)."""

    def __init__(self, app: App, path: str) -> None:
        super().__init__(app, path=path)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return self.app.dispatch(SlackRequest(body=request.get_body(), query=request.query_string,
                                              headers=request.get_headers(),
                                              parsed=request.environ.pop(PARSED_BODY, None)))


__all__ = ["FORM_TYPE", "JSON_TYPE", "PARSED_BODY", "SlackRequest", "SlackWsgiHandler", "media_type", "parse_body"]
