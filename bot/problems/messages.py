"""Block Kit for problems: pure functions from a snapshot (and a translator) to message content.

Everything a person typed goes through `escape`/`escape_within`; mentions we add are our own `<@ID>`.
"""

from __future__ import annotations

from datetime import timedelta

from bot.i18n.catalog import Translator
from bot.problems.ids import ProblemActionId
from bot.problems.labels import CATEGORY_LABELS, SEVERITY_EMOJI, SEVERITY_LABELS, STATUS_LABELS
from bot.problems.snapshot import ProblemSnapshot
from bot.slack.blocks import Blocks, actions, button, confirmation, context, fields, header, section
from bot.slack.text import escape, escape_within, headed_pieces, mention, truncate_mrkdwn
from models.problem import AWAITING_ACKNOWLEDGEMENT, EventKind, ProblemStatus


def intern_label(p: ProblemSnapshot, t: Translator) -> str:
    """How an intern reads everywhere: "Name (student id)", bracketed as the reader's language brackets."""
    return t.aside(p.intern_name, p.student_id)


def _titled(title: str, body: str | None) -> Blocks:
    """A titled text, whole: as many sections as it takes (the form takes 3,000 characters; escaped, an `&`
    takes five)."""
    return [section(piece) for piece in headed_pieces(f"*{title}*\n", body)]


def status_words(p: ProblemSnapshot, t: Translator) -> str:
    _ = t.gettext
    if p.status == ProblemStatus.ACKNOWLEDGED and p.acknowledged_by:
        return _("Acknowledged by {person}").format(person=mention(p.acknowledged_by))
    if p.status == ProblemStatus.RESOLVED and p.resolved_by:
        return _("Resolved by {person}").format(person=mention(p.resolved_by))
    return _(STATUS_LABELS[p.status])


def place(p: ProblemSnapshot, t: Translator) -> str:
    """Where the report is: its channel, or (a school-side report without a school-side channel) the teacher's
    DMs."""
    if p.channel_id[:1] in ("U", "W"):
        return t.gettext("{person}'s DMs").format(person=mention(p.channel_id))
    return f"<#{p.channel_id}>"


def summary_text(p: ProblemSnapshot, t: Translator) -> str:
    """The notification text (what a phone shows): severity, category, intern — escaped."""
    return t.gettext("{severity} · {category}: {intern}").format(
        severity=t.gettext(SEVERITY_LABELS[p.severity]), category=t.gettext(CATEGORY_LABELS[p.category]),
        intern=escape(intern_label(p, t)))


def channel_message(p: ProblemSnapshot, t: Translator, *, mention_people: tuple[str, ...] = ()) -> tuple[str, Blocks]:
    """The report as posted in (and later updated in) the partnership channel."""
    _ = t.gettext
    blocks: Blocks = [
        header(f"{SEVERITY_EMOJI[p.severity]} {_(SEVERITY_LABELS[p.severity])} · {_(CATEGORY_LABELS[p.category])}"),
        fields((_("Intern"), escape_within(intern_label(p, t), 1900)), (_("Status"), status_words(p, t)),
               (_("Reported by"), mention(p.reporter)), (_("When did it happen"), t.date(p.occurred_on))),
        *_titled(_("What happened"), p.description),
    ]
    if p.actions_taken:
        blocks += _titled(_("What has been done so far"), p.actions_taken)
    if p.status == ProblemStatus.RESOLVED and p.resolution:
        blocks += _titled(_("Resolution"), p.resolution)
    if p.school_only:  # never a mention of the mentor: the enterprise does not see this report
        notes = [_("🔒 School-side only: not shown to the enterprise"),
                 _("Teacher {teacher}").format(teacher=mention(p.teacher))]
    else:
        notes = [_("Mentor {mentor} · Teacher {teacher}").format(mentor=mention(p.mentor),
                                                                 teacher=mention(p.teacher))]
    notes.append(_("Report #{number}").format(number=p.id))
    if p.update_count:
        notes.append(t.ngettext("{count} update in the thread", "{count} updates in the thread",
                                  p.update_count).format(count=p.update_count))
    blocks.append(context(" · ".join(notes)))
    if mention_people:
        blocks.append(section(_("{people}: please take a look.").format(
            people=" ".join(mention(u) for u in mention_people))))
    blocks.append(actions(action_buttons(p, t), block_id=f"problem:{p.id}"))
    return summary_text(p, t), blocks


def action_buttons(p: ProblemSnapshot, t: Translator) -> Blocks:
    """The buttons that fit the problem's state (drawing them grants nothing: the service decides)."""
    _ = t.gettext
    update = button(ProblemActionId.ADD_UPDATE, _("Add update"), p.id)
    if p.status == ProblemStatus.RESOLVED:
        reopen = button(ProblemActionId.REOPEN, _("Reopen"), p.id, confirm=confirmation(
            _("Reopen this problem?"), _("Everyone involved will see it is open again."), _("Reopen"), _("Cancel")))
        return [reopen, update]
    buttons: Blocks = []
    if p.status in AWAITING_ACKNOWLEDGEMENT:
        buttons.append(button(ProblemActionId.ACKNOWLEDGE, _("Acknowledge"), p.id, "primary"))
    buttons += [update, button(ProblemActionId.RESOLVE, _("Resolve"), p.id)]
    return buttons


def thread_note(kind: EventKind, actor: str, text: str | None, t: Translator) -> tuple[str, Blocks]:
    """A lifecycle change or an update, as a reply in the report's thread."""
    _ = t.gettext
    who = mention(actor)
    if kind == EventKind.ACKNOWLEDGED:
        head = _("✅ {person} acknowledged this problem.").format(person=who)
    elif kind == EventKind.RESOLVED:
        head = _("☑️ {person} resolved this problem:").format(person=who)
    elif kind == EventKind.REOPENED:
        head = _("↩️ {person} reopened this problem.").format(person=who)
    else:
        head = _("💬 Update from {person}:").format(person=who)
    return truncate_mrkdwn(head, 300), [section(piece) for piece in headed_pieces(f"{head}\n" if text else head, text)]


def supervisor_dm(p: ProblemSnapshot, t: Translator) -> tuple[str, Blocks]:
    """To the intern's mentor or teacher: a new problem about their intern — named once, then how severe and
    what kind (`summary_text` would name the intern a second time)."""
    text = t.gettext("{reporter} reported a problem about your intern {intern} in {channel}: "
                     "{severity} · {category}").format(
        reporter=mention(p.reporter), intern=escape(intern_label(p, t)), channel=place(p, t),
        severity=t.gettext(SEVERITY_LABELS[p.severity]), category=t.gettext(CATEGORY_LABELS[p.category]))
    return text, [section(text)]


def coordinator_alert(p: ProblemSnapshot, t: Translator) -> tuple[str, Blocks]:
    """To coordinators, at once, for P1 and safety problems."""
    text = t.gettext("🚨 Needs attention now — {reporter} reported in {channel} ({partnership}): {summary}").format(
        reporter=mention(p.reporter), channel=place(p, t), partnership=escape(p.partnership_name),
        summary=summary_text(p, t))
    return text, [section(text)]


def reporter_notice(p: ProblemSnapshot, kind: EventKind, actor: str, t: Translator) -> tuple[str, Blocks]:
    """To the reporter, when someone else moved their report on."""
    _ = t.gettext
    template = {
        EventKind.ACKNOWLEDGED: _("{person} acknowledged your report about {intern}."),
        EventKind.RESOLVED: _("{person} resolved your report about {intern}."),
        EventKind.REOPENED: _("{person} reopened your report about {intern}."),
    }.get(kind, _("{person} added an update to your report about {intern}."))
    text = template.format(person=mention(actor), intern=escape(intern_label(p, t)))
    return text, [section(t.aside(text, place(p, t)))]


def _waited(waited: timedelta, t: Translator) -> str:
    hours = int(waited.total_seconds() // 3600)
    if hours < 48:
        return t.ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    days = hours // 24
    return t.ngettext("{count} day", "{count} days", days).format(count=days)


def escalation_note(p: ProblemSnapshot, waited: timedelta, t: Translator) -> tuple[str, Blocks]:
    """In the report's thread: nobody has acknowledged it; the coordinators are now asked to."""
    who = " ".join(mention(u) for u in p.coordinators) or t.gettext("the coordinators")
    text = t.gettext("⏰ Not acknowledged after {waited}. Escalated to {people}: please make sure someone "
                     "takes this on.").format(waited=_waited(waited, t), people=who)
    return text, [section(text)]


def escalation_dm(p: ProblemSnapshot, waited: timedelta, t: Translator) -> tuple[str, Blocks]:
    """To each coordinator: which report, how severe, how long it has waited, where it is."""
    text = t.gettext("⏰ A {severity} report about {intern} in {channel} has not been acknowledged after "
                     "{waited}. Please make sure the intern's teacher or mentor takes it on, or acknowledge "
                     "it yourself.").format(severity=t.gettext(SEVERITY_LABELS[p.severity]),
                                           intern=escape(intern_label(p, t)), channel=place(p, t),
                                           waited=_waited(waited, t))
    return text, [section(text)]
