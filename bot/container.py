"""Wiring: one object holding the process's services, built from settings (or handed fakes in tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import select

from bot.db import Database
from bot.i18n import Translator, translator
from bot.problems.notify import SlackProblemNotifier
from bot.problems.service import ProblemService
from bot.settings import Settings
from models.base import utcnow
from models.roster import Person


@dataclass
class Services:
    settings: Settings
    db: Database
    client: WebClient
    problems: ProblemService
    clock: Callable[[], datetime] = field(default=utcnow)

    def translator_for(self, slack_user_id: str) -> Translator:
        """The language a person reads: their chosen one if on the roster, else English."""
        with self.db.session() as session:
            chosen = session.scalar(select(Person.locale).where(Person.slack_user_id == slack_user_id))
        return translator(chosen)


def make_client(settings: Settings) -> WebClient:
    """The Web API client, pointed at SLACK_API_URL (Bolt does not read that variable itself).

    No retry handlers: the outbox owns retries, so a failure is never retried twice over.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[])


def build_services(settings: Settings, *, db: Database | None = None, client: WebClient | None = None,
                   clock: Callable[[], datetime] = utcnow) -> Services:
    database = db or Database(settings.database_url)
    problems = ProblemService(database, SlackProblemNotifier(), default_timezone=settings.coopbot_timezone,
                              clock=clock)
    return Services(settings=settings, db=database, client=client or make_client(settings), problems=problems,
                    clock=clock)
