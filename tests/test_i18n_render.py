"""Every view and message, rendered in every language, fits Slack's limits — without being cut to fit.

Slack rejects a view whose title is 25 characters, and our builders cut some texts to stay inside the
limits; a cut translation is as wrong as a rejected one. So the checker walks the rendered Block Kit and
fails on a text over its limit or on one that is a cut-off catalog string.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.errors import InvalidTransition, NotAllowed, NotFound, NotOnRoster
from bot.home.help import help_text, status_blocks
from bot.home.views import home_view
from bot.i18n.catalog import Translator, available_languages, translator
from bot.problems import forms, messages
from bot.problems.ids import ProblemCallback
from bot.problems.snapshot import ProblemSnapshot
from handlers.common import how_to_get_added, refusal
from models.problem import Category, EventKind, ProblemStatus, Severity
from tests.home.samples import full_home
from tests.test_i18n import _catalog, _strings

# (parent key, key) → limit; "*" matches any parent. From Slack's Block Kit reference.
LIMITS: dict[tuple[str, str], int] = {
    ("view", "title"): 24, ("view", "submit"): 24, ("view", "close"): 24,
    ("button", "text"): 75, ("option", "text"): 75, ("option", "description"): 75,
    ("header", "text"): 150, ("*", "placeholder"): 150,
    ("confirm", "title"): 100, ("confirm", "text"): 300, ("confirm", "confirm"): 30, ("confirm", "deny"): 30,
    ("input", "label"): 2000, ("input", "hint"): 2000, ("section", "text"): 3000, ("field", "text"): 2000,
    ("context", "text"): 2000, ("message", "text"): 4000,
}


def _is_text(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str)


def _kind(node: dict[str, Any], key: str) -> str:
    """What a dict is, for LIMITS: a view, a confirm dialog, an option, or a block/element by its type."""
    if node.get("type") in ("modal", "home"):
        return "view"
    if key == "confirm":
        return "confirm"
    if key in ("options", "initial_option"):
        return "option"
    return str(node.get("type") or key)


def texts_with_limits(node: Any, kind: str = "message") -> Iterator[tuple[str, str, int]]:
    """(where, text, limit) for every limited text in a rendered view, message or (text, blocks) pair."""
    if isinstance(node, tuple | list):
        for item in node:
            if isinstance(item, str):
                yield "message.text", item, LIMITS["message", "text"]
            elif isinstance(item, dict):
                yield from texts_with_limits(item, _kind(item, kind))
            else:
                yield from texts_with_limits(item, kind)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        limit = LIMITS.get((kind, key)) or LIMITS.get(("*", key))
        if _is_text(value) or isinstance(value, str):
            text = value["text"] if isinstance(value, dict) else value
            if limit and key != "type":
                yield f"{kind}.{key}", text, limit
        elif isinstance(value, dict):
            yield from texts_with_limits(value, _kind(value, key))
        elif isinstance(value, list):
            for item in value:
                if _is_text(item):  # context elements and section fields are bare text objects
                    owner = "field" if key == "fields" else kind
                    yield f"{owner}.text", item["text"], LIMITS.get((owner, "text"), 3000)
                elif isinstance(item, dict):
                    yield from texts_with_limits(item, _kind(item, key))


def _catalog_texts() -> set[str]:
    found: set[str] = set()
    for language in available_languages():
        if language != "en":
            for message in _catalog(language):
                found.update(_strings(message))
                found.update([message.id] if isinstance(message.id, str) else message.id)
    return {t for t in found if t}


CATALOG_TEXTS = _catalog_texts()


def check(rendered: Any, what: str) -> None:
    """Fail on a text over its Slack limit, or one that is a catalog string cut to fit."""
    top = _kind(rendered, "message") if isinstance(rendered, dict) else "message"
    for where, text, limit in texts_with_limits(rendered, top):
        assert len(text) <= limit, f"{what}: {where} has {len(text)} > {limit} characters: {text!r}"
        cut = [full for full in CATALOG_TEXTS
               if len(text) >= limit and len(full) > len(text) and full.startswith(text)]
        assert not cut, f"{what}: {where} was cut to {limit} characters: {cut[0]!r}"


def sample(**changes: Any) -> ProblemSnapshot:
    """A problem with long, realistic content, so the texts around it are measured at their worst."""
    base = ProblemSnapshot(
        id=123456, partnership_id=1, partnership_name="深圳职业技术大学–华为技术有限公司校企合作项目",
        channel_id="C0PARTNER",
        timezone="Asia/Shanghai", language="en", intern_name="欧阳娜娜" * 10, student_id="S2024001" * 4,
        category=Category.PAY, severity=Severity.P1, status=ProblemStatus.OPEN, description="工资被拖欠" * 600,
        occurred_on=date(2027, 3, 5), actions_taken="已与企业人事沟通" * 300, reporter="U0TEACHER",
        teacher="U0TEACHER", mentor="U0MENTOR", created_at=datetime(2027, 3, 5, 1, 0, tzinfo=UTC),
        acknowledged_by=None, acknowledged_at=None, resolved_by=None, resolved_at=None, resolution=None,
        update_count=0, coordinators=("U0COORDS", "U0COORDE"))
    return replace(base, **changes)


def every_problem_state() -> Iterator[ProblemSnapshot]:
    for category in Category:
        for severity in Severity:
            yield sample(category=category, severity=severity)
    now = datetime(2027, 3, 6, tzinfo=UTC)
    yield sample(status=ProblemStatus.ACKNOWLEDGED, acknowledged_by="U0MENTOR", acknowledged_at=now, update_count=1)
    yield sample(status=ProblemStatus.RESOLVED, resolved_by="U0COORDS", resolved_at=now, resolution="已解决" * 900,
                 update_count=2)
    yield sample(status=ProblemStatus.REOPENED, update_count=3)


LANGUAGES = available_languages()


@pytest.fixture(params=LANGUAGES)
def t(request: pytest.FixtureRequest) -> Translator:
    return translator(request.param)


def test_modals_fit(t: Translator) -> None:
    check(forms.report_modal(t, date(2027, 3, 5)), "report modal")
    for callback in (ProblemCallback.UPDATE, ProblemCallback.RESOLVE):
        check(forms.note_modal(callback, 1, t, intern="欧阳娜娜 (S2024002)" * 20), f"{callback} modal")


def test_channel_messages_thread_notes_and_dms_fit(t: Translator) -> None:
    for p in every_problem_state():
        text, blocks = messages.channel_message(p, t, mention_people=("U0MENTOR", "U0TEACHER"))
        check({"text": text, "blocks": blocks}, f"channel message {p.status} {p.severity} {p.category}")
        check(messages.supervisor_dm(p, t), "supervisor DM")
        check(messages.coordinator_alert(p, t), "coordinator alert")
        for kind in EventKind:
            check(messages.thread_note(kind, "U0MENTOR", "说明" * 2000, t), f"thread note {kind}")
            check(messages.reporter_notice(p, kind, "U0MENTOR", t), f"reporter notice {kind}")


def test_home_help_status_and_refusals_fit(t: Translator) -> None:
    join = how_to_get_added(t)
    for coordinator in (True, False):
        for page in (0, 3):
            for choice in (None, *LANGUAGES):
                home = home_view(full_home(coordinator=coordinator, page=page, language_choice=choice), t,
                                 how_to_join=join)
                check(home, f"home (coordinator={coordinator}, page={page})")
                assert len(home["blocks"]) <= 100 and home["blocks"][-1]["block_id"] == "language"
        data = full_home(coordinator=coordinator)
        check({"type": "section", "text": {"type": "mrkdwn", "text": help_text(t, data, how_to_join=join)}}, "help")
        status = status_blocks(data, t)
        check(status, "status")
        assert len(status) <= 50
    check(home_view(None, t, how_to_join=join), "home for someone on no roster")
    check({"type": "section", "text": {"type": "mrkdwn", "text": help_text(t, None, how_to_join=join)}}, "help")
    for error in (NotOnRoster("U1"), NotAllowed("x"), NotFound("x"), InvalidTransition("resolved")):
        check({"type": "section", "text": {"type": "mrkdwn", "text": refusal(error, t)}}, f"refusal {error!r}")


def test_the_checker_catches_what_it_should() -> None:
    too_long = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": []}
    with pytest.raises(AssertionError, match=r"view\.title has 25 > 24"):
        check(too_long, "demo")
    button = {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x" * 76}}]}
    with pytest.raises(AssertionError, match=r"button\.text has 76 > 75"):
        check({"blocks": [button]}, "demo")
    long_label = next(text for text in CATALOG_TEXTS if len(text) > 30)
    cut = {"type": "modal", "title": {"type": "plain_text", "text": long_label[:24]}, "blocks": []}
    with pytest.raises(AssertionError, match="was cut to 24"):
        check(cut, "demo")
    option = {"type": "static_select", "options": [{"text": {"type": "plain_text", "text": "y" * 80}, "value": "v"}]}
    with pytest.raises(AssertionError, match=r"option\.text has 80 > 75"):
        check({"type": "section", "accessory": option}, "demo")
