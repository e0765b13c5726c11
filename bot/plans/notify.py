"""Who hears about the placement plan: outbox rows written in the job's own transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import translator
from bot.i18n.language import SlackLocales, language_in
from bot.plans import messages
from bot.plans.numbers import PlacementRow


class SlackPlanNotifier:
    """DMs in their reader's language (see bot.i18n.language)."""

    def __init__(self, locales: SlackLocales | None = None) -> None:
        self.locales = locales

    def short(self, session: Session, users: list[str], partnership: str, language: str, period: str,
              rows: list[PlacementRow]) -> None:
        for user in users:
            t = translator(language_in(session, self.locales, user, language))
            text, blocks = messages.shortfall_notice(partnership, period, rows, t)
            outbox.post(session, channel=user, text=text, blocks=blocks)
