""""My tasks": App Home for those who have none (people of another Slack organization, for whom App Home is
unreliable, open it from the channel's panel). What waits on the person, each with the button that does it:
exchanges to review and to assess, evaluations to send, problems to acknowledge, meetings to answer.

It reads App Home's own lists (bot.home.data, bot.home.followups) — one set of queries for both — and adds
the two that App Home does not list: exchanges to assess and meetings not yet answered. Which buttons are
shown is decided from the permission matrix over the loaded rows; each click is checked again by its service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from bot.exchanges.ids import ExchangeActionId
from bot.home.data import (
    ExchangeItem,
    HomeData,
    MeetingItem,
    ProblemItem,
    Section,
    Viewer,
    load_home,
    viewer_of,
)
from bot.home.followups import ToEvaluate
from bot.home.views import exchange_block, problem_text
from bot.i18n.catalog import Translator
from bot.internships.ids import InternshipActionId
from bot.meetings.ids import MeetingActionId
from bot.permissions import Action, Subject, allows
from bot.problems.ids import ProblemActionId
from bot.slack.blocks import Block, Blocks, actions, button, context, header, section
from bot.slack.forms import modal
from bot.slack.text import escape_within
from models.exchange import Direction, Exchange, ExchangeAssessment, ExchangeStatus
from models.meeting import Meeting, MeetingInvitee, MeetingStatus
from models.roster import Person, Side

SHOWN = 8  # per list: a modal holds 100 blocks
TASKS_CALLBACK = "my_tasks"


@dataclass(frozen=True)
class Tasks:
    home: HomeData
    to_assess: tuple[ExchangeItem, ...]
    to_answer: tuple[MeetingItem, ...]

    @property
    def to_review(self) -> tuple[ExchangeItem, ...]:
        return tuple(x for x in self.home.sections[Section.APPROVALS].items if x.can_review)

    @property
    def to_acknowledge(self) -> tuple[ProblemItem, ...]:
        page = self.home.sections.get(Section.AWAITING)
        return tuple(p for p in (page.items if page else ()) if p.next_step == Action.ACKNOWLEDGE_PROBLEM)

    @property
    def to_evaluate(self) -> tuple[ToEvaluate, ...]:
        return self.home.followups.to_evaluate if self.home.followups else ()

    @property
    def empty(self) -> bool:
        return not (self.to_review or self.to_assess or self.to_evaluate or self.to_acknowledge or self.to_answer)


def load_tasks(session: Session, slack_user_id: str, *, now: datetime, default_timezone: str = "UTC") -> Tasks | None:
    """What waits on the person; None when they are on no roster."""
    home = load_home(session, slack_user_id, now=now, default_timezone=default_timezone)
    if home is None:
        return None
    person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
    assert person is not None
    viewer = viewer_of(session, person, default_timezone)
    return Tasks(home, _to_assess(session, viewer, now), _to_answer(session, viewer, now))


def _to_assess(session: Session, viewer: Viewer, now: datetime) -> tuple[ExchangeItem, ...]:
    """Exchanges that have ended and wait for the viewer's side's assessment, where the viewer may give it."""
    me = viewer.person
    side = Side(me.side)
    assessed = exists().where(ExchangeAssessment.exchange_id == Exchange.id, ExchangeAssessment.side == side)
    going = aliased(Person)
    rows = session.execute(
        select(Exchange, going.name).join(going, going.id == Exchange.person_id)
        .where(Exchange.status == ExchangeStatus.ACTIVE, Exchange.partnership_id.in_(list(viewer.roles)),
               Exchange.person_id != me.id, ~assessed)
        .order_by(Exchange.end_date, Exchange.id)).all()
    found = []
    for x, name in rows:
        today = now.astimezone(ZoneInfo(viewer.zones[x.partnership_id])).date()
        if x.end_date > today or not allows(Action.ASSESS_EXCHANGE, viewer.held(Subject(x.partnership_id, exchange=x))):
            continue
        found.append(ExchangeItem(x.id, viewer.channels.get(x.partnership_id, ""), name, Direction(x.direction),
                                  x.host_unit, x.start_date, x.end_date, True))
        if len(found) == SHOWN:
            break
    return tuple(found)


def _to_answer(session: Session, viewer: Viewer, now: datetime) -> tuple[MeetingItem, ...]:
    """Meetings still ahead that the viewer is invited to and has not answered."""
    rows = session.execute(
        select(Meeting.id, Meeting.partnership_id, Meeting.title, Meeting.starts_at)
        .join(MeetingInvitee, MeetingInvitee.meeting_id == Meeting.id)
        .where(MeetingInvitee.person_id == viewer.person.id, MeetingInvitee.rsvp.is_(None),
               Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now)
        .order_by(Meeting.starts_at, Meeting.id).limit(SHOWN)).all()
    return tuple(MeetingItem(r.id, r.title, r.starts_at, viewer.zones[r.partnership_id],
                             viewer.channels[r.partnership_id]) for r in rows)


def tasks_modal(tasks: Tasks | None, t: Translator, *, how_to_join: str) -> dict[str, Any]:
    """The "My tasks" modal: each list with its buttons (they work from a modal: the forms they open are
    pushed over it), or a word that nothing waits."""
    _ = t.gettext
    blocks: Blocks = []
    if tasks is None:
        blocks.append(section(how_to_join, cut=True))
    elif tasks.empty:
        blocks.append(section(_("Nothing waits for you. 🎉"), cut=True))
    else:
        if tasks.to_review:
            blocks.append(header(_("Exchanges waiting for your decision")))
            blocks += [exchange_block(x, t) for x in tasks.to_review[:SHOWN]]
        if tasks.to_assess:
            blocks.append(header(_("Exchanges to assess")))
            blocks += [_assess_block(x, t) for x in tasks.to_assess]
        if tasks.to_evaluate:
            blocks.append(header(_("Evaluations to send")))
            for waiting in tasks.to_evaluate:
                text = _("{intern} finished on {date}; please evaluate the internship.").format(
                    intern=escape_within(t.aside(waiting.name, waiting.student_id), 300),
                    date=t.date(waiting.end_date))
                blocks.append(section(text, button(InternshipActionId.EVALUATE, _("Evaluate"), waiting.intern_id)))
        if tasks.to_acknowledge:
            blocks.append(header(_("Waiting for your acknowledgement")))
            blocks += [section(problem_text(p, t), button(ProblemActionId.ACKNOWLEDGE, _("Acknowledge"), p.id,
                                                          "primary"), cut=True) for p in tasks.to_acknowledge]
        if tasks.to_answer:
            blocks.append(header(_("Meetings to answer")))
            for m in tasks.to_answer:
                when = t.aside(t.datetime(m.starts_at, m.timezone), m.timezone)
                blocks.append(section(f"📅 *{escape_within(m.title, 200)}* · {when} · <#{m.channel_id}>"))
                blocks.append(actions([button(MeetingActionId.RSVP_GOING, _("Going"), m.id, "primary"),
                                       button(MeetingActionId.RSVP_MAYBE, _("Maybe"), m.id),
                                       button(MeetingActionId.RSVP_DECLINED, _("Can't go"), m.id)],
                                      block_id=f"meeting:{m.id}:rsvp"))
        blocks.append(context(_("Done something? Open My tasks again to see what is left.")))
    return modal(TASKS_CALLBACK, _("My tasks"), blocks[:100], submit=None, close=_("Close"))


def _assess_block(x: ExchangeItem, t: Translator) -> Block:
    block = exchange_block(x, t)
    block["accessory"] = button(ExchangeActionId.ASSESS, t.gettext("Assess"), x.id, "primary")
    return block
