"""The panel's part of the every-15-minutes `reminders` job: panels whose words changed are updated in place."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.panel.service import refresh_changed_panels
from scheduler.spec import Reminder

if TYPE_CHECKING:
    from bot.container import Services


def refresh_panels(services: Services, now: datetime) -> int:
    """A release that changed the panel's labels, or a partnership's new language, reaches every channel."""
    return refresh_changed_panels(services.db)


REMINDERS = (Reminder("panels", refresh_panels),)
