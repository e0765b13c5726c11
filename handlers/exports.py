"""`/coop export [partnership] [Q1 2027]`: a coordinator's records (a dean's: the college's) as an XLSX file in
their DM (bot.exports.scoped)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.container import Services
from bot.errors import InvalidInput, NotAllowed, NotOnRoster
from bot.i18n.catalog import Translator
from bot.quarters import Quarter
from bot.slack.text import escape_within
from handlers.common import how_to_get_added, user_id


def coop_export(services: Services, ack: Ack, body: dict[str, Any], respond: Respond, t: Translator,
                words: list[str]) -> None:
    """Acknowledge at once (the file takes a while), then say privately what is coming."""
    ack()
    user = user_id(body)
    request_key = ("coop-export:" + str(body.get("trigger_id") or body.get("command_ts") or ""))[:64]

    def comment(names: list[str], quarter: Quarter | None) -> str:
        listed = escape_within(t.gettext(", ").join(names), 1500)
        if quarter is None:
            return t.gettext("Your export of {partnerships}.").format(partnerships=listed)
        return t.gettext("Your export of {partnerships} for {quarter}.").format(
            partnerships=listed, quarter=t.quarter(quarter.year, quarter.number))

    try:
        names = services.exports.send(user, words, request_key, comment)
    except NotOnRoster:
        respond(text=how_to_get_added(t), response_type="ephemeral")
        return
    except NotAllowed:
        respond(text=t.gettext("Sorry, only a partnership's coordinators and its college's deans can export its "
                               "records."),
                response_type="ephemeral")
        return
    except InvalidInput:
        respond(text=t.gettext("None of your partnerships is called “{words}”. Try `/coop export` for all of them, "
                               "or `/coop export Q1 2027` for one quarter.").format(
            words=escape_within(" ".join(words), 100)), response_type="ephemeral")
        return
    if names is None:
        respond(text=t.gettext("That export has already been sent."), response_type="ephemeral")
        return
    respond(text=t.gettext("Sending you the export as a spreadsheet in a direct message."), response_type="ephemeral")
