"""A channel's life: when the bot is invited, deliver what was waiting for that channel and post its panel; when
Slack shares it (its id changes), disconnects it from the enterprise's organization or shares it again, the
partnership and its waiting posts follow (bot.roster.channels)."""

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


    @app.event("channel_id_changed")
    def channel_id_changed(event: dict[str, Any]) -> None:
        services.channels.id_changed(str(event.get("old_channel_id") or ""), str(event.get("new_channel_id") or ""))

    @app.event("channel_unshared")
    def channel_unshared(event: dict[str, Any]) -> None:
        services.channels.unshared(str(event.get("channel") or ""), still_shared=bool(event.get("is_ext_shared")))

    @app.event("channel_shared")
    def channel_shared(event: dict[str, Any]) -> None:
        services.channels.shared(str(event.get("channel") or ""))

    @app.event("shared_channel_invite_accepted")
    def invite_accepted(event: dict[str, Any]) -> None:
        services.channels.shared(_channel_of(event))

    @app.event("shared_channel_invite_declined")
    def invite_declined(event: dict[str, Any]) -> None:
        services.channels.invite_declined(_channel_of(event))


def _channel_of(event: dict[str, Any]) -> str:
    """A shared-channel invitation event's channel (`channel.id`)."""
    channel = event.get("channel")
    return str((channel.get("id") if isinstance(channel, dict) else channel) or "")


def bot_user_ids(body: dict[str, Any], context: BoltContext) -> set[str]:
    """The bot's user id: from auth.test when it answered, and from the event's own `authorizations` (the
    installation it was sent to), which need no call — so an invite just after a failed auth.test still counts."""
    found = {str(context.bot_user_id)} if context.bot_user_id else set()
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and authorization.get("is_bot") and authorization.get("user_id"):
            found.add(str(authorization["user_id"]))
    return found
