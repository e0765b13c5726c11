"""Meetings of a partnership's cooperation group: scheduling, answers, changes, minutes, action items.

Knows nothing of Slack. Each change is one transaction that also writes the audit record and (through
the notifier) the outgoing messages and calendar files. A repeated request (Slack retry, double click)
finds its work already done. The read functions at the top are what the digest and the quarterly
prompt ask.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound, raise_problems
from bot.i18n.catalog import Translator
from bot.meetings.forms import CancelInput, MeetingInput, ScheduleDefaults, WhenInput
from bot.meetings.labels import DEFAULT_TITLE
from bot.meetings.minutes_form import MinutesInput, item_block
from bot.meetings.quarterly import PromptOutcome, PromptResult, QuarterPrompt
from bot.meetings.snapshot import ActionItemSnapshot, MeetingSnapshot, item_snapshot, quarter_of, snapshot
from bot.permissions import Action, Subject, find_person, is_allowed, partnerships_allowing, require
from bot.quarters import Quarter, local_today, prompt_due
from bot.storage.db import Database
from bot.storage.ledger import claim, done_at
from models.base import utcnow
from models.delivery import ProcessedRequest
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingInvitee, MeetingStatus, Rsvp
from models.roster import Membership, Partnership, Person, Role

QUARTERLY_PROMPT_JOB = "quarterly-prompt"  # the JobRun ledger's name for a quarter's prompt
# The cooperation group invited by default: both sides' coordinators and the members (leads) of the group.
GROUP_ROLES = (Role.COORDINATOR, Role.MEMBER)


class MeetingNotifier(Protocol):
    """Tells people about meetings; called inside the change's transaction."""

    def scheduled(self, session: Session, meeting: MeetingSnapshot) -> None: ...

    def answered(self, session: Session, meeting: MeetingSnapshot) -> None: ...

    def joined(self, session: Session, meeting: MeetingSnapshot, slack_user_id: str) -> None:
        """Someone not invited answered and is now one of the meeting's people."""
        ...

    def rescheduled(self, session: Session, meeting: MeetingSnapshot, actor: str) -> None: ...

    def cancelled(self, session: Session, meeting: MeetingSnapshot, actor: str, reason: str | None) -> None: ...

    def minutes_recorded(self, session: Session, meeting: MeetingSnapshot, actor: str) -> None: ...

    def item_done(self, session: Session, meeting: MeetingSnapshot, item: ActionItemSnapshot, actor: str) -> None:
        ...

    def reminder(self, session: Session, meeting: MeetingSnapshot, hours: int) -> None: ...

    def minutes_requested(self, session: Session, meeting: MeetingSnapshot) -> None: ...

    def item_due(self, session: Session, item: ActionItemSnapshot) -> None: ...

    def quarter_begun(self, session: Session, prompt: QuarterPrompt) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """A meeting after an action; `changed` is False when the request had already been handled."""

    meeting: MeetingSnapshot
    changed: bool


class MeetingService:
    def __init__(self, db: Database, notifier: MeetingNotifier, *, default_timezone: str = "UTC",
                 holidays: Collection[date] = (), clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.notifier = notifier
        self.default_timezone = default_timezone
        self.holidays = frozenset(holidays)
        self.clock = clock

    # --- what other parts of coopbot ask (digest, quarterly prompt, App Home) -------------------------
    def in_quarter(self, session: Session, partnership_id: int, quarter: str) -> MeetingSnapshot | None:
        """The partnership's meeting (scheduled or held, not cancelled) in `quarter` ("2027Q1"), if any."""
        meeting = session.scalar(
            select(Meeting).where(Meeting.partnership_id == partnership_id, Meeting.quarter == quarter,
                                  Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.starts_at).limit(1))
        return snapshot(meeting, self.default_timezone) if meeting else None

    # --- the calendar (bot.meetings.jobs) ----------------------------------------------------------
    def prompt_quarters(self, now: datetime) -> int:
        """The scheduler's run: prompt every partnership whose local today is its quarter's first working day
        (or just after, if that run was missed) to schedule its review, or say it already is. Returns how
        many prompts were posted."""
        return sum(r.outcome == PromptOutcome.POSTED for r in self._prompt_all(now, by_hand=False))

    def prompt_quarters_by_hand(self, now: datetime) -> list[PromptResult]:
        """The job run by hand, "do it now": this quarter's prompt for every partnership that has not had it,
        whatever the day; late in a quarter, only to those with no meeting in it. What happened to each."""
        return self._prompt_all(now, by_hand=True)

    def prompt_added(self, session: Session, partnership_id: int, now: datetime) -> PromptResult:
        """A partnership just added (in the transaction adding it): this quarter's prompt, so one added in
        the middle of a quarter does not wait for the next quarter to be asked."""
        partnership = session.get(Partnership, partnership_id)
        if partnership is None:
            raise NotFound(f"partnership {partnership_id}")
        return self._prompt(session, partnership, now)

    def _prompt_all(self, now: datetime, *, by_hand: bool) -> list[PromptResult]:
        with self.db.session() as session:
            rows = session.execute(select(Partnership.id, Partnership.name, Partnership.timezone)
                                   .order_by(Partnership.id)).all()
        results = []
        for partnership_id, name, zone in rows:
            today = local_today(now, zone or self.default_timezone)
            if not by_hand and prompt_due(today, self.holidays) is None:  # no transaction for most days
                results.append(PromptResult(partnership_id, name, Quarter.of(today), PromptOutcome.NOT_DUE))
                continue
            with self.db.transaction() as session:
                partnership = session.get(Partnership, partnership_id)
                if partnership is not None:
                    results.append(self._prompt(session, partnership, now))
        return results

    def _prompt(self, session: Session, partnership: Partnership, now: datetime) -> PromptResult:
        """One partnership's prompt for the quarter it is in, claimed in the JobRun ledger with its outbox
        row per partnership and quarter: never twice for a quarter, whatever runs it. On the quarter's first
        working days (`prompt_due`) the prompt goes out even when the review is scheduled, and then says so;
        later in the quarter (by hand, a partnership just added) a partnership whose meeting is scheduled has
        nothing to be asked, and the others are told the review is not scheduled yet."""
        zone = partnership.timezone or self.default_timezone
        today = local_today(now, zone)
        due = prompt_due(today, self.holidays)
        quarter = due or Quarter.of(today)
        result = partial(PromptResult, partnership.id, partnership.name, quarter)
        scheduled = self.in_quarter(session, partnership.id, quarter.key)
        posted_at = done_at(session, job=QUARTERLY_PROMPT_JOB, partnership_id=partnership.id, period=quarter.key)
        if posted_at is not None:
            return result(PromptOutcome.ALREADY_POSTED, posted_on=local_today(posted_at, zone), meeting=scheduled)
        if due is None and scheduled is not None:
            return result(PromptOutcome.MEETING_SCHEDULED, meeting=scheduled)
        if not claim(session, job=QUARTERLY_PROMPT_JOB, partnership_id=partnership.id, period=quarter.key, at=now):
            return result(PromptOutcome.ALREADY_POSTED, posted_on=today, meeting=scheduled)  # a replica, just now
        self.notifier.quarter_begun(session, QuarterPrompt(
            partnership_id=partnership.id, channel_id=partnership.channel_id, language=partnership.language,
            timezone=zone, quarter=quarter, scheduled=scheduled, late=due is None))
        return result(PromptOutcome.POSTED, meeting=scheduled)

    def next_meeting(self, partnership_id: int, now: datetime) -> MeetingSnapshot | None:
        """The partnership's next scheduled meeting that has not started by `now`."""
        with self.db.session() as session:
            meeting = session.scalar(
                select(Meeting).where(Meeting.partnership_id == partnership_id, Meeting.starts_at > now,
                                      Meeting.status == MeetingStatus.SCHEDULED)
                .order_by(Meeting.starts_at).limit(1))
            return snapshot(meeting, self.default_timezone) if meeting else None

    def open_action_items(self, partnership_id: int) -> list[ActionItemSnapshot]:
        """Action items of the partnership's meetings not yet done, soonest due first."""
        with self.db.session() as session:
            items = session.scalars(
                select(ActionItem).join(Meeting, Meeting.id == ActionItem.meeting_id)
                .where(Meeting.partnership_id == partnership_id, ActionItem.status == ActionItemStatus.OPEN)
                .order_by(ActionItem.due_date, ActionItem.id))
            return [item_snapshot(item, self.default_timezone) for item in items]

    def get(self, meeting_id: int) -> MeetingSnapshot:
        with self.db.session() as session:
            return snapshot(self._get(session, meeting_id), self.default_timezone)

    # --- before opening a modal -----------------------------------------------------------------------
    def schedule_defaults(self, slack_user_id: str, t: Translator, *,
                          partnership_id: int | None = None) -> ScheduleDefaults:
        """The form's starting values, for `partnership_id` if given and the caller's (else their first);
        raises NotOnRoster / NotAllowed unless the caller coordinates somewhere."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            ids = partnerships_allowing(session, person, Action.SCHEDULE_MEETING)
            if not ids:
                raise NotAllowed(Action.SCHEDULE_MEETING.value)
            partnerships = session.scalars(select(Partnership).where(Partnership.id.in_(ids))
                                           .order_by(Partnership.name)).all()
            partnerships = sorted(partnerships, key=lambda p: p.id != partnership_id)  # the asked-for one first
            first = partnerships[0]
            zone = first.timezone or self.default_timezone
            today = self.clock().astimezone(ZoneInfo(zone)).date()
            quarter = Quarter.of(today)
            group = session.scalars(
                select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
                .where(Membership.partnership_id == first.id, Membership.role.in_(GROUP_ROLES))
                .distinct().order_by(Person.slack_user_id)).all()
            return ScheduleDefaults(
                partnerships=tuple((p.id, p.name) for p in partnerships),
                title=t.gettext(DEFAULT_TITLE).format(quarter=t.quarter(quarter.year, quarter.number)),
                invitees=tuple(group), today=today, timezone=zone)

    def view(self, meeting_id: int, slack_user_id: str, action: Action) -> MeetingSnapshot:
        """The meeting, if the person may take `action` on it (checked again on submit)."""
        with self.db.session() as session:
            meeting = self._get(session, meeting_id)
            require(session, slack_user_id, action, Subject(meeting.partnership_id, meeting=meeting))
            _refuse_if_closed_to(meeting, action)  # a stale button: say so now, not after the form is filled in
            return snapshot(meeting, self.default_timezone)

    # --- changing -----------------------------------------------------------------------------------
    def schedule(self, slack_user_id: str, data: MeetingInput, source_key: str) -> Outcome:
        """Store a new meeting and announce it. The same `source_key` (view id) never makes two."""
        try:
            with self.db.transaction() as session:
                existing = session.scalar(select(Meeting).where(Meeting.source_key == source_key))
                if existing is not None:
                    return Outcome(snapshot(existing, self.default_timezone), changed=False)
                partnership, person = self._schedulable(session, slack_user_id, data.partnership_id)
                zone = partnership.timezone or self.default_timezone
                raise_problems({**self._when_problems(data.date, data.start_time, zone),
                                **self._roster_problems(session, partnership.id, data.invitees)})
                starts_at = self._starts_at(data, zone)
                invited = self._invitees(session, partnership.id, (person.slack_user_id, *data.invitees))
                meeting = Meeting(
                    partnership=partnership, organiser=person, title=data.title, starts_at=starts_at,
                    duration_minutes=data.duration_minutes, location=data.location, agenda=data.agenda,
                    status=MeetingStatus.SCHEDULED, quarter=quarter_of(starts_at, zone),
                    ics_uid=f"{uuid.uuid4()}@coopbot", ics_sequence=0, created_at=self.clock(),
                    updated_at=self.clock(), source_key=source_key,
                    invitees=[MeetingInvitee(person=p) for p in invited])
                session.add(meeting)
                session.flush()
                audit.record(session, actor=slack_user_id, action="meeting.scheduled", entity_type="meeting",
                             entity_id=meeting.id, after=_state(meeting))
                view = snapshot(meeting, self.default_timezone)
                self.notifier.scheduled(session, view)
                return Outcome(view, changed=True)
        except IntegrityError:
            with self.db.session() as session:  # the same submission raced us; show the winner's meeting
                existing = session.scalar(select(Meeting).where(Meeting.source_key == source_key))
                if existing is None:
                    raise
                return Outcome(snapshot(existing, self.default_timezone), changed=False)

    def check_schedule(self, slack_user_id: str, fields: Mapping[str, Any]) -> None:
        """The rules of "Schedule a meeting" that need the database, on the fields a form accepted (any may be
        missing): raises InvalidInput naming every field that breaks one."""
        if fields.get("partnership_id") is None:
            return  # the time and the invitees are the partnership's
        with self.db.session() as session:
            partnership, _person = self._schedulable(session, slack_user_id, fields["partnership_id"])
            zone = partnership.timezone or self.default_timezone
            raise_problems({**self._when_problems(fields.get("date"), fields.get("start_time"), zone),
                            **self._roster_problems(session, partnership.id, fields.get("invitees") or ())})

    def check_reschedule(self, meeting_id: int, slack_user_id: str, fields: Mapping[str, Any]) -> None:
        """The new time's rules, on the fields a form accepted (either may be missing)."""
        with self.db.session() as session:
            meeting = self._get(session, meeting_id)
            require(session, slack_user_id, Action.CHANGE_MEETING, Subject(meeting.partnership_id, meeting=meeting))
            zone = meeting.partnership.timezone or self.default_timezone
            raise_problems(self._when_problems(fields.get("date"), fields.get("start_time"), zone))

    def check_minutes(self, meeting_id: int, slack_user_id: str, owners: Mapping[str, str]) -> None:
        """The minutes' rules, with the owners of the action items a form accepted (field → Slack user id)."""
        with self.db.session() as session:
            meeting = self._get(session, meeting_id)
            require(session, slack_user_id, Action.RECORD_MINUTES, Subject(meeting.partnership_id, meeting=meeting))
            raise_problems(self._minutes_problems(session, meeting, owners))

    def rsvp(self, meeting_id: int, slack_user_id: str, answer: Rsvp) -> Outcome:
        """Record an answer to a meeting announced in the partnership's channel. Anyone on the partnership's
        roster may answer (the buttons are there for the whole channel): someone not invited joins the
        meeting's people by answering (counted, sent the calendar file, reminded and told of changes like
        those invited). The same answer again, a double click or a retry, changes nothing; the meeting's row
        lock makes a second click wait for the first, so nobody is added twice."""
        with self.db.transaction() as session:
            meeting = self._get(session, meeting_id, lock=True)
            person = require(session, slack_user_id, Action.RSVP_MEETING,
                             Subject(meeting.partnership_id, meeting=meeting))
            if meeting.status != MeetingStatus.SCHEDULED:
                raise InvalidTransition(meeting.status.value)
            invitee = next((i for i in meeting.invitees if i.person_id == person.id), None)
            joined = invitee is None
            if invitee is None:
                invitee = MeetingInvitee(person=person)
                meeting.invitees.append(invitee)
            elif invitee.rsvp == answer:
                return Outcome(snapshot(meeting, self.default_timezone), changed=False)
            before = invitee.rsvp
            invitee.rsvp, invitee.responded_at = answer, self.clock()
            session.flush()
            audit.record(session, actor=slack_user_id, action="meeting.rsvp", entity_type="meeting",
                         entity_id=meeting.id, before={"rsvp": before},
                         after={"rsvp": answer, **({"joined": True} if joined else {})})
            view = snapshot(meeting, self.default_timezone)
            if joined:
                self.notifier.joined(session, view, slack_user_id)
            else:
                self.notifier.answered(session, view)
            return Outcome(view, changed=True)

    def reschedule(self, meeting_id: int, slack_user_id: str, data: WhenInput, source_key: str) -> Outcome:
        """Move the meeting; everyone invited gets an updated calendar entry (SEQUENCE + 1)."""
        with self.db.transaction() as session:
            meeting, done = self._begin_change(session, meeting_id, slack_user_id, Action.CHANGE_MEETING,
                                               source_key)
            if done:
                return Outcome(snapshot(meeting, self.default_timezone), changed=False)
            zone = meeting.partnership.timezone or self.default_timezone
            starts_at = self._starts_at(data, zone)
            before = _state(meeting)
            meeting.starts_at, meeting.duration_minutes, meeting.location = (
                starts_at, data.duration_minutes, data.location)
            meeting.quarter = quarter_of(starts_at, zone)
            meeting.ics_sequence += 1
            meeting.updated_at = self.clock()
            session.flush()
            audit.record(session, actor=slack_user_id, action="meeting.rescheduled", entity_type="meeting",
                         entity_id=meeting.id, before=before, after=_state(meeting))
            view = snapshot(meeting, self.default_timezone)
            self.notifier.rescheduled(session, view, slack_user_id)
            return Outcome(view, changed=True)

    def cancel(self, meeting_id: int, slack_user_id: str, data: CancelInput, source_key: str) -> Outcome:
        """Call the meeting off; everyone invited gets a cancelled calendar entry."""
        with self.db.transaction() as session:
            meeting, done = self._begin_change(session, meeting_id, slack_user_id, Action.CHANGE_MEETING,
                                               source_key)
            if done:
                return Outcome(snapshot(meeting, self.default_timezone), changed=False)
            before = _state(meeting)
            meeting.status = MeetingStatus.CANCELLED
            meeting.ics_sequence += 1
            meeting.updated_at = self.clock()
            session.flush()
            audit.record(session, actor=slack_user_id, action="meeting.cancelled", entity_type="meeting",
                         entity_id=meeting.id, before=before, after={**_state(meeting), "reason": data.reason})
            view = snapshot(meeting, self.default_timezone)
            self.notifier.cancelled(session, view, slack_user_id, data.reason)
            return Outcome(view, changed=True)

    def record_minutes(self, meeting_id: int, slack_user_id: str, data: MinutesInput, source_key: str) -> Outcome:
        """Keep the minutes and action items of a meeting that has started; it counts as held from now."""
        with self.db.transaction() as session:
            meeting = self._get(session, meeting_id, lock=True)
            require(session, slack_user_id, Action.RECORD_MINUTES, Subject(meeting.partnership_id, meeting=meeting))
            if session.get(ProcessedRequest, source_key) is not None:
                return Outcome(snapshot(meeting, self.default_timezone), changed=False)
            session.add(ProcessedRequest(key=source_key))
            _refuse_if_closed_to(meeting, Action.RECORD_MINUTES)
            raise_problems(self._minutes_problems(
                session, meeting, {item_block(row, "owner"): item.owner for row, item in enumerate(data.items, 1)}))
            for item in data.items:
                [owner] = self._invitees(session, meeting.partnership_id, (item.owner,))
                meeting.action_items.append(ActionItem(owner=owner, text=item.text, due_date=item.due_date,
                                                       status=ActionItemStatus.OPEN, created_at=self.clock()))
            before = _state(meeting)
            meeting.minutes, meeting.minutes_recorded_at = data.minutes, self.clock()
            meeting.status, meeting.updated_at = MeetingStatus.HELD, self.clock()
            session.flush()
            audit.record(session, actor=slack_user_id, action="meeting.minutes_recorded", entity_type="meeting",
                         entity_id=meeting.id, before=before,
                         after={**_state(meeting), "action_items": [a.id for a in meeting.action_items]})
            view = snapshot(meeting, self.default_timezone)
            self.notifier.minutes_recorded(session, view, slack_user_id)
            return Outcome(view, changed=True)

    def complete_action_item(self, item_id: int, slack_user_id: str) -> ActionItemSnapshot:
        """Mark an action item done (its owner or a coordinator); done already is a refusal, not a change."""
        with self.db.transaction() as session:
            item = session.get(ActionItem, item_id, with_for_update=True)
            if item is None:
                raise NotFound(f"action item {item_id}")
            require(session, slack_user_id, Action.COMPLETE_ACTION_ITEM,
                    Subject(item.meeting.partnership_id, action_item=item))
            if item.status == ActionItemStatus.DONE:
                raise InvalidTransition(item.status.value)
            item.status, item.done_at = ActionItemStatus.DONE, self.clock()
            session.flush()
            audit.record(session, actor=slack_user_id, action="action_item.done", entity_type="action_item",
                         entity_id=item.id, before={"status": ActionItemStatus.OPEN}, after={"status": item.status})
            view = item_snapshot(item, self.default_timezone)
            self.notifier.item_done(session, snapshot(item.meeting, self.default_timezone), view, slack_user_id)
            return view

    # --- helpers -------------------------------------------------------------------------------------
    def _begin_change(self, session: Session, meeting_id: int, slack_user_id: str, action: Action,
                      source_key: str) -> tuple[Meeting, bool]:
        """Lock the meeting, check the person may change it and that it is still scheduled; True if this
        request was already handled."""
        meeting = self._get(session, meeting_id, lock=True)
        require(session, slack_user_id, action, Subject(meeting.partnership_id, meeting=meeting))
        if session.get(ProcessedRequest, source_key) is not None:
            return meeting, True
        session.add(ProcessedRequest(key=source_key))
        _refuse_if_closed_to(meeting, action)
        return meeting, False

    def _schedulable(self, session: Session, slack_user_id: str, partnership_id: int) -> tuple[Partnership, Person]:
        """The partnership, if the person may schedule meetings for it; else InvalidInput on it."""
        partnership = session.get(Partnership, partnership_id)
        person = find_person(session, slack_user_id)
        if partnership is None or not is_allowed(session, person, Action.SCHEDULE_MEETING, Subject(partnership.id)):
            raise InvalidInput("partnership_id", "not_yours")  # the rest depends on the partnership
        return partnership, person

    def _starts_at(self, data: WhenInput, zone: str) -> datetime:
        """The start as a UTC instant; rejects wall-clock times skipped by a DST change and the past."""
        raise_problems(self._when_problems(data.date, data.start_time, zone))
        return datetime.combine(data.date, data.start_time, tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))

    def _when_problems(self, day: date | None, start: time | None, zone: str) -> dict[str, str]:
        """What is wrong with a start on `day` at `start` (wall clock in `zone`; either may be missing): a time
        a DST change skips, or the past."""
        tz = ZoneInfo(zone)
        now = self.clock()
        if day is None:
            return {}
        if start is None:
            return {"date": "past"} if day < now.astimezone(tz).date() else {}
        local = datetime.combine(day, start, tzinfo=tz)
        utc = local.astimezone(ZoneInfo("UTC"))
        if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
            return {"start_time": "nonexistent"}
        if utc <= now:
            return {"date" if day < now.astimezone(tz).date() else "start_time": "past"}
        return {}

    @staticmethod
    def _roster_problems(session: Session, partnership_id: int, slack_ids: Collection[str], *,
                         field: str = "invitees") -> dict[str, str]:
        """{field: "not_on_roster"} if one of these people is not on the partnership's roster."""
        wanted = set(slack_ids)
        if not wanted:
            return {}
        found = set(session.scalars(
            select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
            .where(Membership.partnership_id == partnership_id, Person.slack_user_id.in_(wanted))))
        return {} if found >= wanted else {field: "not_on_roster"}

    def _minutes_problems(self, session: Session, meeting: Meeting, owners: Mapping[str, str]) -> dict[str, str]:
        """A meeting not started yet, and each action item's owner who is not on the roster (by field)."""
        problems = {"minutes": "not_started"} if meeting.starts_at > self.clock() else {}
        for field, owner in owners.items():
            problems |= self._roster_problems(session, meeting.partnership_id, (owner,), field=field)
        return problems

    @staticmethod
    def _invitees(session: Session, partnership_id: int, slack_ids: tuple[str, ...], *,
                  field: str = "invitees") -> list[Person]:
        """The people to invite, in the order given; each must be on the partnership's roster."""
        wanted = list(dict.fromkeys(slack_ids))
        found = {p.slack_user_id: p for p in session.scalars(
            select(Person).join(Membership, Membership.person_id == Person.id)
            .where(Membership.partnership_id == partnership_id, Person.slack_user_id.in_(wanted)))}
        if len(found) != len(wanted):
            raise InvalidInput(field, "not_on_roster")
        return [found[s] for s in wanted]

    @staticmethod
    def _get(session: Session, meeting_id: int, *, lock: bool = False) -> Meeting:
        meeting = session.get(Meeting, meeting_id, with_for_update=lock or None)
        if meeting is None:
            raise NotFound(f"meeting {meeting_id}")
        return meeting


def _state(meeting: Meeting) -> dict[str, object]:
    return {"status": meeting.status, "title": meeting.title, "starts_at": meeting.starts_at,
            "duration_minutes": meeting.duration_minutes, "location": meeting.location,
            "sequence": meeting.ics_sequence}


def _refuse_if_closed_to(meeting: Meeting, action: Action) -> None:
    """Raise if the meeting's state no longer allows `action`: only a scheduled meeting is rescheduled or
    cancelled; minutes are recorded once, and never for a cancelled meeting."""
    if action == Action.RECORD_MINUTES:
        if meeting.status == MeetingStatus.CANCELLED or meeting.minutes_recorded_at is not None:
            raise InvalidTransition("cancelled" if meeting.status == MeetingStatus.CANCELLED else "recorded")
    elif action == Action.CHANGE_MEETING and meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidTransition(meeting.status.value)
