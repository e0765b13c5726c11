"""The sandbox's page API from Python: what the page's JavaScript does, as a JSON client."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.devtools.sandbox import Sandbox
from bot.devtools.sandbox_workspaces import INSTALL_START
from tests.support.installs import get


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


class _AllowForm(HTMLParser):
    """The fields of the fake Slack's Allow page: its hidden inputs, the workspace picker's chosen option."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.workspaces: dict[str, str] = {}  # option value → label
        self._select: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = found.get("action", "")
        elif tag == "input" and found.get("type") == "hidden":
            self.fields[found["name"]] = found.get("value", "")
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and self._select:
            self._option = found["value"]
            if "selected" in found:
                self.fields[self._select] = found["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self.workspaces[self._option] = self.workspaces.get(self._option, "") + data


def add_to_slack(sandbox: Sandbox, team: str) -> AllowPage:
    """The page's "Add to Slack" for `team`, as a browser follows it: the sandbox's /sandbox/install → the app's
    /slack/install (a state cookie) → the fake Slack's Allow page (its form read) → "Allow" → the app's
    /slack/oauth_redirect with the code and the cookie → back to the sandbox's page."""
    status, headers, _ = get(sandbox.url.rstrip("/") + f"{INSTALL_START}?team={team}")
    assert status == 302, status
    status, headers, body = get(headers["location"])
    assert status == 302, body
    cookie = headers["set-cookie"].split(";", 1)[0]
    authorize = urlsplit(headers["location"])
    status, _, page = get(headers["location"])
    assert status == 200, page
    form = _AllowForm()
    form.feed(page)
    assert form.action == authorize.path, form.action
    query = urlencode({**form.fields, "allow": "1"})
    status, headers, body = get(f"{authorize.scheme}://{authorize.netloc}{form.action}?{query}")
    assert status == 302, body
    status, headers, body = get(headers["location"], {"Cookie": cookie})
    return AllowPage(workspaces=form.workspaces, chosen=form.fields.get("team", ""), status=status,
                     location=headers.get("location", ""), body=body)


@dataclass(frozen=True)
class AllowPage:
    """What the installer saw on the Allow page, and where the app's redirect page sent them."""

    workspaces: dict[str, str]
    chosen: str
    status: int
    location: str
    body: str
