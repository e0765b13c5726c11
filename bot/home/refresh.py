"""Rendering App Homes: on `app_home_opened`, and after every change that concerns someone.

A notifier asks for a refresh with `bot.delivery.outbox.refresh_homes(session, users)` inside the change's
transaction (one small row per person, without importing anything of App Home). The delivery worker renders
the home when it delivers the row (`home_renderer`), from the committed state — so the change's transaction
(and the ack) never pays for rendering homes. Language comes from the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.home.data import Section, load_home
from bot.home.views import home_view, how_to_get_added
from bot.i18n.catalog import translator
from bot.i18n.language import SlackLocales, language_in
from bot.installs.linking import load_links
from bot.storage.db import Database
from models.base import utcnow


def render_home(session: Session, slack_user_id: str, *, locales: SlackLocales | None = None,
                now: datetime | None = None, default_timezone: str = "UTC",
                pages: dict[Section, int] | None = None, linking: bool = False,
                workspace: str | None = None) -> dict[str, Any]:
    """The person's home view as it should look now, in their language. `linking` (OAuth mode): with the
    partnerships to link and invitations to accept, as seen through `workspace`'s installation (None: the
    person's own workspace, as Slack last told us)."""
    t = translator(language_in(session, locales, slack_user_id))
    data = load_home(session, slack_user_id, now=now or utcnow(), default_timezone=default_timezone, pages=pages)
    links = load_links(session, slack_user_id, workspace) if linking else None
    return home_view(data, t, how_to_join=how_to_get_added(t), links=links)


def home_renderer(db: Database, locales: SlackLocales | None, default_timezone: str, *,
                  linking: bool = False) -> Callable[[str], dict[str, Any]]:
    """What the delivery worker calls to render a home it was asked to refresh (first page, now)."""

    def render(slack_user_id: str) -> dict[str, Any]:
        with db.session() as session:
            return render_home(session, slack_user_id, locales=locales, default_timezone=default_timezone,
                               linking=linking)

    return render
