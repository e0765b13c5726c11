"""Slack identifiers of linking a partnership to both organizations' installations (OAuth mode)."""

from __future__ import annotations

import enum


class LinkActionId(enum.StrEnum):
    LINK = "partnership_link"  # value: the partnership's id (which one, never whether one may)
    ACCEPT = "partnership_accept"  # value: the partnership's id
