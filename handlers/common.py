"""What every handler shares: the words refusals fall back on, and telling one person something privately.

Each workflow words its own refusals (`problem_refusal`, `meeting_refusal`, `exchange_refusal`, …) for the
action the person tried, and falls back on `refusal` for what is the same everywhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.errors import CoopError, DatabaseBusy, InvalidInput, InvalidTransition, NotAllowed, NotFound, NotOnRoster
from bot.home.views import how_to_get_added
from bot.i18n.catalog import Translator
from bot.permissions import ACTION_LABELS, Action
from bot.slack.blocks import section
from bot.slack.forms import FormErrors

if TYPE_CHECKING:
    from bot.container import Services

log = logging.getLogger(__name__)
__all__ = ["action_value_int", "how_to_get_added", "open_view", "refusal", "tell_privately", "user_id"]


def refusal(error: CoopError, t: Translator) -> str:
    """A clear private answer for a domain error, in words that fit any workflow: a workflow's own refusal
    says more and falls back on this. A refused action is named (NotAllowed carries it: bot.permissions)."""
    _ = t.gettext
    if isinstance(error, NotOnRoster):
        return how_to_get_added(t)
    if isinstance(error, NotAllowed):
        action = str(error)
        if action in Action._value2member_map_:
            return _("Sorry, your role does not allow this here: {action}.").format(
                action=_(ACTION_LABELS[Action(action)]))
        return _("Sorry, your role does not allow that here.")
    if isinstance(error, NotFound):
        return _("I could not find that item any more; it may have been removed.")
    if isinstance(error, DatabaseBusy):
        return _("The database is busy right now, so nothing was saved. Please try again in a moment.")
    if isinstance(error, InvalidTransition):
        return _("Nothing changed: this can no longer be done in its current state.")
    return _("That did not work: {reason}").format(reason=str(error))


def tell_privately(client: WebClient, body: dict[str, Any], text: str) -> None:
    """An ephemeral reply where the person acted: the response_url if Slack gave one, else an
    ephemeral message in the channel; in a modal or on App Home (no channel there), a small modal over
    it; a DM only if none of these can be shown."""
    user = (body.get("user") or {}).get("id") or body.get("user_id") or ""
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    response_url = body.get("response_url")
    found = body.get("view")
    view: dict[str, Any] = found if isinstance(found, dict) else {}
    try:
        if response_url:
            WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral",
                                                        replace_original=False)
            return
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        if body.get("trigger_id") and view.get("type") in ("modal", "home") and _shown_over(client, body, view, text):
            return
        if user:
            client.chat_postMessage(channel=user, text=text)
    except Exception as exc:  # a refusal that cannot be shown must not turn into a crash
        log.warning("could not tell %s privately: %s", user, type(exc).__name__)


def _shown_over(client: WebClient, body: dict[str, Any], view: dict[str, Any], text: str) -> bool:
    """`text` in a small modal pushed over the modal the person is in, or opened over App Home. Slack words
    its close button in the person's language; the title is the app's name."""
    notice = {"type": "modal", "title": {"type": "plain_text", "text": "coopbot"}, "blocks": [section(text, cut=True)]}
    try:
        if view.get("type") == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=notice)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=notice)
    except Exception as exc:  # an expired trigger, a full view stack: a DM says it instead
        log.info("refusal not shown over the view (%s); sending it as a DM", type(exc).__name__)
        return False
    return True


def open_view(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a form for the person who clicked: pushed over the modal the button is in (e.g. "My tasks"), where
    Slack would not open a second one, else opened."""
    current = body.get("view")
    if isinstance(current, dict) and current.get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def user_id(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or body.get("user_id") or "")


def action_value_int(body: dict[str, Any]) -> int | None:
    """The integer a button carries, or a select's chosen option (an id); None if missing or forged."""
    actions = body.get("actions") or []
    action = actions[0] if actions and isinstance(actions[0], dict) else {}
    chosen = action.get("selected_option")
    value = chosen.get("value") if isinstance(chosen, dict) else action.get("value")
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def on_button(services: Services, client: WebClient, body: dict[str, Any],
              act: Callable[[int, str, Translator], object],
              refuse: Callable[[CoopError, Translator], str]) -> None:
    """What every button handler shares: the id the button carries (a missing or forged one gets a
    private "not mine"), the service call, and a private refusal when the service says no, in the words of
    the button's workflow (`refuse`). The person's language is looked up only if there is something to say."""
    user = user_id(body)
    target = action_value_int(body)
    t = services.lazy_translator_for(user)
    if target is None:
        tell_privately(client, body, t.gettext("That button is not one of mine; nothing changed."))
        return
    try:
        act(target, user, t)
    except CoopError as exc:
        tell_privately(client, body, refuse(exc, t))


Errors = dict[str, str]


def answer_submission(ack: Callable[..., Any], parsed: Any, act: Callable[[Any], object], *,
                      refused: Callable[[CoopError], Errors],
                      invalid: Callable[[InvalidInput], Errors] | None = None,
                      check: Callable[[dict[str, Any]], object] | None = None) -> None:
    """What every modal submission shares: the form's own errors come back inline (block id → words);
    then the service runs, and its input errors and refusals come back inline too, on the block they
    concern; an empty ack closes the modal. `parsed` is the form's validated input or its errors.

    When the form refuses some fields, `check` runs the service's rules on the fields it accepted
    (FormErrors.accepted), so their errors come in the same answer rather than on the next submit; a
    field keeps the form's own error first."""
    if isinstance(parsed, dict):
        errors = dict(parsed)
        if check is not None and isinstance(parsed, FormErrors):
            errors = {**_service_errors(check, parsed.accepted, invalid or refused), **errors}
        ack(response_action="errors", errors=errors)
        return
    try:
        act(parsed)
    except InvalidInput as exc:
        ack(response_action="errors", errors=(invalid or refused)(exc))
        return
    except CoopError as exc:
        ack(response_action="errors", errors=refused(exc))
        return
    ack()


def _service_errors(check: Callable[[dict[str, Any]], object], accepted: dict[str, Any],
                    invalid: Callable[[InvalidInput], Errors]) -> Errors:
    """The service's input errors on what the form accepted (none if it refuses for another reason, which the
    submission that passes the form will say)."""
    try:
        check(accepted)
    except InvalidInput as exc:
        return invalid(exc)
    except CoopError:
        return {}
    return {}


def problem_words(words: Callable[[str, str], str], *, shown: Callable[[str], str] = lambda field: field
                  ) -> Callable[[InvalidInput], Errors]:
    """Every problem of an InvalidInput in words, on its block (`shown` maps a field to the block showing it)."""
    def answer(error: InvalidInput) -> Errors:
        found: Errors = {}
        for field, code in error.problems.items():
            found.setdefault(shown(field), words(field, code))
        return found
    return answer
