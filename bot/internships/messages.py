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
from bot.slack_text import escape, escape_within, escaped_pieces, mention

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
    """The result as mrkdwn lines, for App Home: one per criterion, the comments (shortened to fit beside
    the rest; the teacher's DM has them whole), the certificate."""
    _ = t.gettext
    lines = _grades(evaluation, t)
    if evaluation.comments:
        lines.append(f"*{_('Comments')}:* {escape_within(evaluation.comments, 2500)}")
    if evaluation.certificate_issued:
        lines.append(_("Internship certificate issued."))
    return "\n".join(lines)


def _grades(evaluation: EvaluationSnapshot, t: Translator) -> list[str]:
    return [f"*{t.gettext(label)}:* {t.gettext(GRADE_LABELS[evaluation.grades[field]])}"
            for field, label in CRITERIA.items()]


def evaluated_text(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> str:
    return t.gettext("{person} evaluated the internship of {intern}.").format(
        person=mention(evaluation.evaluator), intern=_who(intern))


def request_done(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> tuple[str, Blocks]:
    """What a request DM becomes once the evaluation is in (no button any more)."""
    text = evaluated_text(intern, evaluation, t)
    return text, [_section(text)]


def teacher_notice(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> tuple[str, Blocks]:
    """The teacher's DM: who evaluated, and the whole result — the comments whole too (up to the 3,000
    characters the form takes, escaped into as many sections as they need)."""
    _ = t.gettext
    text = evaluated_text(intern, evaluation, t)
    lines = _grades(evaluation, t)
    if evaluation.certificate_issued:
        lines.append(_("Internship certificate issued."))
    blocks = [_section(text), _section("\n".join(lines))]
    if evaluation.comments:
        head = f"*{_('Comments')}:*\n"
        first, *rest = escaped_pieces(evaluation.comments, 3000 - len(head))
        blocks += [_section(head + first), *(_section(piece) for piece in rest)]
    return text, blocks
