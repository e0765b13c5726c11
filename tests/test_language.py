"""Which language each person and channel gets, end to end: choice, Slack locale, partnership default."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_requests import fill
from bot.home.views import FOLLOW_SLACK, HOME_LANGUAGE
from bot.i18n.language import SlackLocales
from bot.problems.ids import ProblemActionId
from models.audit import AuditEntry
from models.roster import Partnership, Person
from tests.support.harness import COORD_SCHOOL, MENTOR, TEACHER, Harness
from tests.support.slack import BOT_TOKEN, text_of


def _set(h: Harness, model: Any, where: Any, **values: Any) -> None:
    with h.db.transaction() as session:
        session.execute(update(model).where(where).values(**values))


def _home(h: Harness, user: str) -> dict[str, Any]:
    h.deliver()
    return h.fake.home(user)


def _home_texts(view: dict[str, Any]) -> str:
    return "\n".join(text_of(block) for block in [{"blocks": view["blocks"]}])


def test_slack_locales_are_cached_and_failures_fall_back() -> None:
    now = [0.0]
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.users["U0ZH"] = {"id": "U0ZH", "locale": "zh-CN"}
        fake.users["U0EN"] = {"id": "U0EN", "locale": "en-US"}
        fake.users["U0FR"] = {"id": "U0FR", "locale": "fr-FR"}
        locales = SlackLocales(WebClient(token=BOT_TOKEN, base_url=fake.url), ttl=60, failure_ttl=5,
                               clock=lambda: now[0])
        assert locales.peek("U0ZH") is None  # nothing asked yet, and peek never asks
        assert locales.get("U0ZH") == "zh_CN" and locales.get("U0ZH") == "zh_CN"
        assert locales.peek("U0ZH") == "zh_CN"
        assert locales.get("U0EN") == "en" and locales.get("U0FR") is None
        calls = fake.calls_to("users.info")
        assert len(calls) == 3 and calls[0].args["include_locale"] in (True, "true", "1")

        fake.fail("users.info", status=500)
        assert locales.get("U0NEW") is None  # Slack trouble: no error, just "unknown"
        now[0] = 3.0
        assert locales.get("U0ZH") == "zh_CN" and locales.get("U0NEW") is None  # both still cached
        assert len(fake.calls_to("users.info")) == 4
        now[0] = 30.0
        assert locales.get("U0ZH") == "zh_CN" and locales.get("U0NEW") is None  # a failure is retried sooner
        assert len(fake.calls_to("users.info")) == 5
        now[0] = 61.0
        assert locales.get("U0ZH") == "zh_CN"  # and a success after its TTL
        assert len(fake.calls_to("users.info")) == 6


def test_a_person_with_a_chinese_slack_gets_the_chinese_modal_and_errors(harness: Harness) -> None:
    h = harness
    h.fake.users[TEACHER] = {"id": TEACHER, "locale": "zh-CN"}
    view = h.open_modal("/intern-issue", TEACHER)
    assert view["title"]["text"] == "上报实习问题" and view["submit"]["text"] == "提交"
    severity = next(b for b in view["blocks"] if b["block_id"] == "severity")
    assert severity["element"]["options"][0]["text"]["text"] == "P1 – 紧急"
    later = (date.today() + timedelta(days=2)).isoformat()
    values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "category": "pay", "severity": "p3",
                         "description": "工资被拖欠两个月", "occurred_on": later})
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert body["errors"] == {"occurred_on": "日期不能晚于今天。"}
    h.open_modal("/intern-issue", TEACHER)
    assert len(h.fake.calls_to("users.info")) == 1  # the locale is cached, not asked per request


def test_a_chinese_partnership_posts_in_chinese_and_each_dm_follows_its_reader(harness: Harness) -> None:
    h = harness
    _set(h, Partnership, Partnership.channel_id == "C0PARTNER", language="zh_CN")
    _set(h, Person, Person.slack_user_id == MENTOR, locale="en")  # the mentor chose English
    h.report(TEACHER, category="safety", severity="p1", description="右手被机器划伤")
    h.deliver()
    [post] = h.channel_messages()
    shown = text_of(post)
    assert "P1 – 紧急" in shown and "安全生产或人身伤害" in shown and "待受理" in shown and "发生日期" in shown
    assert "Open" not in shown and "年" in shown and "（周" in shown  # the date too is written the Chinese way
    [mentor_dm] = h.dms_to(MENTOR)
    assert "reported a problem about your intern" in mentor_dm and "P1 – Critical" in mentor_dm
    [coordinator_alert] = h.dms_to(COORD_SCHOOL)  # no choice, Slack locale unknown: the partnership's language
    assert "需立即处理" in coordinator_alert

    h.click(MENTOR, ProblemActionId.ACKNOWLEDGE, post)
    h.deliver()
    [post] = h.channel_messages()
    assert f"<@{MENTOR}> 已受理" in text_of(post)
    [note] = h.thread(post["ts"])
    assert "已受理此问题" in text_of(note)


def test_the_app_home_language_picker_changes_the_persons_language(harness: Harness) -> None:
    h = harness
    h.fake.users[TEACHER] = {"id": TEACHER, "locale": "en-US"}
    opened = {"type": "app_home_opened", "user": TEACHER, "channel": "D0TEACHER", "tab": "home"}
    assert h.slack.event(opened).status == 200
    view = _home(h, TEACHER)
    picker = next(b for b in view["blocks"] if b.get("block_id") == "language")["accessory"]
    assert [o["text"]["text"] for o in picker["options"]] == ["English", "简体中文", "Use my Slack language"]
    assert picker["initial_option"]["value"] == FOLLOW_SLACK and "Your open problems" in _home_texts(view)

    def choose(value: str) -> dict[str, Any]:
        chosen = next(o for o in picker["options"] if o["value"] == value)
        reply = h.slack.block_action(user_id=TEACHER, action_id=HOME_LANGUAGE, block_id="language", channel_id=None,
                                     view=view, selected_option=chosen)
        assert reply.status == 200
        h.settle()
        return _home(h, TEACHER)

    view = choose("zh_CN")
    picker = next(b for b in view["blocks"] if b.get("block_id") == "language")["accessory"]
    assert "您的待处理问题" in _home_texts(view) and picker["initial_option"]["value"] == "zh_CN"
    assert picker["options"][2]["text"]["text"] == "使用我的 Slack 语言"
    assert h.services.translator_for(TEACHER).language == "zh_CN"  # the choice beats the Slack locale

    view = choose(FOLLOW_SLACK)
    assert "Your open problems" in _home_texts(view)
    with h.db.session() as session:
        assert session.scalar(select(Person.locale).where(Person.slack_user_id == TEACHER)) is None
        audited = session.execute(select(AuditEntry.before, AuditEntry.after)
                                  .where(AuditEntry.action == "person.language").order_by(AuditEntry.id)).all()
    assert [tuple(row) for row in audited] == [({"locale": None}, {"locale": "zh_CN"}),
                                               ({"locale": "zh_CN"}, {"locale": None})]


def test_a_forged_language_changes_nothing(harness: Harness) -> None:
    h = harness
    forged = {"text": {"type": "plain_text", "text": "x"}, "value": "xx_YY"}
    reply = h.slack.block_action(user_id=TEACHER, action_id=HOME_LANGUAGE, block_id="language", channel_id=None,
                                 view={"id": "V1", "type": "home"}, selected_option=forged)
    assert reply.status == 200
    h.settle()
    with h.db.session() as session:
        assert session.scalar(select(Person.locale).where(Person.slack_user_id == TEACHER)) is None
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "person.language")) is None


def test_without_a_choice_or_slack_locale_the_partnership_language_applies(harness: Harness) -> None:
    h = harness
    h.fake.fail("users.info", status=500, times=5)
    _set(h, Partnership, Partnership.channel_id == "C0PARTNER", language="zh_CN")
    assert h.services.translator_for(TEACHER).language == "zh_CN"
    assert h.services.translator_for("U0NOBODY").language == "en"  # on no roster: English
