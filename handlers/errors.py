"""One error handler for the whole app: log with a reference, tell the person, never leak internals."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.container import Services
from handlers.common import tell_privately, user_id

log = logging.getLogger("coopbot.errors")


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], response: BoltResponse | None,
                 client: WebClient | None = None) -> None:
        reference = uuid.uuid4().hex[:8]
        kind = body.get("type") or ("slash_command" if "command" in body else "event")
        log.error("unhandled %s error ref=%s: %s", kind, reference, type(error).__name__, exc_info=error)
        if kind in ("block_actions", "slash_command"):
            t = services.translator_for(user_id(body))
            # the request's own client: in OAuth mode it carries the token of the installation it came through
            tell_privately(client if client is not None and client.token else services.client, body, t.gettext(
                "Something went wrong on our side (reference {ref}). Please try again; if it happens "
                "again, give your coordinator this reference.").format(ref=reference))
