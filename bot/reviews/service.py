"""Building the quarterly review pack and sending it: before each quarterly meeting (in the announcement's
thread), and on demand (`/coop review`, to the caller's DM).

Who may read a partnership's pack (bot.permissions, `READ_REVIEW_PACK`): its coordinators and the members of
its cooperation group, the people invited to the quarterly meeting by default; and its college's deans, who
get one pack for the whole college. Knows nothing of Slack beyond
the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.digests.service import JOB_QUARTER_END, quarter_digest_key
from bot.errors import NotAllowed
from bot.exchanges.letter_fonts import LetterFonts
from bot.exchanges.letter_fonts import load as load_fonts
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_in
from bot.permissions import Action, find_person, partnerships_allowing
from bot.plans.college import dean_colleges
from bot.quarters import Quarter, local_today
from bot.reviews import charts
from bot.reviews.data import PackData, load
from bot.reviews.pack import SECTIONS, Section, render
from bot.slack.text import defanged, escape
from bot.storage import ledger
from bot.storage.db import Database
from models.base import utcnow
from models.meeting import Meeting, MeetingStatus
from models.roster import Partnership
from models.schedule import JobRun

PACK_LEAD = timedelta(days=3)  # the pack goes into the announcement's thread this long before the meeting
JOB_MEETING_PACK = "review-pack-meeting"
JOB_ON_REQUEST = "review-pack-request"
JOB_DIGEST_PACK = "review-pack-digest"
DIGEST_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class SentPack:
    partnership_ids: tuple[int, ...]
    filename: str


def filename(data: PackData, scope: str | None = None) -> str:
    """`review-pack-2027-Q1-partnership-3.pdf`; `scope` names a pack of several (`college-2`)."""
    q = data.quarter
    scope = scope or (f"partnership-{data.partnerships[0].id}" if len(data.partnerships) == 1 else "partnerships")
    return f"review-pack-{q.year}-Q{q.number}-{scope}.pdf"


class ReviewService:
    def __init__(self, db: Database, locales: SlackLocales | None = None, *, letter_fonts: Sequence[str],
                 default_timezone: str = "UTC", clock: Callable[[], datetime] = utcnow,
                 sections: Sequence[Section] = SECTIONS) -> None:
        self.db = db
        self.locales = locales
        self.letter_fonts = tuple(letter_fonts)
        self.default_timezone = default_timezone
        self.clock = clock
        self.sections = list(sections)  # the lead adds placed-vs-planned and hires here

    # --- building -------------------------------------------------------------------------------------
    def fonts(self) -> tuple[LetterFonts, list[str]]:
        """The letters' fonts, for reportlab and for matplotlib (LetterUnavailable when a file is missing)."""
        return load_fonts(self.letter_fonts), charts.font_families(self.letter_fonts)

    def data(self, session: Session, partnership_ids: Sequence[int], title: str, today: date) -> PackData:
        return load(session, partnership_ids, title, today, self.default_timezone)

    def build(self, session: Session, partnership_ids: Sequence[int], title: str, t: Translator,
              today: date | None = None) -> tuple[PackData, bytes]:
        """One pack for the scope `partnership_ids` (one partnership, or several: a college's), as of `today`
        (by default today in the first partnership's timezone)."""
        if today is None:
            zone = session.scalar(select(Partnership.timezone).where(Partnership.id == partnership_ids[0]))
            today = local_today(self.clock(), zone or self.default_timezone)
        data = self.data(session, partnership_ids, title, today)
        fonts, families = self.fonts()
        return data, render(data, t, fonts, families, self.sections)

    # --- before each quarterly meeting (bot.reviews.jobs) -----------------------------------------------
    def attach_to_meetings(self, now: datetime) -> int:
        """Each scheduled meeting starting within PACK_LEAD gets its partnership's pack in the announcement's
        thread, once per meeting and start time, in the partnership's language. The pack is laid out outside
        the write transaction (a second or so), which then only claims the work and queues the file.
        Returns how many."""
        with self.db.session() as session:
            due = session.execute(select(Meeting.id, Meeting.starts_at, Meeting.partnership_id).where(
                Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now,
                Meeting.starts_at <= now + PACK_LEAD)).all()
        sent = 0
        for meeting_id, starts_at, partnership_id in due:
            period, subject = starts_at.strftime("%Y-%m-%dT%H:%MZ"), f"meeting:{meeting_id}"
            with self.db.session() as session:
                if ledger.done_at(session, job=JOB_MEETING_PACK, partnership_id=partnership_id, period=period,
                                  subject=subject) is not None:
                    continue
                partnership = session.get(Partnership, partnership_id)
                if partnership is None:
                    continue
                t = translator(partnership.language)
                channel, name = partnership.channel_id, partnership.name
                today = local_today(now, partnership.timezone or self.default_timezone)
                data, pdf = self.build(session, [partnership_id], name, t, today)
            with self.db.transaction() as session:
                meeting = session.get(Meeting, meeting_id, with_for_update=True)
                if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at != starts_at:
                    continue
                if not ledger.claim(session, job=JOB_MEETING_PACK, partnership_id=partnership_id, period=period,
                                    subject=subject, at=now):
                    continue
                title = pack_title(data, t)
                outbox.upload(session, channel=channel, filename=filename(data), content=pdf, title=defanged(title),
                              thread_key=f"meeting:{meeting_id}",
                              initial_comment=t.gettext("The review pack for this meeting: {title}.").format(
                                  title=escape(title)))
                sent += 1
        return sent

    # --- with the quarter-end digest (bot.reviews.jobs) ------------------------------------------------
    def attach_to_quarter_digests(self, now: datetime) -> int:
        """Each quarter-end digest posted in the last week gets the quarter's pack in its thread, once, in the
        partnership's language. Returns how many."""
        with self.db.session() as session:
            posted = session.execute(select(JobRun.partnership_id, JobRun.period).where(
                JobRun.job == JOB_QUARTER_END, JobRun.ran_at > now - DIGEST_LOOKBACK)).all()
        sent = 0
        for partnership_id, period in posted:
            quarter = Quarter(int(period[:4]), int(period[-1]))
            with self.db.session() as session:
                if ledger.done_at(session, job=JOB_DIGEST_PACK, partnership_id=partnership_id,
                                  period=period) is not None:
                    continue
                partnership = session.get(Partnership, partnership_id)
                if partnership is None:
                    continue
                t, channel = translator(partnership.language), partnership.channel_id
                data, pdf = self.build(session, [partnership_id], partnership.name, t, quarter.last_day)
            with self.db.transaction() as session:
                if not ledger.claim(session, job=JOB_DIGEST_PACK, partnership_id=partnership_id, period=period,
                                    at=now):
                    continue
                title = pack_title(data, t)
                outbox.upload(session, channel=channel, filename=filename(data), content=pdf, title=defanged(title),
                              thread_key=quarter_digest_key(partnership_id, quarter),
                              initial_comment=t.gettext("The review pack of this quarter: {title}.").format(
                                  title=escape(title)))
                sent += 1
        return sent

    # --- on demand -------------------------------------------------------------------------------------
    def send_on_request(self, slack_user_id: str, channel_id: str | None, request_key: str) -> list[SentPack]:
        """`/coop review`: the pack of the partnership whose channel it was typed in; elsewhere, a dean's pack of
        each college they are a dean of (all its partnerships, titled with its name) and one pack of the other
        partnerships the caller may read, to their DM in their language. A repeated request sends nothing
        again. Raises NotOnRoster, or NotAllowed when the caller may read no pack (here, or anywhere)."""
        now = self.clock()
        period = Quarter.of(now.date()).key
        built: list[tuple[int, PackData, bytes, Translator, str]] = []
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            allowed = partnerships_allowing(session, person, Action.READ_REVIEW_PACK)
            rows = session.execute(select(Partnership.id, Partnership.name, Partnership.channel_id,
                                          Partnership.timezone, Partnership.language, Partnership.college_id)
                                   .where(Partnership.id.in_(allowed)).order_by(Partnership.id)).all()
            here = [r for r in rows if r.channel_id == channel_id]
            in_other = channel_id is not None and not here and session.scalar(
                select(Partnership.id).where(Partnership.channel_id == channel_id)) is not None
            if not rows or in_other:  # typed in another partnership's channel: not theirs to read
                raise NotAllowed(Action.READ_REVIEW_PACK.value)
            t = translator(language_in(session, self.locales, slack_user_id, (here or rows)[0].language))
            # (title, file's scope, partnerships): one pack each, however many partnerships it holds.
            scopes: list[tuple[str, str | None, list[Any]]] = []
            if here:
                scopes.append((here[0].name, None, here))
            else:
                colleges = dean_colleges(session, person.id)
                for college_id, college in colleges:
                    members = [r for r in rows if r.college_id == college_id]
                    if members:
                        scopes.append((college, f"college-{college_id}", members))
                rest = [r for r in rows if r.college_id not in {cid for cid, _ in colleges}]
                if rest:
                    scopes.append((rest[0].name if len(rest) == 1 else t.gettext("Your {count} partnerships").format(
                        count=len(rest)), None, rest))
            for title, scope, chosen in scopes:
                first = chosen[0]
                if ledger.done_at(session, job=JOB_ON_REQUEST, partnership_id=first.id, period=period,
                                  subject=request_key) is None:
                    today = local_today(now, first.timezone or self.default_timezone)
                    data, pdf = self.build(session, [r.id for r in chosen], title, t, today)
                    built.append((first.id, data, pdf, t, filename(data, scope)))
        sent = []
        with self.db.transaction() as session:
            for partnership_id, data, pdf, t, name in built:
                if not ledger.claim(session, job=JOB_ON_REQUEST, partnership_id=partnership_id, period=period,
                                    subject=request_key, at=now):
                    continue
                title = pack_title(data, t)
                outbox.upload(session, channel=slack_user_id, filename=name, content=pdf, title=defanged(title),
                              initial_comment=t.gettext("Your review pack: {title}.").format(title=escape(title)))
                sent.append(SentPack(tuple(p.id for p in data.partnerships), name))
        return sent


def pack_title(data: PackData, t: Translator) -> str:
    q = data.quarter
    return t.gettext("{name} · review pack {quarter}").format(name=data.title, quarter=t.quarter(q.year, q.number))
