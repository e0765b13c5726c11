"""Channel membership: when the bot is invited, deliver what was waiting for that channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.container import Services
from bot.delivery.worker import requeue_channel


def register(app: App, services: Services) -> None:
    @app.event("member_joined_channel")
    def bot_joined(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("user") and event.get("user") == context.bot_user_id and event.get("channel"):
            requeue_channel(services.db, str(event["channel"]))
