"""App Home and /coop replies as Block Kit: pure functions of what the services returned."""

from __future__ import annotations

from typing import Any

from bot.i18n import LANGUAGE_NAMES, Translator
from bot.problems.ids import ProblemActionId
from bot.problems.labels import SEVERITY_EMOJI
from bot.problems.messages import status_words, summary_text
from bot.problems.snapshot import ProblemSnapshot
from bot.slack_forms import option, plain
from bot.slack_text import escape_within

Blocks = list[dict[str, Any]]
HOME_LOG_PROBLEM = "home_log_problem"
HOME_LANGUAGE = "home_language"
FOLLOW_SLACK = "slack"  # the picker's value for "no choice of my own: use my Slack language"


def problem_lines(problems: list[ProblemSnapshot], t: Translator) -> Blocks:
    if not problems:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": t.gettext("Nothing open. 🎉")}}]
    blocks: Blocks = []
    for p in problems:
        line = (f"{SEVERITY_EMOJI[p.severity]} *#{p.id}* {summary_text(p, t)}\n"
                f"{status_words(p, t)} · <#{p.channel_id}> · {escape_within(p.description, 200)}")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line[:3000]}})
    return blocks


def language_picker(chosen: str | None, t: Translator) -> dict[str, Any]:
    """The App Home setting: a language of one's own, or follow Slack. Language names are shown in
    themselves (someone who cannot read the current language can still find theirs)."""
    options = [option(name, code) for code, name in LANGUAGE_NAMES.items()]
    options.append(option(t.gettext("Use my Slack language"), FOLLOW_SLACK))
    current = next((o for o in options if o["value"] == (chosen or FOLLOW_SLACK)), options[-1])
    picker = {"type": "static_select", "action_id": HOME_LANGUAGE, "options": options, "initial_option": current}
    label = "*" + t.gettext("Language") + "*"
    return {"type": "section", "block_id": "language", "text": {"type": "mrkdwn", "text": label}, "accessory": picker}


def home_view(problems: list[ProblemSnapshot] | None, t: Translator, *, how_to_join: str,
              language_choice: str | None = None) -> dict[str, Any]:
    """The person's dashboard; `problems` is None for someone on no roster (who sees how to join).
    `language_choice` is the person's own language, None when they follow Slack's."""
    _ = t.gettext
    if problems is None:
        return {"type": "home", "blocks": [
            {"type": "header", "text": plain(_("Welcome to coopbot"))},
            {"type": "section", "text": {"type": "mrkdwn", "text": how_to_join}},
        ]}
    blocks: Blocks = [
        {"type": "header", "text": plain(_("Your open problems"))},
        *problem_lines(problems, t)[:90],  # Slack allows 100 blocks; the setting below must stay
        {"type": "divider"},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": HOME_LOG_PROBLEM, "text": plain(_("Log a problem")), "style": "primary"},
        ]},
        {"type": "divider"},
        language_picker(language_choice, t),
    ]
    return {"type": "home", "blocks": blocks[:100]}


def help_text(t: Translator) -> str:
    _ = t.gettext
    return "\n".join([
        _("*coopbot* helps the college and the enterprise look after interns together."),
        _("• `/intern-issue` — log a problem with an intern (teachers, mentors, coordinators)."),
        _("• `/coop status` — your open problems."),
        _("• `/coop digest` — post this week's digest to the partnership channel now (coordinators)."),
        _("• `/coop help` — this help."),
        _("On a report, the intern's teacher and mentor and the coordinators can acknowledge, add updates, "
          "resolve and reopen it."),
    ])


def status_blocks(problems: list[ProblemSnapshot], t: Translator) -> Blocks:
    head = {"type": "section", "text": {"type": "mrkdwn", "text": "*" + t.gettext("Your open problems") + "*"}}
    return [head, *problem_lines(problems, t)][:50]


__all__ = ["FOLLOW_SLACK", "HOME_LANGUAGE", "HOME_LOG_PROBLEM", "ProblemActionId", "help_text", "home_view",
           "language_picker", "status_blocks"]
