"""Publishing App Homes: on `app_home_opened`, and after every change that concerns someone.

`refresh_homes(session, users)` is what a notifier calls inside the change's transaction: it adds one small
"refresh" row per person to the outbox, so the refresh happens if and only if the change commits. The
delivery worker renders the home when it delivers the row (`home_renderer`), from the committed state —
so the change's transaction (and the ack) never pays for rendering homes. Language comes from the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.home.data import Section, load_home
from bot.home.views import home_view, how_to_get_added
from bot.i18n.catalog import translator
from bot.i18n.language import SlackLocales, language_in
from bot.storage.db import Database
from models.base import utcnow


def render_home(session: Session, slack_user_id: str, *, locales: SlackLocales | None = None,
                now: datetime | None = None, default_timezone: str = "UTC",
                pages: dict[Section, int] | None = None) -> dict[str, Any]:
    """The person's home view as it should look now, in their language."""
    t = translator(language_in(session, locales, slack_user_id))
    data = load_home(session, slack_user_id, now=now or utcnow(), default_timezone=default_timezone, pages=pages)
    return home_view(data, t, how_to_join=how_to_get_added(t))


def refresh_homes(session: Session, slack_user_ids: Iterable[str | None]) -> int:
    """Have these people's homes re-rendered and published (through the outbox), once each; the delivery
    worker renders them with `home_renderer`. Returns how many were asked for."""
    users = list(dict.fromkeys(u for u in slack_user_ids if u))
    outbox.refresh_homes(session, users)
    return len(users)


def home_renderer(db: Database, locales: SlackLocales | None, default_timezone: str) -> Callable[[str], dict[str, Any]]:
    """What the delivery worker calls to render a home it was asked to refresh (first page, now)."""

    def render(slack_user_id: str) -> dict[str, Any]:
        with db.session() as session:
            return render_home(session, slack_user_id, locales=locales, default_timezone=default_timezone)

    return render
