"""`/coop export [partnership] [Q1 2027]`: a coordinator's export of their partnerships (or one of them, for one
quarter, or both), as an XLSX file in their DM.

Each kind's rows come from its own generator (the same as `coopbot export`), kept when they belong to the chosen
partnerships and, with a quarter, when their date falls in it (a report's day, an exchange's or internship's
days overlapping it, a meeting's start, a ledger entry's start). The generators read every row of their kind, so
an export from Slack costs what `coopbot export --all` costs; the file is built before the transaction that
queues it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot.delivery import outbox
from bot.errors import InvalidInput, NotAllowed
from bot.exports.cells import Row
from bot.exports.kinds import NAMES, sheet
from bot.exports.writers import Sheet, write_xlsx
from bot.permissions import Action, find_person, partnerships_allowing
from bot.problems.export import iter_problem_rows
from bot.quarters import Quarter
from bot.storage import ledger
from bot.storage.db import Database
from models.base import utcnow
from models.roster import Partnership, Side

# Per kind: the columns holding the dates that place a row in a quarter (one: a day; two: a span).
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "issues": ("reported_at (",), "exchanges": ("start_date", "end_date"), "meetings": ("starts_at (",),
    "evaluations": ("start_date", "end_date"), "ledger": ("started_on",),
}


@dataclass(frozen=True)
class ExportRequest:
    partnership_words: str | None  # a partnership's name (or part of it), or its id
    quarter: Quarter | None


def parse_words(words: Sequence[str]) -> ExportRequest:
    """`Q1 2027` / `2027Q1` anywhere in the words is the quarter; the rest names the partnership."""
    text = " ".join(words).strip()
    quarter = None
    found = re.search(r"(?i)\bq([1-4])\s*(\d{4})\b|\b(\d{4})\s*q([1-4])\b", text)
    if found:
        number, year = (found.group(1), found.group(2)) if found.group(1) else (found.group(4), found.group(3))
        quarter = Quarter(int(year), int(number))
        text = (text[:found.start()] + text[found.end():]).strip()
    return ExportRequest(text or None, quarter)


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _keep(header: Sequence[str], names: set[str], quarter: Quarter | None,
          kind: str) -> Callable[[Row], bool]:
    at = header.index("partnership")
    columns = [i for prefix in DATE_COLUMNS.get(kind, ()) for i, h in enumerate(header) if h.startswith(prefix)][:2]

    def keep(row: Row) -> bool:
        if row[at] not in names:
            return False
        if quarter is None or not columns:
            return True
        days = [_day(row[i]) for i in columns]
        first, last = days[0], days[-1]
        if first is None:
            return False
        return first <= quarter.last_day and (last or first) >= quarter.first_day

    return keep


def scoped_sheets(db: Database, names: set[str], quarter: Quarter | None, default_timezone: str,
                  side: Side | None = None) -> Iterator[Sheet]:
    """Each kind's rows of these partnerships (and quarter). `side`: the reader's — enterprise people's export
    has no school-side report (decision 0009), as their App Home has none."""
    for kind in NAMES:
        whole = sheet(kind, db, default_timezone, "xlsx")
        rows = whole.rows
        if kind == "issues" and side is not None:
            rows = iter_problem_rows(db, default_timezone=default_timezone, local_times=True, side=side)
        keep = _keep(whole.header, names, quarter, kind)
        yield Sheet(whole.name, whole.header, (row for row in rows if keep(row)), whole.zone_column)


def export_for(db: Database, slack_user_id: str, request: ExportRequest,
               default_timezone: str) -> tuple[list[int], list[str], bytes]:
    """The partnerships chosen (ids, names) and the XLSX bytes. Raises NotOnRoster; NotAllowed for someone who
    coordinates no partnership; InvalidInput("partnership", "unknown") when the words name none of theirs."""
    with db.session() as session:
        person = find_person(session, slack_user_id)
        ids = partnerships_allowing(session, person, Action.EXPORT_PARTNERSHIPS)
        rows = session.execute(select(Partnership.id, Partnership.name).where(Partnership.id.in_(ids))
                               .order_by(Partnership.name)).all()
    if not rows:
        raise NotAllowed(Action.EXPORT_PARTNERSHIPS.value)
    chosen = rows
    if request.partnership_words:
        words = request.partnership_words.casefold()
        chosen = [r for r in rows if str(r.id) == words or words in r.name.casefold()]
        if not chosen:
            raise InvalidInput("partnership", "unknown")
    names = {r.name for r in chosen}
    with tempfile.TemporaryFile() as handle:
        write_xlsx(handle, scoped_sheets(db, names, request.quarter, default_timezone, person.side))
        handle.seek(0)
        return sorted(r.id for r in chosen), sorted(names), handle.read()


JOB_EXPORT = "export-request"


class ExportService:
    """`/coop export`: the file built, then queued for the caller's DM once per request."""

    def __init__(self, db: Database, *, default_timezone: str = "UTC", clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.default_timezone = default_timezone
        self.clock = clock

    def send(self, slack_user_id: str, words: Sequence[str], request_key: str, comment: Callable[[list[str],
             Quarter | None], str]) -> list[str] | None:
        """Queue the export for the caller's DM; the partnerships it covers, or None if this request was
        already answered. `comment` words the message the file comes with."""
        request = parse_words(words)
        ids, names, content = export_for(self.db, slack_user_id, request, self.default_timezone)
        now = self.clock()
        with self.db.transaction() as session:
            person_id = find_person(session, slack_user_id).id
            if not ledger.claim(session, job=JOB_EXPORT, partnership_id=ids[0], period=str(person_id),
                                subject=request_key, at=now):
                return None
            scope = request.quarter.key if request.quarter else "all"
            outbox.upload(session, channel=slack_user_id, filename=f"coopbot-export-{scope}-{now:%Y%m%d}.xlsx",
                          content=content, title=f"coopbot export {scope}", initial_comment=comment(names,
                                                                                                  request.quarter))
        return names
