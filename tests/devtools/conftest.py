"""Fixtures for the fake Slack's own tests: the real WebClient the app would use (the server, `fake`, is in
tests/conftest.py)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack
from tests.support.slack import BOT_TOKEN


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """No retry handlers, so the failures a test injects surface."""
    return WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[])
