"""/coop: help, the caller's own status, and a digest now (coordinators), answered privately in the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.container import Services
from bot.digests.service import digest_service
from bot.errors import NotAllowed, NotOnRoster
from bot.exchanges.messages import status_blocks as exchange_status_blocks
from bot.home.views import help_text, status_blocks
from bot.i18n import Translator
from bot.slack_surface import COOP
from bot.slack_text import escape
from handlers.common import how_to_get_added


def register(app: App, services: Services) -> None:
    @app.command(COOP.command)
    def coop(ack: Ack, body: dict[str, Any]) -> None:
        user = str(body.get("user_id") or "")
        t = services.translator_for(user)
        words = str(body.get("text") or "").split()
        sub = words[0].lower() if words else "help"
        if sub == "status":
            try:
                problems = services.problems.open_for(user)
            except NotOnRoster:
                ack(text=how_to_get_added(t), response_type="ephemeral")
                return
            blocks = status_blocks(problems, t) + exchange_status_blocks(*services.exchanges.status_of(user), t)
            ack(text=t.gettext("Your open problems"), blocks=blocks[:50], response_type="ephemeral")
            return
        if sub == "digest":
            ack(text=_post_digest(services, body, t), response_type="ephemeral")
            return
        unknown = t.gettext("I don't know `{word}`.").format(word=escape(sub[:30].replace("`", "'")))
        prefix = "" if sub == "help" else unknown + "\n"
        ack(text=prefix + help_text(t), response_type="ephemeral")


def _post_digest(services: Services, body: dict[str, Any], t: Translator) -> str:
    """A coordinator's digest now; anyone else is told who may (the service decides)."""
    user = str(body.get("user_id") or "")
    request_key = "coop-digest:" + str(body.get("trigger_id") or body.get("command_ts") or "")
    try:
        channels = digest_service(services).post_now(user, body.get("channel_id"), request_key[:64])
    except NotOnRoster:
        return how_to_get_added(t)
    except NotAllowed:
        return t.gettext("Sorry, only a partnership's coordinators can post a digest.")
    if not channels:
        return t.gettext("That digest has already been posted.")
    return t.gettext("Posting a digest to {channels}.").format(channels=", ".join(f"<#{c}>" for c in channels))
