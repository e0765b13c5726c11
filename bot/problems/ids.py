"""Slack identifiers of the problem workflow: callback ids, action ids and block ids in one place."""

from __future__ import annotations

import enum


class ProblemCallback(enum.StrEnum):
    REPORT = "problem_report"
    UPDATE = "problem_update"
    RESOLVE = "problem_resolve"


class ProblemActionId(enum.StrEnum):
    INTERN_SELECT = "problem_intern_select"  # external_select: options come from our options handler
    ACKNOWLEDGE = "problem_acknowledge"
    ADD_UPDATE = "problem_add_update"
    RESOLVE = "problem_resolve"
    REOPEN = "problem_reopen"
