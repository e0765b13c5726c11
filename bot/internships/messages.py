"""Block Kit for the end of an internship: pure functions of snapshots and a translator.

Names and comments are people's text: escaped before they reach mrkdwn; mentions are our own `<@ID>`.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.internships.ids import InternshipActionId
from bot.internships.labels import CRITERIA, GRADE_LABELS
from bot.internships.snapshot import EvaluationSnapshot, InternSnapshot
from bot.slack_forms import plain
from bot.slack_text import escape, escape_within, mention

Blocks = list[dict[str, Any]]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _who(intern: InternSnapshot) -> str:
    return f"{escape(intern.name)} ({escape(intern.student_id)})"


def evaluation_request(intern: InternSnapshot, t: Translator, *, reminder: bool) -> tuple[str, Blocks]:
    """The DM asking for the evaluation, with the button that opens the modal."""
    _ = t.gettext
    values = {"intern": _who(intern), "end": t.date(intern.end_date), "partnership": escape(intern.partnership)}
    if reminder:
        text = _("Reminder: the evaluation of {intern}'s internship ({partnership}, ended {end}) is still "
                 "missing.").format(**values)
    else:
        text = _("{intern}'s internship ({partnership}) ended on {end}. Please evaluate it and confirm that "
                 "the internship certificate has been issued.").format(**values)
    button = {"type": "button", "action_id": InternshipActionId.EVALUATE, "style": "primary",
              "text": plain(_("Evaluate")), "value": str(intern.id)}
    return text, [_section(text), {"type": "actions", "block_id": f"intern:{intern.id}", "elements": [button]}]


def evaluation_lines(evaluation: EvaluationSnapshot, t: Translator) -> str:
    """The result as mrkdwn lines: one per criterion, the comments, the certificate (also for App Home)."""
    _ = t.gettext
    lines = [f"*{_(label)}:* {_(GRADE_LABELS[evaluation.grades[field]])}" for field, label in CRITERIA.items()]
    if evaluation.comments:
        lines.append(f"*{_('Comments')}:* {escape_within(evaluation.comments, 2500)}")
    if evaluation.certificate_issued:
        lines.append(_("Internship certificate issued."))
    return "\n".join(lines)


def evaluated_text(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> str:
    return t.gettext("{person} evaluated the internship of {intern}.").format(
        person=mention(evaluation.evaluator), intern=_who(intern))


def request_done(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> tuple[str, Blocks]:
    """What a request DM becomes once the evaluation is in (no button any more)."""
    text = evaluated_text(intern, evaluation, t)
    return text, [_section(text)]


def teacher_notice(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> tuple[str, Blocks]:
    """The teacher's DM: who evaluated, and the whole result."""
    text = evaluated_text(intern, evaluation, t)
    return text, [_section(text), _section(evaluation_lines(evaluation, t))]
