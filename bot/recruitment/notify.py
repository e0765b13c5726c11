"""Who hears about recruitment: the opening in the partnership's channel; each recommendation by DM to the
enterprise's coordinators, redrawn in place when an offer, a hire or a decline is recorded."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import translator
from bot.i18n.language import SlackLocales, language_in
from bot.recruitment import messages
from bot.recruitment.snapshot import OpeningSnapshot, RecommendationSnapshot


def recommendation_key(recommendation_id: int, user: str) -> str:
    return f"recommendation:{recommendation_id}:{user}"


class SlackRecruitmentNotifier:
    def __init__(self, locales: SlackLocales | None = None) -> None:
        self.locales = locales

    def opening_posted(self, session: Session, opening: OpeningSnapshot) -> None:
        text, blocks = messages.opening_post(opening, translator(opening.language))
        outbox.post(session, channel=opening.channel_id, text=text, blocks=blocks, key=f"opening:{opening.id}")

    def recommended(self, session: Session, recommendations: list[RecommendationSnapshot],
                    recipients: list[str]) -> None:
        for user in recipients:
            t = translator(language_in(session, self.locales, user, recommendations[0].opening.language))
            for rec in recommendations:
                text, blocks = messages.recommendation_dm(rec, t)
                outbox.post(session, channel=user, text=text, blocks=blocks, key=recommendation_key(rec.id, user))

    def decided(self, session: Session, recommendation: RecommendationSnapshot, recipients: list[str]) -> None:
        for user in recipients:
            t = translator(language_in(session, self.locales, user, recommendation.opening.language))
            text, blocks = messages.recommendation_dm(recommendation, t)
            outbox.update(session, key=recommendation_key(recommendation.id, user), channel=user, text=text,
                          blocks=blocks)
