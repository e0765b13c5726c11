"""The panel as Block Kit: a pure function of the partnership's name and language."""

from __future__ import annotations

from bot.i18n.catalog import Translator
from bot.meetings.ids import MeetingActionId
from bot.panel.ids import PanelActionId
from bot.slack.blocks import Block, actions, button, context, section
from bot.slack.text import escape_within


def panel_message(partnership_id: int, name: str, t: Translator) -> tuple[str, list[Block]]:
    """The panel: one button per thing a slash command starts, and "My tasks". The buttons carry the
    partnership's id only to pick it as the form's default; who may do what is checked on click."""
    _ = t.gettext
    text = _("coopbot for *{partnership}*: start here, whether or not you can use slash commands "
             "(people of another Slack organization and guests cannot).").format(
        partnership=escape_within(name, 1000))
    buttons = [
        button(PanelActionId.LOG_PROBLEM, _("Log intern problem"), partnership_id, "primary"),
        button(PanelActionId.REQUEST_EXCHANGE, _("Request an exchange"), partnership_id),
        button(MeetingActionId.OPEN_SCHEDULE, _("Schedule a meeting"), partnership_id),
        button(PanelActionId.MY_TASKS, _("My tasks"), partnership_id),
    ]
    note = _("Only coordinators can schedule meetings. What you open here is shown to you alone.")
    return text, [section(text), actions(buttons, block_id="coopbot_panel"), context(note)]
