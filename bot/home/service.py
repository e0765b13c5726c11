"""App Home's service: publishing a person's home, saving the language they pick there, and reading what
`/coop help` and `/coop status` show. Each call opens its own transaction, so handlers never touch the
database (docs/decisions/0001-architecture.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.delivery import outbox
from bot.home.data import HomeData, Section, load_home
from bot.home.ids import FOLLOW_SLACK
from bot.home.refresh import render_home
from bot.home.tasks import Tasks, load_tasks
from bot.i18n.language import SlackLocales, resolve_language, set_language
from bot.installs.scope import current_tenant
from bot.storage.db import Database
from models.base import utcnow


class HomeService:
    def __init__(self, db: Database, locales: SlackLocales, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow, linking: bool = False) -> None:
        self.db = db
        self.linking = linking  # OAuth mode: homes show linking partnerships to both installations
        self.locales = locales
        self.default_timezone = default_timezone
        self.clock = clock

    def publish(self, slack_user_id: str, pages: dict[Section, int] | None = None, *,
                workspace: str | None = None) -> None:
        """Render the person's App Home in their language (`pages`: which page of which list, else the first
        pages) and publish it through the outbox. `workspace`: the installation it is opened through; in a
        request, by default the request's (OAuth mode: it is drawn as that tenant, so it goes only there)."""
        if workspace is None and (tenant := current_tenant()) is not None:
            workspace = tenant.workspace_id or None
        resolve_language(self.db, self.locales, slack_user_id)  # learns their Slack language (cached) before
        with self.db.transaction() as session:  # the transaction, which reads the cache only
            view = render_home(session, slack_user_id, locales=self.locales, now=self.clock(),
                               default_timezone=self.default_timezone, pages=pages, linking=self.linking,
                               workspace=workspace)
            outbox.publish_home(session, user=slack_user_id, view=view, workspace=workspace)

    def choose_language(self, slack_user_id: str, picked: str) -> str | None:
        """Save the language picked in App Home (FOLLOW_SLACK: follow their Slack language), audited.
        Raises InvalidInput for a language we do not have, NotOnRoster for someone on no roster."""
        return set_language(self.db, slack_user_id, None if picked == FOLLOW_SLACK else picked)

    def tasks(self, slack_user_id: str) -> Tasks | None:
        """What waits on the person ("My tasks"), from App Home's own lists; None if on no roster."""
        with self.db.session() as session:
            return load_tasks(session, slack_user_id, now=self.clock(), default_timezone=self.default_timezone)

    def home_data(self, slack_user_id: str, *, with_practice: bool = False) -> HomeData | None:
        """What the person's App Home shows (first pages), or None if they are on no roster."""
        with self.db.session() as session:
            return load_home(session, slack_user_id, now=self.clock(), default_timezone=self.default_timezone,
                             with_practice=with_practice)
