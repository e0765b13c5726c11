"""App Home: the person's dashboard, published through the outbox when they open it or page through it
(bot.home.service renders and publishes it; nothing here touches the database)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import CoopError, InvalidInput
from bot.home.data import Section
from bot.home.ids import HomeActionId
from bot.i18n.catalog import Translator
from handlers.common import refusal, tell_privately, user_id
from handlers.exchanges import open_request
from handlers.problems import open_report


def register(app: App, services: Services) -> None:
    home = services.home

    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = str(event.get("user") or "")
        if user:
            home.publish(user)  # OAuth mode: drawn for, and sent through, the installation it was opened in

    @app.action(HomeActionId.LOG_PROBLEM)
    def log_problem_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_report(services, client, body)

    @app.action(HomeActionId.REQUEST_EXCHANGE)
    def request_exchange_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_request(services, client, body)

    @app.action(HomeActionId.NEXT_PAGE)
    @app.action(HomeActionId.PREVIOUS_PAGE)
    def show_page(ack: Ack, body: dict[str, Any]) -> None:
        """Another page of one list. The value only picks the list and page; what is on it is read again for
        the person clicking, with their permissions."""
        ack()
        user = user_id(body)
        if user:
            home.publish(user, pages=page_from(body))

    @app.action(HomeActionId.LANGUAGE)
    def choose_language(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Save the person's language (or "follow Slack") and show the home in it at once."""
        ack()
        user = user_id(body)
        actions = body.get("actions") or [{}]
        picked = str(((actions[0] or {}).get("selected_option") or {}).get("value") or "")
        try:
            home.choose_language(user, picked)
        except CoopError as exc:
            tell_privately(client, body, language_refusal(exc, services.translator_for(user)))
            return
        home.publish(user)


def language_refusal(error: CoopError, t: Translator) -> str:
    """A clear private answer when a language could not be saved (a forged choice; someone on no roster)."""
    if isinstance(error, InvalidInput):
        return t.gettext("That language is not available; choose one from the list.")
    return refusal(error, t)


def page_from(body: dict[str, Any]) -> dict[Section, int]:
    """`{section: page}` from a pager button's "<section>:<page>"; nothing (the first pages) if forged."""
    actions = body.get("actions") or [{}]
    name, _, number = str((actions[0] or {}).get("value") or "").partition(":")
    if name not in Section._value2member_map_ or not number.isdecimal() or not number.isascii() or len(number) > 5:
        return {}
    return {Section(name): int(number)}
