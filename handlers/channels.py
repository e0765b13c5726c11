"""Channel membership: when the bot is invited, deliver what was waiting for that channel and post its panel."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.container import Services
from bot.delivery.worker import requeue_channel


def register(app: App, services: Services) -> None:
    @app.event("member_joined_channel")
    def bot_joined(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        if event.get("user") and event.get("user") in bot_user_ids(body, context) and event.get("channel"):
            requeue_channel(services.db, str(event["channel"]))
            services.panels.bot_joined(str(event["channel"]))  # a partnership channel gets its panel


def bot_user_ids(body: dict[str, Any], context: BoltContext) -> set[str]:
    """The bot's user id: from auth.test when it answered, and from the event's own `authorizations` (the
    installation it was sent to), which need no call — so an invite just after a failed auth.test still counts."""
    found = {str(context.bot_user_id)} if context.bot_user_id else set()
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and authorization.get("is_bot") and authorization.get("user_id"):
            found.add(str(authorization["user_id"]))
    return found
