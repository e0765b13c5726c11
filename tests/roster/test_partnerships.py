"""Creating and listing partnerships, and the validation of their input."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from bot.errors import CoopError
from bot.roster.partnerships import PartnershipExists, add_partnership, list_partnerships
from bot.storage.db import Database
from models.audit import AuditEntry
from models.roster import Partnership
from models.schemas import PartnershipInput, field_errors


def _input(**overrides: str | None) -> PartnershipInput:
    data: dict[str, str | None] = {
        "name": "深职院–华为", "school": "深圳职业技术大学", "enterprise": "华为技术有限公司",
        "channel_id": "C0123ABCD", "timezone": "Asia/Shanghai",
    }
    data.update(overrides)
    return PartnershipInput.model_validate(data)


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_add_partnership_stores_and_audits(db: Database) -> None:
    created = add_partnership(db, _input(), actor="cli:lead")
    assert created.id is not None and created.name == "深职院–华为" and created.timezone == "Asia/Shanghai"
    with db.session() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.entity_type, entry.entity_id) == (
        "cli:lead", "partnership.create", "partnership", str(created.id))
    assert entry.before is None
    assert entry.after is not None and entry.after["channel_id"] == "C0123ABCD"


def test_duplicate_name_is_refused_and_writes_nothing(db: Database) -> None:
    add_partnership(db, _input())
    with pytest.raises(PartnershipExists, match="already exists") as info:
        add_partnership(db, _input(channel_id="G0999ZZZZ"))
    assert isinstance(info.value, CoopError)
    assert _count(db, Partnership) == 1
    assert _count(db, AuditEntry) == 1


def test_list_partnerships_sorted_by_name(db: Database) -> None:
    add_partnership(db, _input(name="B partnership", timezone=None))
    add_partnership(db, _input(name="A partnership", channel_id="C0456EFGH"))
    listed = list_partnerships(db)
    assert [p.name for p in listed] == ["A partnership", "B partnership"]
    assert listed[1].timezone is None and listed[1].school == "深圳职业技术大学"


def test_a_taken_channel_is_refused_and_writes_nothing(db: Database) -> None:
    add_partnership(db, _input())
    with pytest.raises(PartnershipExists, match="C0123ABCD is already the channel of partnership '深职院–华为'"):
        add_partnership(db, _input(name="深职院–腾讯"))
    assert _count(db, Partnership) == 1
    assert _count(db, AuditEntry) == 1


def test_empty_database_lists_nothing(db: Database) -> None:
    assert list_partnerships(db) == []


def test_input_trims_and_accepts_chinese() -> None:
    data = _input(name="  欧阳职院 ", timezone="  ")
    assert data.name == "欧阳职院" and data.timezone is None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"channel_id": "c0123abcd"}, "channel_id"),
    ({"channel_id": "U0123ABCD"}, "channel_id"),
    ({"channel_id": "C0123-ABC"}, "channel_id"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"school": "深圳\x00职院"}, "school"),
    ({"enterprise": "Evil\u202eCorp"}, "enterprise"),
])
def test_input_rejects(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _input(**overrides)
    assert [f for f, _ in field_errors(info.value)] == [field]
