"""App Home and /coop replies as Block Kit: pure functions of what the services returned."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.problems.ids import ProblemActionId
from bot.problems.labels import SEVERITY_EMOJI
from bot.problems.messages import status_words, summary_text
from bot.problems.snapshot import ProblemSnapshot
from bot.slack_forms import plain
from bot.slack_text import escape_within

Blocks = list[dict[str, Any]]
HOME_LOG_PROBLEM = "home_log_problem"


def problem_lines(problems: list[ProblemSnapshot], t: Translator) -> Blocks:
    if not problems:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": t.gettext("Nothing open. 🎉")}}]
    blocks: Blocks = []
    for p in problems:
        line = (f"{SEVERITY_EMOJI[p.severity]} *#{p.id}* {summary_text(p, t)}\n"
                f"{status_words(p, t)} · <#{p.channel_id}> · {escape_within(p.description, 200)}")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line[:3000]}})
    return blocks


def home_view(problems: list[ProblemSnapshot] | None, t: Translator, *, how_to_join: str) -> dict[str, Any]:
    """The person's dashboard; `problems` is None for someone on no roster (who sees how to join)."""
    _ = t.gettext
    if problems is None:
        return {"type": "home", "blocks": [
            {"type": "header", "text": plain(_("Welcome to coopbot"))},
            {"type": "section", "text": {"type": "mrkdwn", "text": how_to_join}},
        ]}
    blocks: Blocks = [
        {"type": "header", "text": plain(_("Your open problems"))},
        *problem_lines(problems, t),
        {"type": "divider"},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": HOME_LOG_PROBLEM, "text": plain(_("Log a problem")), "style": "primary"},
        ]},
    ]
    return {"type": "home", "blocks": blocks[:100]}


def help_text(t: Translator) -> str:
    _ = t.gettext
    return "\n".join([
        _("*coopbot* helps the college and the enterprise look after interns together."),
        _("• `/intern-issue` — log a problem with an intern (teachers, mentors, coordinators)."),
        _("• `/coop status` — your open problems."),
        _("• `/coop help` — this help."),
        _("On a report, the intern's teacher and mentor and the coordinators can acknowledge, add updates, "
          "resolve and reopen it."),
    ])


def status_blocks(problems: list[ProblemSnapshot], t: Translator) -> Blocks:
    head = {"type": "section", "text": {"type": "mrkdwn", "text": "*" + t.gettext("Your open problems") + "*"}}
    return [head, *problem_lines(problems, t)][:50]


__all__ = ["HOME_LOG_PROBLEM", "ProblemActionId", "help_text", "home_view", "status_blocks"]
