"""Slack identifiers of the recruitment workflow."""

from __future__ import annotations

import enum


class RecruitmentCallback(enum.StrEnum):
    POST_OPENING = "recruitment_post_opening"
    RECOMMEND = "recruitment_recommend"


class RecruitmentActionId(enum.StrEnum):
    OPEN_OPENING_FORM = "recruitment_open_opening_form"  # App Home; no value
    RECOMMEND = "recruitment_recommend"  # on the opening's post; value: the opening id
    OFFER = "recruitment_offer"  # on a recommendation DM; value: the recommendation id
    HIRE = "recruitment_hire"
    DECLINE = "recruitment_decline"
