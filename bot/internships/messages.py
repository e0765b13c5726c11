"""Block Kit for the end of an internship: pure functions of snapshots and a translator.

Names and comments are people's text: escaped before they reach mrkdwn; mentions are our own `<@ID>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.catalog import Translator
from bot.internships.ids import InternshipActionId
from bot.internships.labels import CRITERIA, GRADE_LABELS
from bot.internships.snapshot import EvaluationSnapshot, InternSnapshot
from bot.slack.blocks import Block, Blocks, actions, button, context, section
from bot.slack.text import escape, escape_within, headed_pieces, mention


def _who(intern: InternSnapshot, t: Translator) -> str:
    return escape(t.aside(intern.name, intern.student_id))


def evaluation_request(intern: InternSnapshot, t: Translator, *, reminder: bool) -> tuple[str, Blocks]:
    """The DM asking for the evaluation, with the button that opens the modal."""
    _ = t.gettext
    values = {"intern": _who(intern, t), "end": t.date(intern.end_date), "partnership": escape(intern.partnership)}
    if reminder:
        text = _("Reminder: the evaluation of {intern}'s internship ({partnership}, ended {end}) is still "
                 "missing.").format(**values)
    else:
        text = _("{intern}'s internship ({partnership}) ended on {end}. Please evaluate it and confirm that "
                 "the internship certificate has been issued.").format(**values)
    evaluate = button(InternshipActionId.EVALUATE, _("Evaluate"), intern.id, "primary")
    return text, [section(text), actions([evaluate], block_id=f"intern:{intern.id}")]


@dataclass(frozen=True)
class RequestItem:
    """An intern as one request DM lists them: which reminder asked (0: the first request), and the
    evaluation once it is in."""

    intern: InternSnapshot
    reminder: int
    evaluation: EvaluationSnapshot | None = None


MOST_PER_DM = 40  # interns listed in one request DM: a line each, within Slack's 50 blocks a message


def evaluation_requests(items: list[RequestItem], t: Translator) -> tuple[str, Blocks]:
    """A request DM as it stands: one intern is asked as before; several (a cohort ending together)
    are listed with a button each, and a listed intern's button goes once their evaluation is in."""
    if len(items) == 1:
        [item] = items
        if item.evaluation is not None:
            return request_done(item.intern, item.evaluation, t)
        return evaluation_request(item.intern, t, reminder=item.reminder > 0)
    _ = t.gettext
    count, partnership = len(items), escape(items[0].intern.partnership)
    done = sum(item.evaluation is not None for item in items)
    if done == count:
        text = t.ngettext("{count} evaluation ({partnership}) is in. Thank you.",
                          "All {count} evaluations ({partnership}) are in. Thank you.", count)
    elif any(item.reminder > 0 for item in items):
        text = t.ngettext("Reminder: the evaluation of {count} internship ({partnership}) is still missing.",
                          "Reminder: the evaluations of {count} internships ({partnership}) are still missing.",
                          count)
    else:
        text = t.ngettext("The internship of {count} of your interns ({partnership}) has ended. Please evaluate it "
                          "and confirm that the internship certificate has been issued.",
                          "The internships of {count} of your interns ({partnership}) have ended. Please evaluate "
                          "each one and confirm that its internship certificate has been issued.", count)
    text = text.format(count=count, partnership=partnership)
    blocks: Blocks = [section(text)]
    if 0 < done < count:
        blocks.append(context(_("{done} of {count} evaluated.").format(done=done, count=count)))
    for item in items:
        blocks.append(_listed(item, t))
    return text, blocks


def _listed(item: RequestItem, t: Translator) -> Block:
    _ = t.gettext
    who = escape_within(t.aside(item.intern.name, item.intern.student_id), 300)
    block_id = f"intern:{item.intern.id}"
    if item.evaluation is not None:
        return section(_(":white_check_mark: {intern}: evaluated by {person}.").format(
            intern=who, person=mention(item.evaluation.evaluator)), block_id=block_id)
    line = _("*{intern}* · ended {end}").format(intern=who, end=t.date(item.intern.end_date))
    return section(line, button(InternshipActionId.EVALUATE, _("Evaluate"), item.intern.id), block_id=block_id)


def evaluation_lines(evaluation: EvaluationSnapshot, t: Translator) -> str:
    """The result as mrkdwn lines, for App Home: one per criterion, the comments (shortened to fit beside
    the rest; the teacher's DM has them whole), the certificate."""
    _ = t.gettext
    lines = _grades(evaluation, t)
    if evaluation.comments:
        comments = escape_within(evaluation.comments, 2500)
        lines.append(_("*{label}:* {value}").format(label=_("Comments"), value=comments))
    if evaluation.certificate_issued:
        lines.append(_("Internship certificate issued."))
    return "\n".join(lines)


def _grades(evaluation: EvaluationSnapshot, t: Translator) -> list[str]:
    return [t.gettext("*{label}:* {value}").format(label=t.gettext(label),
                                                  value=t.gettext(GRADE_LABELS[evaluation.grades[field]]))
            for field, label in CRITERIA.items()]


def evaluated_text(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> str:
    return t.gettext("{person} evaluated the internship of {intern}.").format(
        person=mention(evaluation.evaluator), intern=_who(intern, t))


def request_done(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> tuple[str, Blocks]:
    """What a request DM becomes once the evaluation is in (no button any more)."""
    text = evaluated_text(intern, evaluation, t)
    return text, [section(text)]


def teacher_notice(intern: InternSnapshot, evaluation: EvaluationSnapshot, t: Translator) -> tuple[str, Blocks]:
    """The teacher's DM: who evaluated, and the whole result — the comments whole too (up to the 3,000
    characters the form takes, escaped into as many sections as they need)."""
    _ = t.gettext
    text = evaluated_text(intern, evaluation, t)
    lines = _grades(evaluation, t)
    if evaluation.certificate_issued:
        lines.append(_("Internship certificate issued."))
    blocks = [section(text), section("\n".join(lines))]
    if evaluation.comments:
        head = _("*{label}:*").format(label=_("Comments"))
        blocks += [section(piece) for piece in headed_pieces(f"{head}\n", evaluation.comments)]
    return text, blocks
