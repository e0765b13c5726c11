"""App Home: the person's dashboard, published through the outbox when they open it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import outbox
from bot.container import Services
from bot.errors import NotOnRoster
from bot.home.views import HOME_LOG_PROBLEM, home_view
from handlers.common import how_to_get_added
from handlers.problems import open_report


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = str(event.get("user") or "")
        if not user:
            return
        t = services.translator_for(user)
        try:
            problems = services.problems.open_for(user)
        except NotOnRoster:
            problems = None
        with services.db.transaction() as session:
            outbox.publish_home(session, user=user, view=home_view(problems, t, how_to_join=how_to_get_added(t)))

    @app.action(HOME_LOG_PROBLEM)
    def log_problem_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_report(services, client, body)
