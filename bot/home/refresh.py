"""Publishing App Homes: on `app_home_opened`, and after every change that concerns someone.

`refresh_homes(session, users)` is what a notifier calls inside the change's transaction: each person's
home is read in that session (so it shows the change) and written to the outbox (`publish_home`), so it
goes out with the change or not at all. Language comes from the cache only (see bot.language).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import outbox
from bot.home.data import Section, load_home
from bot.home.views import home_view, how_to_get_added
from bot.i18n import translator
from bot.language import SlackLocales, language_in
from models.base import utcnow


def render_home(session: Session, slack_user_id: str, *, locales: SlackLocales | None = None,
                now: datetime | None = None, default_timezone: str = "UTC",
                pages: dict[Section, int] | None = None) -> dict[str, Any]:
    """The person's home view as it should look now, in their language."""
    t = translator(language_in(session, locales, slack_user_id))
    data = load_home(session, slack_user_id, now=now or utcnow(), default_timezone=default_timezone, pages=pages)
    return home_view(data, t, how_to_join=how_to_get_added(t))


def refresh_homes(session: Session, slack_user_ids: Iterable[str | None], *, locales: SlackLocales | None = None,
                  now: datetime | None = None, default_timezone: str = "UTC",
                  pages: dict[Section, int] | None = None) -> int:
    """Re-render and publish (through the outbox) the homes of these people, once each. Returns how many."""
    users = list(dict.fromkeys(u for u in slack_user_ids if u))
    for user in users:
        view = render_home(session, user, locales=locales, now=now, default_timezone=default_timezone, pages=pages)
        outbox.publish_home(session, user=user, view=view)
    return len(users)
