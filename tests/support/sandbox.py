"""The sandbox's page API from Python: what the page's JavaScript does, as a JSON client."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from bot.devtools.sandbox import Sandbox


class PageApi:
    """What the page's JavaScript does, from Python: GET the state, POST actions."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.base = sandbox.url.rstrip("/")

    def raw(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], bytes]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method="GET" if body is None else "POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers.items()), err.read()

    def get(self, path: str = "/sandbox/api/state") -> dict[str, Any]:
        status, _, body = self.raw(path)
        assert status == 200, body
        return dict(json.loads(body))

    def post(self, name: str, body: dict[str, Any] | None = None, *, status: int = 200) -> dict[str, Any]:
        got, _, raw = self.raw(f"/sandbox/api/{name}", body or {})
        assert got == status, raw
        return dict(json.loads(raw))

    def state(self) -> dict[str, Any]:
        return self.get()

    def until(self, check: Callable[[dict[str, Any]], Any], timeout: float = 10.0) -> dict[str, Any]:
        """The state once `check(state)` holds (the app works after its ack, as with Slack)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if check(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s; state: {json.dumps(state)[:2000]}")
            time.sleep(0.05)
