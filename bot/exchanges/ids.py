"""Slack identifiers of the exchange workflow: callback ids and action ids in one place."""

from __future__ import annotations

import enum


class ExchangeCallback(enum.StrEnum):
    REQUEST = "exchange_request"  # a new request, or an edit after changes were asked for
    REVIEW = "exchange_review"
    ASSESS = "exchange_assess"


class ExchangeActionId(enum.StrEnum):
    REVIEW = "exchange_review"
    EDIT = "exchange_edit"
    ASSESS = "exchange_assess"
    CONFIRM = "exchange_confirm"
