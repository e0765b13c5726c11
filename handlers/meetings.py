"""Cooperation meetings in Slack: /coop-meeting, the meeting modals, and the buttons on an announcement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import CoopError, InvalidTransition, NotAllowed
from bot.i18n.catalog import Translator
from bot.meetings import forms, minutes_form
from bot.meetings.ids import MeetingActionId, MeetingCallback
from bot.permissions import Action
from bot.slack.surface import COOP_MEETING
from handlers.common import answer_submission, on_button, open_view, problem_words, refusal, tell_privately, user_id
from models.meeting import Rsvp

RSVP_BY_ACTION = {MeetingActionId.RSVP_GOING: Rsvp.GOING, MeetingActionId.RSVP_MAYBE: Rsvp.MAYBE,
                  MeetingActionId.RSVP_DECLINED: Rsvp.DECLINED}


def register(app: App, services: Services) -> None:
    meetings = services.meetings

    @app.command(COOP_MEETING.command)
    def open_schedule_modal(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        open_schedule(services, client, body, respond=respond)

    @app.action(MeetingActionId.OPEN_SCHEDULE)
    @app.action(MeetingActionId.OPEN_SCHEDULE_FROM_OLD_PROMPT)
    def open_schedule_from_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """E.g. the quarterly prompt's button, whose value starts with the partnership id ("3:2027Q1")."""
        ack()
        actions = body.get("actions") or [{}]
        first = str((actions[0] or {}).get("value") or "").split(":")[0]
        wanted = int(first) if first.isascii() and first.isdecimal() and len(first) < 10 else None
        open_schedule(services, client, body, partnership_id=wanted)

    @app.view(MeetingCallback.SCHEDULE)
    def submit_schedule(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        answer_submission(ack, forms.parse_schedule(_values(view), t),
                          lambda data: meetings.schedule(user, data, source_key=f"view:{view['id']}"),
                          invalid=problem_words(lambda field, code: forms.meeting_error(field, code, t)),
                          refused=lambda exc: {"partnership_id": meeting_refusal(exc, t)},
                          check=lambda accepted: meetings.check_schedule(user, accepted))

    for action_id, answer in RSVP_BY_ACTION.items():
        app.action(action_id)(_rsvp_listener(services, answer))

    @app.action(MeetingActionId.RESCHEDULE)
    def open_reschedule(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open(services, client, body, Action.CHANGE_MEETING, forms.reschedule_modal)

    @app.action(MeetingActionId.CANCEL)
    def open_cancel(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open(services, client, body, Action.CHANGE_MEETING, forms.cancel_modal)

    @app.action(MeetingActionId.RECORD_MINUTES)
    def open_minutes(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open(services, client, body, Action.RECORD_MINUTES, minutes_form.minutes_modal)

    @app.action(MeetingActionId.ACTION_ITEM_DONE)
    def mark_done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _act(services, client, body, meetings.complete_action_item)

    @app.view(MeetingCallback.RESCHEDULE)
    def submit_reschedule(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        _submit(services, ack, body, view, forms.parse_reschedule, meetings.reschedule, first_block="date",
                check=meetings.check_reschedule)

    @app.view(MeetingCallback.CANCEL)
    def submit_cancel(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        _submit(services, ack, body, view, forms.parse_cancel, meetings.cancel, first_block="reason")

    @app.view(MeetingCallback.MINUTES)
    def submit_minutes(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        _submit(services, ack, body, view, minutes_form.parse_minutes, meetings.record_minutes,
                first_block="minutes",
                check=lambda meeting_id, user, accepted: meetings.check_minutes(meeting_id, user, accepted["owners"]))


def open_schedule(services: Services, client: WebClient, body: dict[str, Any], *,
                  respond: Respond | None = None, partnership_id: int | None = None) -> None:
    """Open "Schedule a meeting" for the caller (from the slash command or a button, e.g. the
    quarterly prompt's)."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    try:
        defaults = services.meetings.schedule_defaults(user, t, partnership_id=partnership_id)
    except CoopError as exc:
        if respond is not None:
            respond(text=meeting_refusal(exc, t), response_type="ephemeral")
        else:
            tell_privately(client, body, meeting_refusal(exc, t))
        return
    open_view(client, body, forms.schedule_modal(t, defaults))


def _rsvp_listener(services: Services, answer: Rsvp) -> Callable[[Ack, dict[str, Any], WebClient], None]:
    """One listener per answer (Bolt passes listeners only the arguments it knows by name)."""
    def answer_invitation(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _act(services, client, body, lambda meeting_id, user: services.meetings.rsvp(meeting_id, user, answer))

    return answer_invitation


def meeting_refusal(error: CoopError, t: Translator) -> str:
    """A clear private answer for a domain error about a meeting or an action item."""
    _ = t.gettext
    if isinstance(error, NotAllowed):
        return {
            Action.SCHEDULE_MEETING.value: _("Sorry, only the partnership's coordinators can schedule meetings."),
            Action.CHANGE_MEETING.value: _("Sorry, only the organiser and the partnership's coordinators can "
                                           "reschedule or cancel this meeting."),
            Action.RSVP_MEETING.value: _("Sorry, only people on this partnership's roster can answer its "
                                         "meetings."),
            Action.RECORD_MINUTES.value: _("Sorry, only the organiser and the partnership's coordinators can "
                                           "record the minutes."),
            Action.COMPLETE_ACTION_ITEM.value: _("Sorry, only the action item's owner and the partnership's "
                                                 "coordinators can mark it done."),
        }.get(str(error), refusal(error, t))
    if isinstance(error, InvalidTransition):
        return {
            "cancelled": _("Nothing changed: this meeting was cancelled."),
            "held": _("Nothing changed: this meeting has already taken place."),
            "recorded": _("Nothing changed: the minutes of this meeting were already recorded."),
            "done": _("Nothing changed: this action item is already done."),
        }.get(error.current_state, refusal(error, t))
    return refusal(error, t)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    return dict(view.get("state", {}).get("values", {}))


def _act(services: Services, client: WebClient, body: dict[str, Any], change: Callable[[int, str], Any]) -> None:
    on_button(services, client, body, lambda target, user, _t: change(target, user), meeting_refusal)


def _open(services: Services, client: WebClient, body: dict[str, Any], action: Action,
          build: Callable[..., dict[str, Any]]) -> None:
    def open_form(meeting_id: int, user: str, t: Translator) -> None:
        meeting = services.meetings.view(meeting_id, user, action)
        open_view(client, body, build(t, meeting))

    on_button(services, client, body, open_form, meeting_refusal)


def _submit(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any],
            parse: Callable[[Any, Translator], Any], change: Callable[[int, str, Any, str], Any], *,
            first_block: str, check: Callable[[int, str, dict[str, Any]], object] | None = None) -> None:
    user = user_id(body)
    t = services.lazy_translator_for(user)
    meeting_id = forms.meeting_id_from(str(view.get("private_metadata") or ""))
    if meeting_id is None:
        ack(response_action="errors", errors={first_block: t.gettext("This form is not one of mine; nothing changed.")})
        return
    answer_submission(ack, parse(_values(view), t),
                      lambda data: change(meeting_id, user, data, f"view:{view['id']}"),
                      invalid=problem_words(lambda field, code: _input_error(field, code, t)),
                      refused=lambda exc: {first_block: meeting_refusal(exc, t)},
                      check=None if check is None else lambda accepted: check(meeting_id, user, accepted))


def _input_error(field: str, code: str, t: Translator) -> str:
    if field.startswith("item"):
        return minutes_form.owner_error(t)
    if field == "minutes":
        return t.gettext("The meeting has not started yet; record the minutes after it.")
    return forms.meeting_error(field, code, t)
