"""Fixtures for the fake Slack's own tests: the server, and the real WebClient the app would use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack

TOKEN = "xoxb-test-token"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """No retry handlers, so the failures a test injects surface."""
    return WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[])
