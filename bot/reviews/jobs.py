"""The review pack's part of the every-15-minutes `reminders` job: the pack into each quarterly meeting's
announcement thread, a few days before it (bot.reviews.service.PACK_LEAD), once per meeting and start; and the
quarter's pack in the thread of the quarter-end digest, once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from scheduler.spec import JobSpec, Reminder

if TYPE_CHECKING:
    from bot.container import Services


def attach_packs(services: Services, now: datetime) -> int:
    return services.reviews.attach_to_meetings(now)


JOBS: tuple[JobSpec, ...] = ()
def attach_to_digests(services: Services, now: datetime) -> int:
    return services.reviews.attach_to_quarter_digests(now)


REMINDERS = (Reminder("review-packs", attach_packs), Reminder("review-packs-digest", attach_to_digests))
