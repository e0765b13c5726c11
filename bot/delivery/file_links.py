"""Signed, expiring download links for files Slack could not put in a person's DM (bot.delivery.fallback).

A link is `/files/<held id>.<expiry, Unix seconds>.<signature>`: the signature is HMAC-SHA256 of the id and the
expiry under the server's key (COOPBOT_FILE_LINK_SECRET, else SLACK_SIGNING_SECRET), URL-safe base64. It is
compared in constant time; a tampered, expired or unknown link gets 403 or 404, never the file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

FILES_PATH = "/files/"
LINK_LIFETIME = timedelta(days=7)


class LinkRefused(Exception):
    """The link is not one we signed, or it has expired (args[0]: "tampered" or "expired")."""


def _signature(key: bytes, held_id: int, expires: int) -> str:
    digest = hmac.new(key, f"file:{held_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign(key: bytes, held_id: int, now: datetime, lifetime: timedelta = LINK_LIFETIME) -> str:
    """The path of a link to held message `held_id`'s file, valid for `lifetime` from `now`."""
    expires = int((now + lifetime).timestamp())
    return f"{FILES_PATH}{held_id}.{expires}.{_signature(key, held_id, expires)}"


def verify(key: bytes, token: str, now: datetime) -> int:
    """The held message id a link's token (what follows /files/) names; LinkRefused if not ours or expired."""
    parts = token.split(".")
    # ASCII digits only, and not too many: str.isdigit() takes "²", which int() refuses (a 500, not a 403)
    if len(parts) != 3 or not all(re.fullmatch(r"[0-9]{1,12}", part) for part in parts[:2]):
        raise LinkRefused("tampered")
    held_id, expires = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(_signature(key, held_id, expires).encode(), parts[2].encode()):
        raise LinkRefused("tampered")
    if now.timestamp() > expires:
        raise LinkRefused("expired")
    return held_id


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes

    @property
    def content_type(self) -> str:
        lower = self.filename.lower()
        if lower.endswith(".pdf"):
            return "application/pdf"
        if lower.endswith(".ics"):
            return "text/calendar; charset=utf-8"
        return "application/octet-stream"

    @property
    def disposition(self) -> str:
        """attachment, with the name in ASCII for old clients and in UTF-8 (RFC 6266/5987) for the rest."""
        ascii_name = "".join(c for c in self.filename.encode("ascii", "replace").decode() if c.isprintable())
        ascii_name = ascii_name.replace('"', "'").replace("?", "_").replace("\\", "_")  # no header can be split
        return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(self.filename, safe='')}"
