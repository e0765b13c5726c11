"""Each partnership's cooperation agreement: its term, attachment links and renewals; and the renewal reminder
90 and 30 days before it ends (to the partnership's channel and each coordinator's DM, once each)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import select

from bot import audit
from bot.delivery import outbox
from bot.errors import NotFound
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import language_in
from bot.quarters import local_today
from bot.slack.text import escape
from bot.storage import ledger
from bot.storage.db import Database
from models.base import utcnow
from models.cooperation import Agreement
from models.roster import Membership, Partnership, Person, Role

RENEWAL_LEADS = (90, 30)  # days before the agreement ends
JOB_RENEWAL = "agreement-renewal"


class AgreementInput(BaseModel):
    signed_on: date
    ends_on: date
    links: list[str] = []

    @field_validator("links")
    @classmethod
    def _links(cls, links: list[str]) -> list[str]:
        for link in links:
            if not link.startswith(("https://", "http://")) or len(link) > 1000 or any(c.isspace() for c in link):
                raise ValueError(f"not a web link (http:// or https://): {link[:80]!r}")
        return links

    @model_validator(mode="after")
    def _order(self) -> AgreementInput:
        if self.ends_on <= self.signed_on:
            raise ValueError("ends_on: the agreement must end after it is signed")
        return self


def set_agreement(db: Database, partnership_id: int, data: AgreementInput, actor: str = "cli") -> Agreement:
    """Record the partnership's agreement; moving its end date later counts as a renewal."""
    with db.transaction() as session:
        if session.get(Partnership, partnership_id) is None:
            raise NotFound(f"partnership {partnership_id}")
        agreement = session.get(Agreement, partnership_id)
        if agreement is None:
            agreement = Agreement(partnership_id=partnership_id, signed_on=data.signed_on, ends_on=data.ends_on,
                                  links=list(data.links), renewals=0)
            session.add(agreement)
        else:
            if data.ends_on > agreement.ends_on:
                agreement.renewals += 1
            agreement.signed_on, agreement.ends_on, agreement.links = data.signed_on, data.ends_on, list(data.links)
        agreement.updated_at = utcnow()
        audit.record(session, actor=actor, action="agreement.set", entity_type="partnership",
                     entity_id=partnership_id, after=data.model_dump())
        session.flush()
        session.expunge(agreement)
        return agreement


def renewal_message(name: str, ends_on: date, days: int, links: Sequence[str], t: Translator) -> tuple[str, list[Any]]:
    """The reminder that the agreement ends in `days` days (90 or 30)."""
    text = t.gettext("The cooperation agreement of {name} ends on {date}, in {days} days. "
                     "Please start its renewal.").format(name=escape(name), date=t.date(ends_on, weekday=False),
                                                         days=days)
    # A `|` in a link would make the rest its label ("<https://evil|https://gov…>"): encoded, it stays the URL's.
    lines = [text] + [f"• <{escape(link).replace('|', '%7C')}>" for link in links[:10]]
    return text, [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}]


def send_renewal_reminders(db: Database, now: datetime, default_timezone: str, locales: Any = None) -> int:
    """Each agreement 90 or fewer days (then 30 or fewer) from its end: the channel and each coordinator told,
    once per lead and end date (only the nearest lead that is due). Returns how many reminders."""
    sent = 0
    with db.transaction() as session:
        rows = session.execute(select(Agreement, Partnership).join(
            Partnership, Partnership.id == Agreement.partnership_id)).all()
        coordinators: dict[int, list[str]] = {}
        for pid, user in session.execute(select(Membership.partnership_id, Person.slack_user_id).join(
                Person, Person.id == Membership.person_id).where(Membership.role == Role.COORDINATOR)):
            coordinators.setdefault(pid, []).append(user)
        for agreement, partnership in rows:
            today = local_today(now, partnership.timezone or default_timezone)
            left = (agreement.ends_on - today).days
            due = [lead for lead in RENEWAL_LEADS if 0 <= left <= lead]
            if not due:
                continue
            lead = min(due)
            if not ledger.claim(session, job=JOB_RENEWAL, partnership_id=partnership.id,
                                period=agreement.ends_on.isoformat(), subject=f"{lead}d", at=now):
                continue
            t = translator(partnership.language)
            text, blocks = renewal_message(partnership.name, agreement.ends_on, left, agreement.links, t)
            outbox.post(session, channel=partnership.channel_id, text=text, blocks=blocks)
            for user in coordinators.get(partnership.id, []):
                reader = translator(language_in(session, locales, user, partnership.language))
                text, blocks = renewal_message(partnership.name, agreement.ends_on, left, agreement.links, reader)
                outbox.post(session, channel=user, text=text, blocks=blocks)
            sent += 1
    return sent
