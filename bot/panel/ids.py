"""Slack identifiers of the panel's buttons ("Schedule a meeting" reuses the meetings' own opener)."""

from __future__ import annotations

import enum


class PanelActionId(enum.StrEnum):
    LOG_PROBLEM = "panel_log_problem"
    REQUEST_EXCHANGE = "panel_request_exchange"
    MY_TASKS = "panel_my_tasks"


def panel_key(partnership_id: int) -> str:
    """The outbox message key the partnership's panel is posted (and updated) under."""
    return f"panel:{partnership_id}"
