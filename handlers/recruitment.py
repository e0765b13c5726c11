"""Recruitment in Slack: "Post an opening" in App Home and its modal; "Recommend interns" on the opening's
post and its modal; "Offer made", "Hired", "Declined" on a recommendation DM. Rules live in
bot.recruitment.service; refusals come back privately."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import CoopError, InvalidInput, NotAllowed
from bot.i18n.catalog import Translator
from bot.recruitment import forms
from bot.recruitment.ids import RecruitmentActionId, RecruitmentCallback
from handlers.common import answer_submission, on_button, problem_words, refusal, tell_privately, user_id
from models.recruitment import RecommendationStatus

DECISIONS = {RecruitmentActionId.OFFER: RecommendationStatus.OFFERED,
             RecruitmentActionId.HIRE: RecommendationStatus.HIRED,
             RecruitmentActionId.DECLINE: RecommendationStatus.DECLINED}


def register(app: App, services: Services) -> None:
    service = services.recruitment

    @app.action(RecruitmentActionId.OPEN_OPENING_FORM)
    def open_opening_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = user_id(body)
        try:
            partnerships = service.opening_partnerships(user)
        except CoopError as exc:
            tell_privately(client, body, recruitment_refusal(exc, services.lazy_translator_for(user)))
            return
        client.views_open(trigger_id=body["trigger_id"],
                          view=forms.opening_modal(partnerships, services.translator_for(user)))

    @app.view(RecruitmentCallback.POST_OPENING)
    def submit_opening(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        values = view.get("state", {}).get("values", {})
        parsed = forms.parse_opening(values, str(view.get("private_metadata") or ""), t)
        answer_submission(ack, parsed, lambda data: service.post_opening(user, data, f"view:{view['id']}"),
                          refused=lambda exc: {"title": recruitment_refusal(exc, t)},
                          invalid=problem_words(lambda field, code: t.gettext("Choose a date from today on.")))

    @app.action(RecruitmentActionId.RECOMMEND)
    def open_recommend_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_form(opening_id: int, user: str, t: Translator) -> None:
            opening, candidates = service.recommend_form(opening_id, user)
            client.views_open(trigger_id=body["trigger_id"],
                              view=forms.recommend_modal(opening, candidates, services.translator_for(user)))

        on_button(services, client, body, open_form, recruitment_refusal)

    @app.view(RecruitmentCallback.RECOMMEND)
    def submit_recommendation(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        opening_id = forms.opening_id_from(str(view.get("private_metadata") or ""))
        chosen = forms.parse_recommendation(view.get("state", {}).get("values", {}))
        if opening_id is None:
            ack(response_action="errors",
                errors={"interns": t.gettext("This form is not one of mine; nothing changed.")})
            return
        parsed: Any = chosen if chosen else {"interns": t.gettext("Choose at least one intern.")}
        answer_submission(ack, parsed, lambda ids: service.recommend(opening_id, user, ids),
                          refused=lambda exc: {"interns": recruitment_refusal(exc, t)},
                          invalid=problem_words(lambda field, code: t.gettext("Choose interns of this partnership.")))

    def decision(status: RecommendationStatus) -> Any:
        def record_decision(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            on_button(services, client, body, lambda rec_id, user, t: service.decide(rec_id, user, status),
                      recruitment_refusal)
        return record_decision

    for action_id, status in DECISIONS.items():
        app.action(action_id)(decision(status))


def recruitment_refusal(error: CoopError, t: Translator) -> str:
    _ = t.gettext
    if isinstance(error, NotAllowed) and str(error) == "record_hire":
        return _("Sorry, only the enterprise's coordinators and mentors of this partnership can record offers "
                 "and hires.")
    if isinstance(error, NotAllowed) and str(error) == "post_opening":
        return _("Sorry, only the enterprise's coordinators and mentors can post openings.")
    if isinstance(error, NotAllowed) and str(error) == "recommend_intern":
        return _("Sorry, only the college's coordinators and teachers of this partnership can recommend interns.")
    if isinstance(error, InvalidInput):
        return _("Nothing changed: {reason}").format(reason=str(error))
    return refusal(error, t)
