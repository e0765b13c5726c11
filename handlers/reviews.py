"""`/coop review`: the quarterly review pack, built and sent to the caller's DM (bot.reviews.service)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.container import Services
from bot.errors import NotAllowed, NotOnRoster
from bot.exchanges.letter_fonts import LetterUnavailable
from bot.i18n.catalog import Translator
from handlers.common import how_to_get_added, user_id


def coop_review(services: Services, ack: Ack, body: dict[str, Any], respond: Respond, t: Translator) -> None:
    """Acknowledge at once (a pack takes a second or two to lay out), then say privately what was sent."""
    ack()
    user = user_id(body)
    request_key = "coop-review:" + str(body.get("trigger_id") or body.get("command_ts") or "")
    try:
        sent = services.reviews.send_on_request(user, body.get("channel_id"), request_key[:64])
    except NotOnRoster:
        respond(text=how_to_get_added(t), response_type="ephemeral")
        return
    except NotAllowed:
        respond(text=t.gettext("Sorry, only a partnership's coordinators, the members of its cooperation group and "
                               "its college's deans can read its review pack."), response_type="ephemeral")
        return
    except LetterUnavailable:
        respond(text=t.gettext("The review pack cannot be made: this server lacks the fonts it embeds. "
                               "Please tell the person who runs coopbot."), response_type="ephemeral")
        return
    if not sent:
        respond(text=t.gettext("That review pack has already been sent."), response_type="ephemeral")
        return
    respond(text=t.gettext("Sending you the review pack in a direct message."), response_type="ephemeral")
