"""A DM Slack would not deliver: "Show details" on its announcement opens it, privately, for its reader only."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.container import Services
from bot.delivery.fallback import SHOW_DETAILS
from bot.delivery.held import HeldView
from bot.errors import CoopError, NotAllowed
from bot.i18n.catalog import Translator
from bot.slack.blocks import section
from bot.slack.forms import modal
from bot.slack.text import escape
from handlers.common import on_button, refusal

MAX_MODAL_BLOCKS = 100


def register(app: App, services: Services) -> None:
    @app.action(SHOW_DETAILS)
    def show_details(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def show(held_id: int, user: str, t: Translator) -> None:
            held = services.held.show(held_id, user)  # the service checks the clicker is that person
            client.views_open(trigger_id=body["trigger_id"], view=details_modal(held, t))

        on_button(services, client, body, show, held_refusal)


def details_modal(held: HeldView, t: Translator) -> dict[str, Any]:
    """The DM as it would have read, and its file's download link."""
    _ = t.gettext
    blocks = list(held.blocks) or ([section(held.text, cut=True)] if held.text else [])
    if held.filename:
        if held.link:
            blocks.append(section(_("📎 <{link}|Download {name}> (the link works for 7 days)").format(
                link=held.link, name=escape(held.filename.replace("|", "/")))))
        else:
            blocks.append(section(_("📎 {name}: ask a coordinator for the file.").format(name=escape(held.filename))))
    return modal("held_details", _("Details"), blocks[:MAX_MODAL_BLOCKS], submit=None, close=_("Close"))


def held_refusal(error: CoopError, t: Translator) -> str:
    if isinstance(error, NotAllowed):
        return t.gettext("Sorry, this is for someone else: only the person it mentions can open it.")
    return refusal(error, t)
