"""Slack identifiers of the end-of-internship workflow."""

from __future__ import annotations

import enum


class InternshipCallback(enum.StrEnum):
    EVALUATE = "internship_evaluate"


class InternshipActionId(enum.StrEnum):
    EVALUATE = "internship_evaluate"  # the button in the mentor's DM; its value is the intern id
