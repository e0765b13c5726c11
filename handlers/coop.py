"""/coop: help, the caller's own status, a digest now (coordinators) and the review pack, answered privately."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import NotAllowed, NotFound, NotOnRoster
from bot.home.help import help_text, status_blocks
from bot.i18n.catalog import Translator
from bot.slack.surface import COOP
from bot.slack.text import escape, truncate
from handlers.admin import coop_admin, coop_setup
from handlers.common import how_to_get_added, user_id
from handlers.compliance import coop_checklist
from handlers.cooperation import coop_agreement, coop_ledger
from handlers.exports import coop_export
from handlers.links import coop_accept, coop_link
from handlers.reviews import coop_review

HELP_WORDS = {"帮助": "help", "?": "help", "？": "help"}  # what people type for help in either language


def register(app: App, services: Services) -> None:
    home = services.home

    @app.command(COOP.command)
    def coop(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        words = str(body.get("text") or "").split()
        sub = words[0].lower() if words else "help"
        sub = HELP_WORDS.get(sub, sub)
        if sub == "status":
            data = home.home_data(user, with_practice=True)
            if data is None:
                ack(text=how_to_get_added(t), response_type="ephemeral")
                return
            ack(text=t.gettext("Your items"), blocks=status_blocks(data, t), response_type="ephemeral")
            return
        if sub == "digest":  # reads every coordinated partnership's week: acknowledge first, answer after
            ack()
            respond(text=_post_digest(services, body, t), response_type="ephemeral")
            return
        if sub == "panel":  # the channel's panel posted again (the service checks the roster)
            ack(text=_repost_panel(services, body, t), response_type="ephemeral")
            return
        if sub in ("setup", "admin"):  # administration in Slack (handlers/admin.py)
            (coop_setup if sub == "setup" else coop_admin)(services, ack, body, client)
            return
        if sub == "review":  # the quarterly review pack to the caller's DM (handlers/reviews.py)
            coop_review(services, ack, body, respond, t)
            return
        if sub == "export":  # the caller's partnerships as a spreadsheet in their DM (handlers/exports.py)
            coop_export(services, ack, body, respond, t, words[1:])
            return
        if sub == "agreement":  # the partnership's agreement: its term and links (handlers/cooperation.py)
            coop_agreement(services, ack, body, client)
            return
        if sub == "ledger":  # the cooperation ledger's modal (handlers/cooperation.py)
            coop_ledger(services, ack, body, client)
            return
        if sub == "checklist":  # the intern compliance checklist (handlers/compliance.py)
            coop_checklist(services, ack, body, client, words[1:])
            return
        if sub in ("link", "accept"):  # OAuth mode: the partnership linked to both installations (handlers/links.py)
            (coop_link if sub == "link" else coop_accept)(services, ack, body)
            return
        unknown = t.gettext("I don't know `{word}`.").format(word=escape(truncate(sub, 30).replace("`", "'")))
        prefix = "" if sub == "help" else unknown + "\n"
        ack(text=prefix + help_text(t, home.home_data(user), how_to_join=how_to_get_added(t),
                                    linking=services.installations is not None),
            response_type="ephemeral")


def _repost_panel(services: Services, body: dict[str, Any], t: Translator) -> str:
    try:
        channel = services.panels.repost(user_id(body), body.get("channel_id"))
    except NotOnRoster:
        return how_to_get_added(t)
    except NotFound:
        return t.gettext("This is not a partnership's channel: run `/coop panel` in one.")
    except NotAllowed:
        return t.gettext("Sorry, only people on this partnership's roster can post its panel.")
    return t.gettext("Posting the coopbot panel in <#{channel}>.").format(channel=channel)


def _post_digest(services: Services, body: dict[str, Any], t: Translator) -> str:
    """A coordinator's digest now; anyone else is told who may (the service decides)."""
    user = user_id(body)
    request_key = "coop-digest:" + str(body.get("trigger_id") or body.get("command_ts") or "")
    try:
        channels = services.digests.post_now(user, body.get("channel_id"), request_key[:64])
    except NotOnRoster:
        return how_to_get_added(t)
    except NotAllowed:
        return t.gettext("Sorry, only a partnership's coordinators can post a digest.")
    if not channels:
        return t.gettext("That digest has already been posted.")
    channels_listed = t.gettext(", ").join(f"<#{c}>" for c in channels)
    return t.gettext("Posting a digest to {channels}.").format(channels=channels_listed)
