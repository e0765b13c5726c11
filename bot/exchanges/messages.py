"""Block Kit for exchanges: pure functions from a snapshot (and a translator) to message content.

Everything a person typed goes through `escape`/`escape_within`; mentions we add are our own `<@ID>`.
"""

from __future__ import annotations

from bot.exchanges.ids import ExchangeActionId
from bot.exchanges.labels import (
    DECIDED_LABELS,
    DIRECTION_LABELS,
    PURPOSE_LABELS,
    RATING_LABELS,
    SIDE_LABELS,
    STATUS_LABELS,
)
from bot.exchanges.practice import REQUIRED_MONTHS, PracticeRecord
from bot.exchanges.snapshot import ExchangeSnapshot
from bot.i18n.catalog import N_, Translator
from bot.slack.blocks import Block, Blocks, actions, button, confirmation, context, fields, header, section
from bot.slack.text import escape, escape_within, escaped_pieces, headed_pieces, mention
from models.exchange import DecisionKind, ExchangeStatus, Rating
from models.roster import Side

# To the requester after a decision: one whole sentence per side and decision, so no translation has to
# lower-case a label or fit a decision word into someone else's grammar.
NOTICES: dict[tuple[Side, DecisionKind], str] = {
    (Side.SCHOOL, DecisionKind.APPROVE): N_("For the college, {person} approved your exchange request for {who}."),
    (Side.SCHOOL, DecisionKind.REJECT): N_("For the college, {person} rejected your exchange request for {who}."),
    (Side.SCHOOL, DecisionKind.REQUEST_CHANGES): N_(
        "For the college, {person} asked for changes to your exchange request for {who}."),
    (Side.ENTERPRISE, DecisionKind.APPROVE): N_(
        "For the enterprise, {person} approved your exchange request for {who}."),
    (Side.ENTERPRISE, DecisionKind.REJECT): N_(
        "For the enterprise, {person} rejected your exchange request for {who}."),
    (Side.ENTERPRISE, DecisionKind.REQUEST_CHANGES): N_(
        "For the enterprise, {person} asked for changes to your exchange request for {who}."),
}
NOTICE_UPDATED = N_("{person} updated your exchange request for {who}.")
# To both sides after a Fail: one whole sentence per side that failed it.
FAILED_BY: dict[Side, str] = {
    Side.SCHOOL: N_("The staff exchange of {who} has ended: the college assessed it as Fail, so no staff "
                    "exchange certificate will be issued."),
    Side.ENTERPRISE: N_("The staff exchange of {who} has ended: the enterprise assessed it as Fail, so no staff "
                        "exchange certificate will be issued."),
}


def _button(action: ExchangeActionId, label: str, x: ExchangeSnapshot, *, confirm: Block | None = None) -> Block:
    """Every button on an exchange is primary, and carries the exchange's id."""
    return button(action, label, x.id, "primary", confirm=confirm)


def _actions(x: ExchangeSnapshot, *buttons: Block) -> Block:
    return actions(buttons, block_id=f"exchange:{x.id}")


def title(x: ExchangeSnapshot, t: Translator, *, mrkdwn: bool = True) -> str:
    """What a phone shows: whose exchange, which way (escaped unless for plain_text)."""
    return t.gettext("Staff exchange: {person} ({direction})").format(
        person=escape(x.person_name) if mrkdwn else x.person_name,
        direction=t.gettext(DIRECTION_LABELS[x.direction]))


def period(x: ExchangeSnapshot, t: Translator) -> str:
    return t.gettext("{start} – {end}").format(start=t.date(x.start_date), end=t.date(x.end_date))


def details(x: ExchangeSnapshot, t: Translator) -> Blocks:
    """The request itself, as every message and modal about it shows it."""
    _ = t.gettext
    blocks: Blocks = [fields(
        (_("Who"), t.aside(mention(x.person), escape_within(x.person_name, 200))),
        (_("Direction"), _(DIRECTION_LABELS[x.direction])),
        (_("Host unit"), escape_within(x.host_unit, 1000)),
        (_("Purpose"), _(PURPOSE_LABELS[x.purpose])),
        (_("Period"), period(x, t)),
        (_("Requested by"), mention(x.requester)),
    )]
    if x.expected_outcomes:
        blocks += [section(piece) for piece in headed_pieces(f"*{_('Expected outcomes')}*\n", x.expected_outcomes)]
    return blocks


def status_words(x: ExchangeSnapshot, t: Translator) -> str:
    words = t.gettext(STATUS_LABELS[x.status])
    if x.status == ExchangeStatus.COMPLETED and x.letter_number:
        words += " · " + t.gettext("Certificate {number}").format(number=x.letter_number)
    return words


def side_lines(x: ExchangeSnapshot, t: Translator) -> str:
    """One line per side: who decided what (with the comment), or that a decision is awaited."""
    _ = t.gettext
    lines = []
    for side, role in ((x.sending_side, N_("*{side}* (sending side)")), (x.host_side, N_("*{side}* (host side)"))):
        label = _(role).format(side=_(SIDE_LABELS[side]))
        decision = x.decisions.get(side)
        if decision is None:
            lines.append(_("{side}: ⏳ awaiting a decision").format(side=label))
            continue
        icon = {DecisionKind.APPROVE: "✅", DecisionKind.REJECT: "⛔"}.get(decision.decision, "✏️")
        line = _("{side}: {icon} {decision} by {person}").format(
            side=label, icon=icon, decision=_(DECIDED_LABELS[decision.decision]), person=mention(decision.decider))
        if decision.comment:
            line += f" — {escape_within(decision.comment, 800)}"
        lines.append(line)
    for side, assessment in x.assessments.items():
        lines.append(_("{side} assessment: {rating} by {person}").format(
            side=_(SIDE_LABELS[side]), rating=_(RATING_LABELS[assessment.rating]),
            person=mention(assessment.assessor)))
    return "\n".join(lines)


def _summary_blocks(x: ExchangeSnapshot, t: Translator) -> Blocks:
    _ = t.gettext
    return [header(title(x, t, mrkdwn=False)),
            *details(x, t),
            section(_("{label}: {value}").format(label=f"*{_('Status')}*", value=status_words(x, t)) + "\n"
                    + side_lines(x, t), cut=True),
            context(_("Exchange #{number} · round {round}").format(number=x.id, round=x.review_round))]


def channel_summary(x: ExchangeSnapshot, t: Translator) -> tuple[str, Blocks]:
    """The one message in the partnership channel, updated in place as the exchange moves on."""
    blocks = _summary_blocks(x, t)
    if x.status == ExchangeStatus.PENDING:
        blocks.append(_actions(x, _button(ExchangeActionId.REVIEW, t.gettext("Review"), x)))
    return title(x, t), blocks


def review_dm(x: ExchangeSnapshot, side: Side, t: Translator) -> tuple[str, Blocks]:
    """To one approver: the request, with Review while their side still has to decide."""
    _ = t.gettext
    text = _("{requester} asks for your decision on the staff exchange of {who} ({direction}).").format(
        requester=mention(x.requester), who=escape(x.person_name), direction=_(DIRECTION_LABELS[x.direction]))
    blocks = [section(text), *_summary_blocks(x, t)[1:]]
    if x.status == ExchangeStatus.PENDING and side not in x.decisions:
        blocks.append(_actions(x, _button(ExchangeActionId.REVIEW, _("Review"), x)))
    return text, blocks


def requester_notice(x: ExchangeSnapshot, actor: str, t: Translator) -> tuple[str, Blocks]:
    """To the requester, after a decision: what was decided, and what happens next."""
    _ = t.gettext
    side = next((s for s, d in x.decisions.items() if d.decider == actor), None)
    decision = x.decisions[side] if side else None
    sentence = NOTICES[(side, decision.decision)] if side and decision else NOTICE_UPDATED
    text = _(sentence).format(person=mention(actor), who=escape(x.person_name))
    blocks = [section(text)]
    if decision and decision.comment:
        # whole, quoted: the requester acts on it. 900 escaped characters a section stay within 3,000 even
        # when every one is a line break that quoting turns into three.
        blocks += [section("> " + piece.replace("\n", "\n> ")) for piece in escaped_pieces(decision.comment, 900)]
    if x.status == ExchangeStatus.APPROVED:
        started = _("Both sides approved: the exchange starts on {date}.").format(date=t.date(x.start_date))
        blocks.append(section(started))
    if x.status == ExchangeStatus.CHANGES_REQUESTED:
        blocks.append(_actions(x, _button(ExchangeActionId.EDIT, _("Edit request"), x)))
    return text, blocks


def assessment_request(x: ExchangeSnapshot, t: Translator) -> tuple[str, Blocks]:
    _ = t.gettext
    text = _("The staff exchange of {who} ended on {date}. Please assess it for your side.").format(
        who=escape(x.person_name), date=t.date(x.end_date))
    return text, [section(text), *details(x, t), _actions(x, _button(ExchangeActionId.ASSESS, _("Assess"), x))]


def confirm_request(x: ExchangeSnapshot, t: Translator) -> tuple[str, Blocks]:
    _ = t.gettext
    text = _("Both sides assessed the staff exchange of {who}. Confirm it to issue the staff exchange "
             "certificate.").format(who=escape(x.person_name))
    confirm = _button(ExchangeActionId.CONFIRM, _("Confirm and issue certificate"), x, confirm=confirmation(
        _("Issue the certificate?"), _("The exchange will be completed and the certificate sent to the person who "
                                       "went and to the requester."),
        _("Issue"), _("Cancel")))
    return text, [section(text), section(side_lines(x, t)), _actions(x, confirm)]


def failed_notice(x: ExchangeSnapshot, t: Translator) -> tuple[str, Blocks]:
    """To both sides, the person who went and the requester: a Fail ended the exchange, with no certificate."""
    side = next((s for s, a in x.assessments.items() if a.rating == Rating.FAIL), x.host_side)
    text = t.gettext(FAILED_BY[side]).format(who=escape(x.person_name))
    return text, [section(text), *details(x, t), section(side_lines(x, t))]


def letter_comment(x: ExchangeSnapshot, user: str, t: Translator) -> str:
    """The words with the certificate in a DM: to the person who went, about their own exchange."""
    if user == x.person:
        return t.gettext("Your staff exchange certificate {number}: your staff exchange is completed.").format(
            number=x.letter_number or "")
    return t.gettext("Staff exchange certificate {number} for {who}.").format(
        number=x.letter_number or "", who=escape(x.person_name))


def reminder(x: ExchangeSnapshot, kind: str, t: Translator) -> tuple[str, Blocks]:
    """A reminder: `review` (to an approver), `escalate` (to coordinators) or `assess` (to assessors)."""
    _ = t.gettext
    if kind == "review":
        text = _("Reminder: the staff exchange of {who} is still waiting for your decision.")
        act: Block | None = _button(ExchangeActionId.REVIEW, _("Review"), x)
    elif kind == "escalate":
        text = _("The staff exchange of {who} has waited more than 7 working days for a decision.")
        act = None
    else:
        text = _("Reminder: the staff exchange of {who} ended on {date} and still needs your assessment.")
        act = _button(ExchangeActionId.ASSESS, _("Assess"), x)
    words = text.format(who=escape(x.person_name), date=t.date(x.end_date))
    blocks = [section(words), section(side_lines(x, t))]
    if act:
        blocks.append(_actions(x, act))
    return words, blocks


def status_blocks(awaiting: list[ExchangeSnapshot], practice: PracticeRecord | None, t: Translator) -> Blocks:
    """The exchange part of /coop status: decisions waiting on the person, and their practice ledger."""
    _ = t.gettext
    blocks: Blocks = []
    if awaiting:
        lines = [f"• *#{x.id}* {title(x, t)} · {period(x, t)} · <#{x.channel_id}>" for x in awaiting]
        blocks.append(section("*" + _("Exchanges waiting for your decision") + "*\n" + "\n".join(lines), cut=True))
    if practice is not None:
        words = (_("Enterprise practice in the last 5 years: {months} of {required} months. ✅ The 6-month rule "
                   "is met.") if practice.met else
                 _("Enterprise practice in the last 5 years: {months} of {required} months. ⚠️ {missing} more "
                   "months needed."))
        blocks.append(section(words.format(months=t.number(practice.months), required=REQUIRED_MONTHS,
                                           missing=t.number(practice.missing))))
    return blocks
