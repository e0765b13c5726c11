"""What the exchange service and its assessment step share: an action's outcome, the refusal for a side that
has already decided, and an exchange as the audit record and the permission matrix see it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import InvalidInput, InvalidTransition
from bot.exchanges.snapshot import ExchangeSnapshot
from bot.permissions import Subject
from models.exchange import Exchange


class AlreadyDecided(InvalidTransition):
    """This side has already decided this round (or assessed): `by` is who did."""

    def __init__(self, by: str) -> None:
        super().__init__("already_decided")
        self.by = by


class Overlaps(InvalidInput):
    """The person already has an exchange in this period (`first`), not rejected or cancelled: one person is
    not in two places at once. Shown on the start date, naming the first."""

    def __init__(self, first: ExchangeSnapshot) -> None:
        super().__init__("start_date", "overlaps")
        self.first = first


@dataclass(frozen=True)
class Outcome:
    """An exchange after an action; `changed` is False when the request had already been handled."""

    exchange: ExchangeSnapshot
    changed: bool


def subject_of(exchange: Exchange) -> Subject:
    return Subject(exchange.partnership_id, exchange=exchange)


def state_of(exchange: Exchange) -> dict[str, object]:
    return {"status": exchange.status, "review_round": exchange.review_round, "person_id": exchange.person_id,
            "direction": exchange.direction, "host_unit": exchange.host_unit, "purpose": exchange.purpose,
            "start_date": exchange.start_date, "end_date": exchange.end_date}
