"""DMs Slack would not deliver, shown to their reader only: "Show details" and the signed file links.

Knows nothing of Slack beyond the blocks it keeps: the handler (handlers/held.py) opens the modal, the server
(bot.serving.server) serves the download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.delivery.file_links import Download, LinkRefused, sign, verify
from bot.errors import NotAllowed, NotFound
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import HeldMessage


@dataclass(frozen=True)
class HeldView:
    text: str
    blocks: list[dict[str, Any]]
    filename: str | None
    link: str | None  # the signed download link of its file (None: no file, or no COOPBOT_PUBLIC_URL to link to)


class HeldMessageService:
    def __init__(self, db: Database, *, key: bytes, public_url: str | None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.key = key
        self.public_url = (public_url or "").rstrip("/") or None
        self.clock = clock

    def show(self, held_id: int, slack_user_id: str) -> HeldView:
        """The held DM, for the person it was for; NotAllowed for anyone else, NotFound if there is none."""
        with self.db.session() as session:
            held = session.get(HeldMessage, held_id)
            if held is None:
                raise NotFound(f"held message {held_id}")
            if held.user != slack_user_id:
                raise NotAllowed("held_message")
            link = None
            if held.filename and held.content is not None and self.public_url and self.key:
                link = self.public_url + sign(self.key, held.id, self.clock())
            return HeldView(held.text, list(held.blocks or []), held.filename, link)

    def download(self, token: str) -> Download:
        """The file a signed link names: LinkRefused (403) if tampered or expired, NotFound (404) if gone."""
        if not self.key:
            raise LinkRefused("tampered")
        held_id = verify(self.key, token, self.clock())
        with self.db.session() as session:
            held = session.get(HeldMessage, held_id)
            if held is None or held.content is None or not held.filename:
                raise NotFound(f"held file {held_id}")
            return Download(held.filename, bytes(held.content))
