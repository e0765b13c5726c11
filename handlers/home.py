"""App Home: the person's dashboard, published through the outbox when they open it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import outbox
from bot.container import Services
from bot.errors import CoopError, NotOnRoster
from bot.home.views import FOLLOW_SLACK, HOME_LANGUAGE, HOME_LOG_PROBLEM, home_view
from bot.language import chosen_language, set_language
from handlers.common import how_to_get_added, refusal, tell_privately, user_id
from handlers.problems import open_report


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = str(event.get("user") or "")
        if user:
            publish_home_of(services, user)

    @app.action(HOME_LOG_PROBLEM)
    def log_problem_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_report(services, client, body)

    @app.action(HOME_LANGUAGE)
    def choose_language(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Save the person's language (or "follow Slack") and show the home in it at once."""
        ack()
        user = user_id(body)
        actions = body.get("actions") or [{}]
        picked = str(((actions[0] or {}).get("selected_option") or {}).get("value") or "")
        try:
            set_language(services.db, user, None if picked == FOLLOW_SLACK else picked)
        except CoopError as exc:
            tell_privately(client, body, refusal(exc, services.translator_for(user)))
            return
        publish_home_of(services, user)


def publish_home_of(services: Services, user: str) -> None:
    """Render `user`'s App Home in their language and publish it through the outbox."""
    t = services.translator_for(user)
    try:
        problems = services.problems.open_for(user)
    except NotOnRoster:
        problems = None
    view = home_view(problems, t, how_to_join=how_to_get_added(t), language_choice=chosen_language(services.db, user))
    with services.db.transaction() as session:
        outbox.publish_home(session, user=user, view=view)
