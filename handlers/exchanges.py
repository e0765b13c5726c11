"""Staff exchanges in Slack: /exchange, the request modal, and Review / Edit / Assess / Confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import CoopError, InvalidTransition, NotAllowed
from bot.exchanges import forms, messages
from bot.exchanges.ids import ExchangeActionId, ExchangeCallback
from bot.exchanges.labels import UNCHANGED_IN_STATE
from bot.exchanges.letter_fonts import LetterUnavailable
from bot.exchanges.snapshot import ExchangeSnapshot
from bot.exchanges.state import AlreadyDecided, Overlaps
from bot.i18n.catalog import Translator
from bot.permissions import Action
from bot.slack.surface import EXCHANGE
from bot.slack.text import escape, mention
from handlers.common import answer_submission, on_button, open_view, problem_words, refusal, tell_privately, user_id
from models.exchange import ExchangeStatus

Opener = Callable[[ExchangeSnapshot, str, Translator], dict[str, Any]]


def register(app: App, services: Services) -> None:
    exchanges = services.exchanges

    @app.command(EXCHANGE.command)
    def open_request_modal(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        open_request(services, client, body, respond=respond)

    @app.view(ExchangeCallback.REQUEST)
    def submit_request(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        metadata = str(view.get("private_metadata") or "")
        exchange_id = forms.metadata_int(metadata, "exchange_id")
        shown = {b.get("block_id") for b in view.get("blocks") or []}

        def submit(data: forms.ExchangeRequestInput) -> object:
            if data.partnership_id is None:  # one partnership: the form did not ask
                data = data.model_copy(update={"partnership_id": forms.metadata_int(metadata, "partnership_id")})
            if exchange_id is not None:
                return exchanges.resubmit(exchange_id, user, data, source_key=f"view:{view['id']}")
            return exchanges.request(user, data, source_key=f"view:{view['id']}")

        request_words = problem_words(lambda field, code: forms.request_error(field, code, t),
                                      shown=lambda field: field if field in shown else "person")

        def check(accepted: dict[str, Any]) -> None:
            if exchange_id is not None:
                exchanges.check_resubmit(exchange_id, user, accepted)
            else:
                exchanges.check_request(user, accepted, accepted.get("partnership_id")
                                        or forms.metadata_int(metadata, "partnership_id"))

        answer_submission(
            ack, forms.parse_request(view.get("state", {}).get("values", {}), t), submit,
            invalid=lambda exc: ({"start_date": forms.overlap_error(exc.first, t)} if isinstance(exc, Overlaps)
                                 else request_words(exc)),
            refused=lambda exc: {"person": exchange_refusal(exc, t)}, check=check)

    @app.action(ExchangeActionId.REVIEW)
    def open_review_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open(services, client, body, Action.DECIDE_EXCHANGE, _review_view)

    @app.view(ExchangeCallback.REVIEW)
    def submit_review(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        metadata = str(view.get("private_metadata") or "")
        exchange_id = forms.metadata_int(metadata, "exchange_id")
        if exchange_id is None:
            ack(response_action="errors", errors={"decision": _not_mine(t)})
            return
        answer_submission(
            ack, forms.parse_decision(view.get("state", {}).get("values", {}), t),
            lambda d: exchanges.decide(exchange_id, user, d.decision, d.comment, source_key=f"view:{view['id']}",
                                       review_round=forms.metadata_int(metadata, "round")),
            invalid=lambda _exc: {"comment": forms.comment_required(t)},
            refused=lambda exc: {"decision": exchange_refusal(exc, t)})

    @app.action(ExchangeActionId.EDIT)
    def open_edit_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open(services, client, body, Action.EDIT_EXCHANGE, _edit_view)

    @app.action(ExchangeActionId.ASSESS)
    def open_assess_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open(services, client, body, Action.ASSESS_EXCHANGE, _assess_view)

    @app.view(ExchangeCallback.ASSESS)
    def submit_assessment(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        exchange_id = forms.metadata_int(str(view.get("private_metadata") or ""), "exchange_id")
        if exchange_id is None:
            ack(response_action="errors", errors={"rating": _not_mine(t)})
            return
        answer_submission(
            ack, forms.parse_assessment(view.get("state", {}).get("values", {}), t),
            lambda a: exchanges.assess(exchange_id, user, a.rating, a.comments, source_key=f"view:{view['id']}"),
            refused=lambda exc: {"rating": exchange_refusal(exc, t)})

    @app.action(ExchangeActionId.CONFIRM)
    def confirm(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        on_button(services, client, body, lambda exchange_id, user, _t: exchanges.confirm(exchange_id, user),
                  exchange_refusal)


def open_request(services: Services, client: WebClient, body: dict[str, Any], *,
                 respond: Respond | None = None) -> None:
    """Open "Request an exchange" for the caller (from /exchange or the App Home button)."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    try:
        partnerships, today = services.exchanges.request_choices(user)
    except CoopError as exc:
        if respond is not None:
            respond(text=exchange_refusal(exc, t), response_type="ephemeral")
        else:
            tell_privately(client, body, exchange_refusal(exc, t))
        return
    open_view(client, body, forms.request_modal(t, caller=user, partnerships=partnerships, today=today))


def exchange_refusal(error: CoopError, t: Translator) -> str:
    """A clear private answer for a domain error about an exchange."""
    _ = t.gettext
    if isinstance(error, AlreadyDecided):
        return _("Nothing changed: {person} has already done this for your side.").format(person=mention(error.by))
    if isinstance(error, NotAllowed):  # the rule of the action that was refused (bot.permissions)
        words = {
            Action.DECIDE_EXCHANGE.value: _(
                "Sorry, your role does not allow that on this exchange. The sending side's coordinator and the host "
                "side's approver decide it, never the person going."),
            Action.EDIT_EXCHANGE.value: _("Sorry, only the person who asked for this exchange can edit it."),
            Action.ASSESS_EXCHANGE.value: _(
                "Sorry, your role does not allow that on this exchange. The sending side's coordinator and the host "
                "side's approver assess it, never the person who went."),
            Action.CONFIRM_EXCHANGE.value: _(
                "Sorry, only a coordinator who neither asked for this exchange nor went on it can confirm it."),
        }.get(str(error))
        if words:
            return words
    if isinstance(error, LetterUnavailable):
        if error.characters:
            return _("The certificate was not issued: no font on this server can print {characters} in a name on "
                     "it. Nothing changed. Ask your administrator to add a font that has them (COOPBOT_LETTER_FONTS, "
                     "see the README).").format(
                characters=escape(" ".join(t.aside(c, f"U+{ord(c):04X}") for c in error.characters)))
        return _("The certificate was not issued: the fonts it needs are not installed on this server. Nothing "
                 "changed. Ask your administrator (the README's \"Staff exchange certificates\" says which fonts).")
    if isinstance(error, InvalidTransition):
        if error.current_state == "resubmitted":
            return _("The request was changed since you opened it; nothing changed. Open the new version.")
        if error.current_state in ExchangeStatus._value2member_map_:
            return _(UNCHANGED_IN_STATE[ExchangeStatus(error.current_state)])
    return refusal(error, t)


def _not_mine(t: Translator) -> str:
    return t.gettext("This form is not one of mine; nothing changed.")


def _open(services: Services, client: WebClient, body: dict[str, Any], action: Action, build: Opener) -> None:
    def open_form(exchange_id: int, user: str, t: Translator) -> None:
        x = services.exchanges.view(exchange_id, user, action)
        open_view(client, body, build(x, user, t))

    on_button(services, client, body, open_form, exchange_refusal)


def _review_view(x: ExchangeSnapshot, user: str, t: Translator) -> dict[str, Any]:
    if x.status != ExchangeStatus.PENDING:
        raise InvalidTransition(x.status.value)
    side = next(s for s, users in x.approvers.items() if user in users)
    if side in x.decisions:
        raise AlreadyDecided(x.decisions[side].decider)
    return forms.review_modal(x, [*messages.details(x, t), messages.section(messages.side_lines(x, t))], t)


def _edit_view(x: ExchangeSnapshot, user: str, t: Translator) -> dict[str, Any]:
    if x.status != ExchangeStatus.CHANGES_REQUESTED:
        raise InvalidTransition(x.status.value)
    return forms.request_modal(t, caller=user, partnerships=[], today=x.start_date, current=x)


def _assess_view(x: ExchangeSnapshot, user: str, t: Translator) -> dict[str, Any]:
    if x.status != ExchangeStatus.ACTIVE:  # a side that already assessed is told so on submit
        raise InvalidTransition(x.status.value)
    return forms.assess_modal(x, messages.details(x, t), t)
