"""Posting digests: weekly, at quarter end, and on a coordinator's request.

Scheduled digests are claimed in the JobRun ledger per partnership and period (the ISO week, or the
quarter) in the same transaction as their outbox row, so a second run, another replica or a catch-up
after downtime posts nothing twice. Knows nothing of Slack beyond the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.digests import messages
from bot.digests.data import DigestData, Window, collect
from bot.errors import NotAllowed
from bot.i18n.catalog import translator
from bot.i18n.language import language_in
from bot.permissions import Action, find_person, partnerships_allowing
from bot.plans.college import college_pictures
from bot.quarters import Quarter, local_midnight, local_today, quarter_end_due, week_key
from bot.storage import ledger
from bot.storage.db import Database
from models.base import utcnow
from models.roster import College, CollegeDean, Partnership, Person

WEEK = timedelta(days=7)
JOB_WEEKLY = "digest"
JOB_QUARTER_END = "quarter-end-digest"
JOB_ON_REQUEST = "digest-now"
JOB_COLLEGE = "college-digest"


@dataclass(frozen=True)
class DigestResult:
    """What a scheduled digest did for one partnership."""

    partnership_id: int
    partnership: str
    timezone: str
    period: str  # the ISO week ("2027-W02") or the quarter ("2027Q1")
    window: Window
    quarter: Quarter | None  # a quarter in review
    posted: bool
    posted_on: date | None = None  # not posted: the day it already was, in the partnership's timezone


class DigestService:
    def __init__(self, db: Database, *, default_timezone: str = "UTC", holidays: Collection[date] = (),
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.default_timezone = default_timezone
        self.holidays = frozenset(holidays)
        self.clock = clock

    def post_weekly(self, now: datetime) -> int:
        """One digest of the last seven whole days per partnership (local midnight to midnight, today not
        included), once per local ISO week: each week's digest covers its own days, none twice. Returns how many."""
        return sum(r.posted for r in self.weekly_by_hand(now))

    def weekly_by_hand(self, now: datetime) -> list[DigestResult]:
        """The weekly digest (due whenever it runs), saying per partnership whether it was posted now or
        earlier in the week."""
        windows = {pid: _last_seven_days(now, zone) for pid, zone in self._zones().items()}
        periods = {pid: week_key(w.today) for pid, w in windows.items()}
        return self._post(JOB_WEEKLY, now, windows, periods, {})

    def post_quarter_end(self, now: datetime) -> int:
        """On each partnership's last working day of a quarter: the quarter in review, once. Returns how many."""
        return sum(r.posted for r in self._quarter_end(now, by_hand=False))

    def quarter_end_by_hand(self, now: datetime) -> list[DigestResult]:
        """The quarter in review now, as if it were due: the quarter whose end digest is due, else the last
        quarter that ended (a review missed, or asked for again: once per partnership and quarter). Never the
        current quarter so far, whose own review would then never be posted at its end."""
        return self._quarter_end(now, by_hand=True)

    def _quarter_end(self, now: datetime, *, by_hand: bool) -> list[DigestResult]:
        windows: dict[int, Window] = {}
        quarters: dict[int, Quarter] = {}
        for pid, zone in self._zones().items():
            today = local_today(now, zone)
            quarter = quarter_end_due(today, self.holidays) or (Quarter.of(today).previous() if by_hand else None)
            if quarter is not None:
                end = min(now, local_midnight(quarter.next().first_day, zone))
                windows[pid] = Window(local_midnight(quarter.first_day, zone), end, today)
                quarters[pid] = quarter
        return self._post(JOB_QUARTER_END, now, windows, {pid: q.key for pid, q in quarters.items()}, quarters)

    def post_now(self, slack_user_id: str, channel_id: str | None, request_key: str) -> list[str]:
        """A coordinator's `/coop digest`: the last seven days, posted to the partnership of the channel
        it was typed in, or to every partnership they coordinate. Returns the channels posted to; a
        repeated request (same `request_key`) posts nothing again."""
        now = self.clock()
        with self.db.transaction() as session:
            person = find_person(session, slack_user_id)
            allowed = partnerships_allowing(session, person, Action.POST_DIGEST)
            if not allowed:
                raise NotAllowed(Action.POST_DIGEST.value)
            zones = self._zones(session, allowed)
            here = [pid for pid, channel in self._channels(session, allowed).items() if channel == channel_id]
            chosen = here or sorted(zones)
            windows = {pid: Window(now - WEEK, now, local_today(now, zones[pid])) for pid in chosen}
            posted = []
            for digest in collect(session, windows, self.default_timezone).values():
                if ledger.claim(session, job=JOB_ON_REQUEST, partnership_id=digest.partnership_id,
                                period=digest.window.today.isoformat(), subject=request_key):
                    self._enqueue(session, digest, None)
                    posted.append(digest.channel_id)
            return posted

    def post_college_digests(self, now: datetime) -> list[CollegeDigestResult]:
        """Each dean's weekly college digest by DM: every partnership of the college at a glance (current
        interns, open problems by severity, placed/planned, hires this year) and the college's hires and
        employment rate this year. Once per dean, college and ISO week (in the default timezone)."""
        today = local_today(now, self.default_timezone)
        period = week_key(today)
        results = []
        with self.db.session() as session:
            deans = session.execute(
                select(CollegeDean.person_id, Person.slack_user_id, College.id, College.name,
                       select(func.min(Partnership.id)).where(Partnership.college_id == College.id)
                       .scalar_subquery())
                .join(Person, Person.id == CollegeDean.person_id).join(College, College.id == CollegeDean.college_id)
                .order_by(College.name, Person.id)).all()
        for person_id, user, college_id, college, first_partnership in deans:
            if first_partnership is None:
                continue  # a college with no partnership yet: nothing to say
            with self.db.transaction() as session:
                posted = ledger.claim(session, job=JOB_COLLEGE, partnership_id=first_partnership, period=period,
                                      subject=f"dean:{person_id}:college:{college_id}", at=now)
                if posted:
                    [picture] = college_pictures(session, [(college_id, college)], today)
                    t = translator(language_in(session, None, user))
                    text, blocks = messages.college_digest(picture, t)
                    outbox.post(session, channel=user, text=text, blocks=blocks)
            results.append(CollegeDigestResult(user, college, period, posted))
        return results

    # --- helpers -------------------------------------------------------------------------------------
    def _post(self, job: str, now: datetime, windows: dict[int, Window], periods: dict[int, str],
              quarters: dict[int, Quarter]) -> list[DigestResult]:
        if not windows:
            return []
        with self.db.session() as session:
            digests = collect(session, windows, self.default_timezone)
        results = []
        for pid, digest in digests.items():
            result = partial(DigestResult, pid, digest.name, digest.timezone, periods[pid], digest.window,
                             quarters.get(pid))
            with self.db.transaction() as session:
                posted_at = ledger.done_at(session, job=job, partnership_id=pid, period=periods[pid])
                if posted_at is None and ledger.claim(session, job=job, partnership_id=pid, period=periods[pid],
                                                      at=now):
                    self._enqueue(session, digest, quarters.get(pid))
                    results.append(result(posted=True))
                else:
                    when = posted_at or now  # (None: another replica claimed it just now)
                    results.append(result(posted=False, posted_on=local_today(when, digest.timezone)))
        return results

    @staticmethod
    def _enqueue(session: Session, digest: DigestData, quarter: Quarter | None) -> None:
        text, blocks = messages.digest_message(digest, translator(digest.language), quarter)
        outbox.post(session, channel=digest.channel_id, text=text, blocks=blocks,
                    key=quarter_digest_key(digest.partnership_id, quarter) if quarter is not None else None)

    def _zones(self, session: Session | None = None, ids: list[int] | None = None) -> dict[int, str]:
        stmt = select(Partnership.id, Partnership.timezone)
        if ids is not None:
            stmt = stmt.where(Partnership.id.in_(ids))
        if session is None:
            with self.db.session() as own:
                rows = own.execute(stmt).all()
        else:
            rows = session.execute(stmt).all()
        return {pid: zone or self.default_timezone for pid, zone in rows}

    @staticmethod
    def _channels(session: Session, ids: list[int]) -> dict[int, str]:
        rows = session.execute(select(Partnership.id, Partnership.channel_id).where(Partnership.id.in_(ids)))
        return {pid: channel for pid, channel in rows}


@dataclass(frozen=True)
class CollegeDigestResult:
    """What the weekly college digest did for one dean and college."""

    dean: str  # Slack user id
    college: str
    period: str  # the ISO week, in the default timezone
    posted: bool
def quarter_digest_key(partnership_id: int, quarter: Quarter) -> str:
    """The outbox key of a quarter-end digest: the review pack is shared in its thread (bot.reviews)."""
    return f"quarter-digest:{partnership_id}:{quarter.key}"


def _last_seven_days(now: datetime, zone: str) -> Window:
    """The seven local days before today, midnight to midnight in the partnership's timezone."""
    today = local_today(now, zone)
    return Window(local_midnight(today - WEEK, zone), local_midnight(today, zone), today)
