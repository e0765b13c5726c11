"""The sandbox running in-process on a free port, and a JSON client for its page API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.devtools.sandbox import Sandbox
from bot.storage.db import Database
from tests.support.sandbox import PageApi


@pytest.fixture
def sandbox(db: Database) -> Iterator[Sandbox]:
    with Sandbox(port=0, database_url=db.url) as running:
        yield running


@pytest.fixture
def page_api(sandbox: Sandbox) -> PageApi:
    return PageApi(sandbox)
