"""Slack identifiers of App Home: its own buttons and the language setting (the rest reuse their workflow's)."""

from __future__ import annotations

import enum


class HomeActionId(enum.StrEnum):
    LOG_PROBLEM = "home_log_problem"
    REQUEST_EXCHANGE = "home_request_exchange"
    LANGUAGE = "home_language"
    NEXT_PAGE = "home_next_page"  # value "<section>:<page>": which page to show, never whether
    PREVIOUS_PAGE = "home_previous_page"


HOME_LOG_PROBLEM = HomeActionId.LOG_PROBLEM.value
HOME_LANGUAGE = HomeActionId.LANGUAGE.value
FOLLOW_SLACK = "slack"  # the language picker's value for "no choice of my own: use my Slack language"
