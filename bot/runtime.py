"""Running the bot: the pieces `serve` and `socket` start and stop together."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from sqlalchemy import func, select, text

from bot.app import create_app
from bot.container import Services, build_services
from bot.delivery import DeliveryWorker
from bot.executor import TrackedExecutor
from bot.settings import Settings
from models.base import utcnow
from models.delivery import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    services: Services
    app: App
    worker: DeliveryWorker
    listeners: TrackedExecutor

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        """Let listeners finish what they acknowledged, deliver what is in flight, release the database."""
        self.listeners.wait_idle(timeout=10)
        self.worker.stop()
        self.services.db.dispose()

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Database reachable, and how far behind the outbox is."""
        try:
            with self.services.db.session() as session:
                session.execute(text("SELECT 1"))
                pending, oldest = session.execute(
                    select(func.count(), func.min(OutboxMessage.created_at))
                    .where(OutboxMessage.status == OutboxStatus.PENDING)).one()
                parked = session.scalar(select(func.count()).select_from(OutboxMessage)
                                        .where(OutboxMessage.status == OutboxStatus.PARKED))
        except Exception as exc:
            return False, {"status": "error", "database": f"unreachable: {type(exc).__name__}"}
        age = (utcnow() - oldest).total_seconds() if oldest else 0.0
        return True, {"status": "ok", "database": "ok",
                      "outbox": {"pending": int(pending), "parked": int(parked or 0),
                                 "oldest_pending_seconds": round(age, 1)}}


def build_runtime(settings: Settings, services: Services | None = None) -> Runtime:
    services = services or build_services(settings)
    worker = DeliveryWorker(services.db, services.client, max_attempts=settings.coopbot_outbox_max_attempts,
                            poll_seconds=settings.coopbot_outbox_poll_seconds)
    listeners = TrackedExecutor()
    return Runtime(services=services, app=create_app(services, listeners), worker=worker, listeners=listeners)


__all__ = ["Runtime", "build_runtime"]
