"""The builders that once cut a long text with a plain slice (`text[:3000]`, `escape(name)[:2000]`): they cut
it the one way every other builder does (`bot.slack.text.cut_at`), between words, never inside an entity."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from bot.admin.forms import menu_modal
from bot.admin.service import PartnershipChoice
from bot.home.followups import EvaluationItem, Followups, followup_blocks
from bot.i18n.catalog import translator
from bot.internships.labels import CRITERIA
from bot.internships.snapshot import EvaluationSnapshot
from models.internship import Grade
from tests.support.i18n import check

BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def _texts(blocks: Any) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


def test_a_long_evaluation_on_app_home_fits_and_splits_no_entity() -> None:
    """The name and the comments are cut before they are put together (`evaluation_lines`); the whole stays
    within a section once put together."""
    t = translator("en")
    evaluation = EvaluationSnapshot(intern_id=1, grades=dict.fromkeys(CRITERIA, Grade.GOOD),
                                    comments="认真 & 踏实 " * 400, certificate_issued=True, evaluator="U0MENTOR",
                                    evaluator_name="李强", evaluated_at=datetime(2027, 7, 2, tzinfo=UTC))
    followups = Followups(compliance=(), compliance_total=0, keeps_checklists=True, evaluations=(
        EvaluationItem(name="欧阳娜娜 & Co " * 30, student_id="S2024002", end_date=date(2027, 6, 30),
                       evaluation=evaluation),))
    blocks = followup_blocks(followups, t)
    check(blocks, "follow-ups")
    [text] = [text for text in _texts(blocks) if text.startswith("*欧阳娜娜")]
    assert len(text) <= 3000 and not BROKEN_ENTITY.search(text), text[-40:]
    assert "踏实 认真…\nInternship certificate issued." in text  # the comments cut after a whole word


def test_a_long_partnership_name_in_the_admin_menu_is_cut_between_words() -> None:
    t = translator("en")
    name = "Shenzhen Polytechnic & Huawei <joint> programme " * 60
    modal = menu_modal(t, [PartnershipChoice(id=1, name=name, channel_id="C0PARTNER")])
    check(modal, "admin menu")
    [text] = [text for text in _texts(modal["blocks"]) if "Shenzhen" in text]
    assert not BROKEN_ENTITY.search(text), text
    shown = json.dumps(text, ensure_ascii=False)
    assert re.search(r"(programme|Polytechnic|&amp;|Huawei|&lt;joint&gt;)…\* · <#C0PARTNER>", text), shown[-80:]
