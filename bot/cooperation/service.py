"""The cooperation ledger: entries logged by a partnership's coordinators (bot.permissions, KEEP_LEDGER), listed
in their App Home and the exports, and the reminders of project application deadlines (14 and 3 days before,
each coordinator by DM, once each). Knows nothing of Slack beyond the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot import audit
from bot.cooperation.agreement import AgreementInput, set_agreement
from bot.cooperation.forms import LedgerEntryInput
from bot.delivery import outbox
from bot.errors import NotAllowed
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_in
from bot.permissions import Action, Subject, find_person, partnerships_allowing, require
from bot.quarters import local_today
from bot.slack.text import escape_within
from bot.storage import ledger
from bot.storage.db import Database
from models.base import utcnow
from models.cooperation import Agreement, ApplicationStatus, EntryKind, LedgerEntry
from models.roster import Membership, Partnership, Person, Role

DEADLINE_LEADS = (14, 3)  # days before a project application's deadline
JOB_DEADLINE = "ledger-deadline"
OPEN_APPLICATIONS = (ApplicationStatus.PLANNED,)  # still to be submitted: a deadline to remind of


@dataclass(frozen=True)
class EntrySummary:
    id: int
    partnership: str
    kind: EntryKind
    title: str
    started_on: date
    deadline: date | None
    status: ApplicationStatus | None


class CooperationService:
    def __init__(self, db: Database, locales: SlackLocales | None = None, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.locales = locales
        self.default_timezone = default_timezone
        self.clock = clock

    def ledger_partnerships(self, slack_user_id: str, channel_id: str | None = None) -> list[tuple[int, str]]:
        """The partnerships whose ledger the person keeps, the channel's first. Raises NotOnRoster, or
        NotAllowed when there is none."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            ids = partnerships_allowing(session, person, Action.KEEP_LEDGER)
            rows = session.execute(select(Partnership.id, Partnership.name, Partnership.channel_id)
                                   .where(Partnership.id.in_(ids)).order_by(Partnership.name)).all()
        if not rows:
            raise NotAllowed(Action.KEEP_LEDGER.value)
        ordered = sorted(rows, key=lambda r: r.channel_id != channel_id)  # stable: by name after the channel's
        return [(r.id, r.name) for r in ordered]

    def log_entry(self, slack_user_id: str, data: LedgerEntryInput, source_key: str) -> int:
        """Record the entry, once per submission (`source_key`: the modal's view id). Returns its id."""
        with self.db.transaction() as session:
            existing = session.scalar(select(LedgerEntry.id).where(LedgerEntry.source_key == source_key))
            if existing is not None:
                return existing
            person = require(session, slack_user_id, Action.KEEP_LEDGER, Subject(data.partnership))
            entry = LedgerEntry(partnership_id=data.partnership, kind=data.kind, title=data.title,
                                people=data.people, details=data.details, started_on=data.started_on,
                                ended_on=data.ended_on, deadline=data.deadline, status=data.status,
                                ownership=data.ownership, trainees=data.trainees, hours=data.hours,
                                created_by_id=person.id, created_at=self.clock(), source_key=source_key)
            session.add(entry)
            session.flush()
            audit.record(session, actor=slack_user_id, action="ledger.logged", entity_type="ledger_entry",
                         entity_id=entry.id, after=data.model_dump())
            outbox.refresh_homes(session, [slack_user_id])
            return entry.id

    def agreements(self, partnership_ids: list[int]) -> dict[int, tuple[date, date, list[str]]]:
        """What is recorded of these partnerships' agreements (the modal's initial values)."""
        with self.db.session() as session:
            rows = session.scalars(select(Agreement).where(Agreement.partnership_id.in_(partnership_ids)))
            return {a.partnership_id: (a.signed_on, a.ends_on, list(a.links)) for a in rows}

    def set_agreement(self, slack_user_id: str, partnership_id: int, signed_on: date, ends_on: date,
                      links: list[str]) -> None:
        """The modal's agreement, for a coordinator of the partnership (bot.cooperation.agreement)."""
        with self.db.session() as session:
            require(session, slack_user_id, Action.KEEP_LEDGER, Subject(partnership_id))
        set_agreement(self.db, partnership_id, AgreementInput(signed_on=signed_on, ends_on=ends_on, links=links),
                      actor=slack_user_id)

    def recent_entries(self, slack_user_id: str, limit: int = 10) -> list[EntrySummary]:
        """The newest entries of the partnerships the person keeps the ledger of (App Home)."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            ids = partnerships_allowing(session, person, Action.KEEP_LEDGER)
            if not ids:
                return []
            rows = session.execute(select(LedgerEntry, Partnership.name).join(
                Partnership, Partnership.id == LedgerEntry.partnership_id).where(LedgerEntry.partnership_id.in_(ids))
                .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(limit)).all()
            return [EntrySummary(e.id, name, e.kind, e.title, e.started_on, e.deadline, e.status) for e, name in rows]

    def remind_deadlines(self, now: datetime) -> int:
        """Each planned application 14 days, then 3 days, or fewer from its deadline: each coordinator of its
        partnership told by DM, once per lead (only the nearest lead due). Returns how many entries."""
        reminded = 0
        with self.db.transaction() as session:
            rows = session.execute(select(LedgerEntry, Partnership).join(
                Partnership, Partnership.id == LedgerEntry.partnership_id).where(
                LedgerEntry.kind == EntryKind.JOINT_PROJECT, LedgerEntry.deadline.is_not(None),
                LedgerEntry.status.in_(OPEN_APPLICATIONS))).all()
            coordinators: dict[int, list[str]] = {}
            for pid, user in session.execute(select(Membership.partnership_id, Person.slack_user_id).join(
                    Person, Person.id == Membership.person_id).where(Membership.role == Role.COORDINATOR)):
                coordinators.setdefault(pid, []).append(user)
            for entry, partnership in rows:
                assert entry.deadline is not None
                left = (entry.deadline - local_today(now, partnership.timezone or self.default_timezone)).days
                due = [lead for lead in DEADLINE_LEADS if 0 <= left <= lead]
                if not due or not ledger.claim(session, job=JOB_DEADLINE, partnership_id=partnership.id,
                                               period=entry.deadline.isoformat(),
                                               subject=f"entry:{entry.id}:{min(due)}d", at=now):
                    continue
                for user in coordinators.get(partnership.id, []):
                    t = translator(language_in(session, self.locales, user, partnership.language))
                    text = deadline_text(entry.title, partnership.name, entry.deadline, left, t)
                    outbox.post(session, channel=user, text=text,
                                blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
                reminded += 1
        return reminded


def deadline_text(title: str, partnership: str, deadline: date, days: int, t: Translator) -> str:
    return t.gettext("The application “{title}” ({partnership}) is due on {date}, in {days} days.").format(
        title=escape_within(title, 200), partnership=escape_within(partnership, 200),
        date=t.date(deadline, weekday=False), days=days)
