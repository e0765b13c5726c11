"""/coop: help and the caller's own status, answered privately in the ack itself."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.container import Services
from bot.errors import NotOnRoster
from bot.home.views import help_text, status_blocks
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
            ack(text=t.gettext("Your open problems"), blocks=status_blocks(problems, t), response_type="ephemeral")
            return
        unknown = t.gettext("I don't know `{word}`.").format(word=escape(sub[:30].replace("`", "'")))
        prefix = "" if sub == "help" else unknown + "\n"
        ack(text=prefix + help_text(t), response_type="ephemeral")
