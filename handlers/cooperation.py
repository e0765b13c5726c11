"""The cooperation ledger in Slack: `/coop ledger` (and App Home's button) opens the modal; its submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.container import Services
from bot.cooperation import forms
from bot.cooperation.forms import LedgerActionId, LedgerCallback
from bot.errors import CoopError, NotAllowed, NotOnRoster
from bot.i18n.catalog import Translator
from bot.quarters import local_today
from handlers.common import answer_submission, how_to_get_added, refusal, tell_privately, user_id


def only_coordinators(error: CoopError, t: Translator) -> str:
    if isinstance(error, NotOnRoster):
        return how_to_get_added(t)
    if isinstance(error, NotAllowed):
        return t.gettext("Sorry, only a partnership's coordinators keep its cooperation ledger.")
    return refusal(error, t)


def _modal(services: Services, user: str, channel: str | None, t: Translator) -> dict[str, Any]:
    partnerships = services.cooperation.ledger_partnerships(user, channel)
    return forms.ledger_modal(partnerships, t, local_today(services.clock(), services.settings.coopbot_timezone))


def _agreement_modal(services: Services, user: str, channel: str | None, t: Translator) -> dict[str, Any]:
    partnerships = services.cooperation.ledger_partnerships(user, channel)
    return forms.agreement_modal(partnerships, t, services.cooperation.agreements([pid for pid, _ in partnerships]))


def coop_agreement(services: Services, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """`/coop agreement`: the agreement's modal for a coordinator."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    try:
        view = _agreement_modal(services, user, body.get("channel_id"), t)
    except CoopError as exc:
        ack(text=only_coordinators(exc, t), response_type="ephemeral")
        return
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=view)


def coop_ledger(services: Services, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """`/coop ledger`: the modal for a coordinator; anyone else is told privately who may."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    try:
        view = _modal(services, user, body.get("channel_id"), t)
    except CoopError as exc:
        ack(text=only_coordinators(exc, t), response_type="ephemeral")
        return
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: App, services: Services) -> None:
    def opener(build: Callable[[Services, str, str | None, Translator], dict[str, Any]]) -> Callable[..., None]:
        """An App Home button that opens a coordinator's form (the ledger's, the agreement's)."""
        def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            user = user_id(body)
            t = services.lazy_translator_for(user)
            try:
                view = build(services, user, None, t)
            except CoopError as exc:
                tell_privately(client, body, only_coordinators(exc, t))
                return
            client.views_open(trigger_id=body["trigger_id"], view=view)
        return open_form

    app.action(LedgerActionId.OPEN)(opener(_modal))
    app.action(LedgerActionId.AGREEMENT)(opener(_agreement_modal))

    @app.view(LedgerCallback.AGREEMENT)
    def save_agreement(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        parsed = forms.parse_agreement((view.get("state") or {}).get("values") or {},
                                       str(view.get("private_metadata") or ""), t)
        answer_submission(ack, parsed, lambda a: services.cooperation.set_agreement(
            user, a.partnership, a.signed_on, a.ends_on, a.links), refused=lambda exc: {"signed_on": only_coordinators(
                exc, t)})

    @app.view(LedgerCallback.ENTRY)
    def save_entry(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        parsed = forms.parse_entry((view.get("state") or {}).get("values") or {},
                                   str(view.get("private_metadata") or ""), t)
        answer_submission(ack, parsed, lambda data: services.cooperation.log_entry(user, data, f"view:{view['id']}"),
                          refused=lambda exc: {"kind": only_coordinators(exc, t)})
