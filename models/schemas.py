"""Pydantic v2 schemas for rows that cross a boundary (CLI arguments, CSV rows).

They check shape only (types, lengths, formats); rules that need the database, such as
"this partnership exists", belong to the services that use them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from models.roster import Role, Side

# Bidi overrides can make a name display as something else in Slack and spreadsheets.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,31}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{6,31}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _no_control(value: str) -> str:
    """Reject control characters: they corrupt CSV exports, Slack text and log lines."""
    for ch in value:
        if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS:
            raise ValueError(f"contains a control character (U+{ord(ch):04X})")
    return value


def _blank_to_none(value: Any) -> Any:
    """CSV cells and CLI options come as '' when absent; treat that as 'not given'."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _pattern(regex: re.Pattern[str], example: str) -> Any:
    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"must look like {example}, got {value!r}")
        return value

    return check


def _valid_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone {value!r} (e.g. Asia/Shanghai)") from None
    return value


# Languages with a catalog in bot/locale (models cannot import bot; tests/test_i18n.py checks they agree).
LANGUAGES = ("en", "zh_CN")


def _blank_or_language(value: Any) -> Any:
    return None if value is None or str(value).strip() == "" else _known_language(value)


def _known_language(value: Any) -> Any:
    """Accept "zh-CN", "zh_cn" or " en " as written; store the catalog's own spelling."""
    text = str(value).strip().replace("-", "_")
    for language in LANGUAGES:
        if text.lower() == language.lower():
            return language
    raise ValueError(f"unknown language {text!r} (allowed: {', '.join(LANGUAGES)})")


def _lower_strip(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _parse_roles(value: Any) -> tuple[Role, ...]:
    """Roles arrive as 'teacher;coordinator'; collapse duplicates, refuse unknown ones."""
    parts = value.split(";") if isinstance(value, str) else list(value)
    wanted: set[Role] = set()
    for part in parts:
        name = str(part).strip().lower()
        if not name:
            continue
        try:
            wanted.add(Role(name))
        except ValueError:
            allowed = ", ".join([*(r.value for r in Role), DEAN])
            raise ValueError(f"unknown role {name!r} (allowed: {allowed})") from None
    return tuple(r for r in Role if r in wanted)


DEAN = "dean"  # a college-level role: not a Role in one partnership (see PersonRow)


def _iso_date(value: Any) -> Any:
    """Only `YYYY-MM-DD`: spreadsheets love to reformat dates, and a guessed format is a wrong date."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"must be a date as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a real date: {text!r}") from None


def _whole_number(value: Any) -> Any:
    text = str(value).strip()
    if not text.isdigit() or not 0 < int(text) <= 10_000:
        raise ValueError(f"must be a whole number from 1 to 10000, got {text!r}")
    return int(text)


# Required, trimmed text in any script; lengths match the model columns.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                 AfterValidator(_no_control)]
StudentId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                      AfterValidator(_no_control)]
ChannelId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32),
                      AfterValidator(_pattern(_CHANNEL_ID, "C0123ABCD or G0123ABCD"))]
SlackUserId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32),
                        AfterValidator(_pattern(_USER_ID, "U0123ABCD or W0123ABCD"))]
TimeZoneName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64),
                         AfterValidator(_no_control), AfterValidator(_valid_zone)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320),
                  AfterValidator(_pattern(_EMAIL, "name@example.com"))]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


PlanRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                   AfterValidator(_no_control)]
Period = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                   AfterValidator(_no_control)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartnershipInput(_Input):
    """A new partnership, as given on the command line."""

    name: Name
    school: Name
    enterprise: Name
    channel_id: ChannelId
    timezone: Annotated[TimeZoneName | None, BeforeValidator(_blank_to_none)] = None
    language: Annotated[str, BeforeValidator(_known_language)] = "en"
    # the school-side channel (private, college people only), for reports the enterprise must not see
    school_channel_id: Annotated[ChannelId | None, BeforeValidator(_blank_to_none)] = None

    @field_validator("school_channel_id")
    @classmethod
    def _not_the_shared_channel(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value == info.data.get("channel_id"):
            raise ValueError("must not be the partnership's channel, which the enterprise shares")
        return value
    # Each side's language (None: the partnership's), for people whose Slack gives no locale
    school_language: Annotated[str | None, BeforeValidator(_blank_or_language)] = None
    enterprise_language: Annotated[str | None, BeforeValidator(_blank_or_language)] = None


class PersonRow(_Input):
    """One row of the people CSV: a person's roles in one partnership.

    `roles` may also hold `dean`, which is no role in the partnership but makes the person a dean of
    the partnership's college (`dean` is then True; the row may hold no other role).
    """

    slack_user_id: SlackUserId
    name: Name
    email: Annotated[Email | None, BeforeValidator(_blank_to_none)] = None
    side: Annotated[Side, BeforeValidator(_lower_strip)]
    dean: bool = False
    roles: Annotated[tuple[Role, ...], BeforeValidator(_parse_roles)]
    partnership: Name

    @model_validator(mode="before")
    @classmethod
    def _take_dean(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("roles"), str) and "dean" not in data:
            parts = [part.strip().lower() for part in data["roles"].split(";")]
            if DEAN in parts:
                return {**data, "dean": True, "roles": ";".join(p for p in parts if p != DEAN)}
        return data

    @field_validator("roles")
    @classmethod
    def _some_role(cls, value: tuple[Role, ...], info: ValidationInfo) -> tuple[Role, ...]:
        if not value and not info.data.get("dean"):
            raise ValueError("at least one role is required")
        if info.data.get("dean") and info.data.get("side") == Side.ENTERPRISE:
            raise ValueError("dean is a college role: the side must be school")
        return value


class InternRow(_Input):
    """One row of the interns CSV."""

    student_id: StudentId
    name: Name
    partnership: Name
    teacher: SlackUserId
    mentor: SlackUserId
    start_date: IsoDate
    end_date: IsoDate
    position: Name
    # Optional extra columns after the contract's header; absent means "leave as it is".
    birth_date: Annotated[IsoDate | None, BeforeValidator(_blank_to_none)] = None
    plan_line: Annotated[PlanRef | None, BeforeValidator(_blank_to_none)] = None  # a line of `coopbot plans import`

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and value < start:
            raise ValueError(f"end_date {value.isoformat()} is before start_date {start.isoformat()}")
        return value

    @field_validator("birth_date")
    @classmethod
    def _born_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value >= start:
            raise ValueError(f"birth_date {value.isoformat()} is not before start_date {start.isoformat()}")
        return value


class PlanRow(_Input):
    """One row of the plans CSV: one plan line (planned interns of a major for a post) of one period."""

    partnership: Name
    period: Period
    start_date: IsoDate
    end_date: IsoDate
    line: PlanRef
    major: Name
    post: Name
    planned: Annotated[int, BeforeValidator(_whole_number)]
    # An optional extra column: the order class's (订单班) name when the line is one.
    order_class: Annotated[Name | None, BeforeValidator(_blank_to_none)] = None

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and value < start:
            raise ValueError(f"end_date {value.isoformat()} is before start_date {start.isoformat()}")
        return value


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs in words a spreadsheet user can act on, without pydantic's prefixes."""
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else "row"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is required"
        elif err["type"] == "string_too_short" and err.get("ctx", {}).get("min_length") == 1:
            message = "must not be empty"
        out.append((field, message))
    return out
