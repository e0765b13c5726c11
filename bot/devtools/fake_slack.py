"""A fake Slack Web API on loopback, so tests and the local sandbox exercise real HTTP through slack_sdk.

It answers the handful of methods coopbot uses with Slack's response shapes and error codes, records
every request, and can inject rate limits, server errors and outages on demand.
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.devtools.fake_limits import RateLimits
from bot.devtools.fake_oauth import AUTHORIZE_PATH, FakeOAuth, OAuthError
from bot.devtools.fake_slack_api import METHODS, SlackError, _users_info

JSON_FIELDS = ("blocks", "view", "attachments", "files", "metadata")


@dataclass
class Call:
    """One request the fake received, as the app under test sent it."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def token(self) -> str:
        """The token the call carried (its bearer token, else a `token` argument): which installation made it."""
        bearer = self.headers.get("Authorization", self.headers.get("authorization", ""))
        return bearer.removeprefix("Bearer ") if bearer.startswith("Bearer ") else str(self.args.get("token") or "")


_Failure = tuple[int, str | None, int | None]  # (HTTP status, error code, Retry-After)


@dataclass
class _Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


def _json_reply(data: dict[str, Any], status: int = 200, **headers: str) -> _Reply:
    return _Reply(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), headers)


class FakeSlack:
    """Thread-safe fake of Slack's Web API; give `url` to `WebClient(base_url=...)`."""

    def __init__(self, *, bot_token: str = "xoxb-test-token", bot_user_id: str = "UBOT",  # noqa: S107
                 team_id: str = "T0001", host: str = "127.0.0.1", port: int = 0) -> None:
        self.bot_token, self.bot_user_id, self.team_id = bot_token, bot_user_id, team_id
        self.bot_id = "B" + bot_user_id.removeprefix("U")
        self.host, self.port = host, port
        self.users: dict[str, dict[str, Any]] = {}
        self.not_in_channel: set[str] = set()
        # person → the error Slack answers a DM to them with (conversations.open, chat.postMessage)
        self.refuse_dms: dict[str, str] = {}
        # Slack Connect channels disconnected from this side's organization: frozen, posts refused
        self.frozen: set[str] = set()
        # Block Kit that real Slack would have refused (bot.devtools.fake_blocks): the call fails as it would
        # there, and the harness fails the test that caused it.
        self.refused_blocks: list[tuple[str, list[str]]] = []
        self.views: dict[str, dict[str, Any]] = {}  # every view (modals and App Homes) by its id, as Slack keeps them
        self.homes: dict[str, str] = {}  # person → the id of their App Home view
        self.files: dict[str, dict[str, Any]] = {}
        # Called as observer(method, args, answer) after each successful call (the sandbox watches here).
        self.observers: list[Callable[[str, dict[str, Any], dict[str, Any]], None]] = []
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, list[float]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._down = False
        self.rate_limits: RateLimits | None = None  # Slack's limits, enforced when set (fake_limits.py)
        self._ids = itertools.count(1)
        self.clock_ns: Callable[[], int] = time.time_ns  # when a message is posted (its ts); a test may set it
        self._last_ts = 0  # microseconds of the last message's ts
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # OAuth: workspaces that install the app, and the tokens they were given (bot.devtools.fake_oauth)
        self.oauth = FakeOAuth()
        # (team id, bot user id, bot id) of the installation whose token the call being answered carries
        self._caller: tuple[str, str, str] | None = None

    @property
    def caller(self) -> tuple[str, str, str]:
        """(team id, bot user id, bot id) of whoever makes the call being answered (read under the lock, by the
        methods): an OAuth installation's own bot and workspace, else the fake's."""
        return self._caller or (self.team_id, self.bot_user_id, self.bot_id)

    def start(self) -> FakeSlack:
        """Bind (port 0 picks a free port) and serve from a daemon thread."""
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and release the port."""
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        """Root of the server, without a path."""
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL, with the trailing slash slack_sdk expects."""
        return f"{self.base}/api/"

    def response_url(self, name: str = "r") -> str:
        """A response_url that records what Bolt's respond() posts to it."""
        return f"{self.base}/response/{name}"


    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request received so far."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The requests to one method, oldest first."""
        return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Wait for background work (workers, retries) to reach Slack, instead of sleeping blindly."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_to(method) if where is None or where(c)]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = "\n".join(f"  {c.method} {c.args!r}" for c in self.calls) or "  (none)"
                raise AssertionError(f"expected {count} matching {method} call(s) within {timeout}s, "
                                     f"got {len(found)}; calls seen:\n{seen}")
            time.sleep(0.01)

    def fail(self, method: str, *, status: int = 200, error: str | None = None,
             retry_after: int | None = None, times: int = 1) -> None:
        """Make the next `times` calls of `method` ("*" = any) fail the way Slack does."""
        if status == 200 and error is None:
            raise ValueError("a status-200 failure needs an error code")
        with self._lock:
            self._failures.setdefault(method, []).extend(
                (status, error, retry_after) for _ in range(times))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next `times` calls of `method` ("*" = any) wait `seconds` before Slack acts on them
        (the call still takes effect, even if the caller has gone away meanwhile)."""
        with self._lock:
            self._delays.setdefault(method, []).extend(seconds for _ in range(times))

    def set_down(self, down: bool) -> None:
        """Simulate an outage: while down, connections are dropped without any HTTP response."""
        with self._lock:
            self._down = down

    def recover(self) -> None:
        """Slack is back: failures and delays still queued are dropped, connections answered again."""
        with self._lock:
            self._failures.clear()
            self._delays.clear()
            self._down = False

    def reset(self) -> None:
        """Forget everything recorded, so one server can serve many tests."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._delays.clear()
            self._messages.clear()
            self.views.clear()
            self.homes.clear()
            self.files.clear()
            self._down = False

    def change_channel_id(self, old: str, new: str) -> dict[str, Any]:
        """Slack shares a private channel (`G…` becomes `C…`): its messages and state move to the new id.
        Returns the `channel_id_changed` event Slack then sends."""
        with self._lock:
            self._messages[new] = self._messages.pop(old, [])
            for marks in (self.not_in_channel, self.frozen):
                if old in marks:
                    marks.discard(old)
                    marks.add(new)
        return {"type": "channel_id_changed", "old_channel_id": old, "new_channel_id": new,
                "event_ts": f"{time.time():.6f}"}

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Current state of the messages posted in a channel, updates applied, in posting order."""
        with self._lock:
            return [dict(m) for m in self._messages.get(channel, [])]

    def home(self, user: str) -> dict[str, Any]:
        """The App Home last published for `user`; KeyError if none was."""
        with self._lock:
            if user not in self.homes:
                raise KeyError(f"no App Home was published for {user}")
            return dict(self.views[self.homes[user]])

    def modals(self) -> list[dict[str, Any]]:
        """The modals opened so far (App Homes left out), oldest first."""
        with self._lock:
            return [dict(v) for v in self.views.values() if v.get("type") == "modal"]

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """One posted message; KeyError if it was never posted."""
        for m in self.messages(channel):
            if m["ts"] == ts:
                return m
        raise KeyError(f"no message {ts} in {channel}")

    def add_user_message(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> dict[str, Any]:
        """A message a person typed (the sandbox's message box); the app is not told, as it has no message scope."""
        with self._lock:
            message: dict[str, Any] = {"type": "message", "ts": self._next_ts(), "user": user, "text": text,
                                       "blocks": [], "thread_ts": thread_ts, "edited": False}
            self._messages.setdefault(channel, []).append(message)
        self._notify("user_message", {"channel": channel}, dict(message))
        return dict(message)

    def _notify(self, method: str, args: dict[str, Any], answer: dict[str, Any]) -> None:
        for observer in list(self.observers):
            observer(method, args, answer)

    def _is_down(self) -> bool:
        with self._lock:
            return self._down

    def _record(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> _Failure | None:
        with self._lock:
            self._calls.append(Call(method, args, headers, time.monotonic()))
            for key in (method, "*"):
                if self._failures.get(key):
                    return self._failures[key].pop(0)
        return None

    def _dispatch(self, path: str, args: dict[str, Any], raw: bytes, headers: dict[str, str]) -> _Reply:
        if path.startswith("/response/"):
            args = {**args, "_path": path}
            method = "response_url"
        elif path.startswith("/upload/"):
            method = "file_upload"
        elif path.startswith("/api/"):
            method = path.removeprefix("/api/")
        elif path == AUTHORIZE_PATH:  # the installer's browser, not the app
            with self._lock:
                self._calls.append(Call("oauth.authorize", args, headers, time.monotonic()))
                status, location, text, content_type = self.oauth.authorize(args)
            return _Reply(status, text.encode("utf-8"), location, content_type=content_type)
        else:
            return _Reply(404, b"not found", content_type="text/plain")
        # A call is recorded together with its effect, so whoever waited for the call (wait_for) reads what it
        # did; only an injected delay() shows the call before Slack acts on it, as a slow Slack would.
        with self._lock:
            reply, answer = self._answer(method, path, args, raw, headers)
        if answer is not None:
            self._notify(method, args, answer)
        return reply

    def _answer(self, method: str, path: str, args: dict[str, Any], raw: bytes,
                headers: dict[str, str]) -> tuple[_Reply, dict[str, Any] | None]:
        """The reply to one call, and what to tell the observers (None: nothing). Called holding the lock."""
        failure = self._record(method, args, headers)
        retry_after = self.rate_limits.check(method, args) if self.rate_limits and failure is None else None
        if retry_after is not None:
            return _json_reply({"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": str(retry_after)}), None
        pause = self._take_delay(method)
        if pause:
            self._lock.release()  # Slack has the call and is slow to act on it: let others in meanwhile
            try:
                time.sleep(pause)
            finally:
                self._lock.acquire()
        if failure is not None:
            return _failure_reply(failure), None
        if "_invalid_json" in args:
            return _json_reply({"ok": False, "error": "invalid_json"}), None
        if method == "response_url":
            return _json_reply({"ok": True}), {}
        if method == "file_upload":
            return self._upload(path.removeprefix("/upload/"), raw), None
        if method == "oauth.v2.access":  # the app's client id and secret, no token
            return self._oauth_access(args, headers)
        token = headers.get("Authorization", headers.get("authorization", "")).removeprefix("Bearer ")
        token = token or str(args.get("token", ""))
        if not token:
            return _json_reply({"ok": False, "error": "not_authed"}), None
        if token != self.bot_token:
            issued = self.oauth.tokens.get(token)
            if issued is not None:  # what it posts is its own bot's, in its own workspace
                ws = issued.workspace
                self._caller = (ws.team_id or ws.enterprise_id or self.team_id, ws.bot_user_id,
                                "B" + ws.bot_user_id.removeprefix("U"))
            try:
                return self._installation_answer(method, args, token)
            finally:
                self._caller = None
        impl = METHODS.get(method)
        if impl is None:
            return _json_reply({"ok": False, "error": "unknown_method"}), None
        try:
            answer = impl(self, args)
        except SlackError as exc:
            return _json_reply({"ok": False, "error": exc.args[0]}), None
        return _json_reply({"ok": True, **answer}), answer

    def _oauth_access(self, args: dict[str, Any], headers: dict[str, str]) -> tuple[_Reply, dict[str, Any] | None]:
        try:
            answer = self.oauth.access(args, headers)
        except OAuthError as exc:
            return _json_reply({"ok": False, "error": exc.args[0]}), None
        return _json_reply({"ok": True, **answer}), answer

    def _installation_answer(self, method: str, args: dict[str, Any],
                             token: str) -> tuple[_Reply, dict[str, Any] | None]:
        """A call with the token of an OAuth installation (fake_oauth): auth.test answers for that workspace;
        the other methods as for the fake's own token."""
        try:
            workspace = self.oauth.workspace_of(token)
        except OAuthError as exc:
            return _json_reply({"ok": False, "error": exc.args[0]}), None
        if workspace is None:
            return _json_reply({"ok": False, "error": "invalid_auth"}), None
        impl = self.oauth.auth_test if method == "auth.test" else None
        if impl is not None:
            answer = impl(workspace)
            return _json_reply({"ok": True, **answer}), answer
        general = METHODS.get(method)
        if general is None:
            return _json_reply({"ok": False, "error": "unknown_method"}), None
        try:  # users.info answers as that workspace sees the person (its own people's locale, no one else's)
            answer = (_users_info(self, args, workspace.team_id) if method == "users.info"
                      else general(self, args))
        except SlackError as exc:
            return _json_reply({"ok": False, "error": exc.args[0]}), None
        return _json_reply({"ok": True, **answer}), answer

    def _upload(self, file_id: str, raw: bytes) -> _Reply:
        with self._lock:
            if file_id not in self.files:
                return _Reply(404, b"file not found", content_type="text/plain")
            self.files[file_id]["content"] = raw
        return _Reply(200, f"OK - {len(raw)}".encode(), content_type="text/plain; charset=utf-8")

    def _take_delay(self, method: str) -> float:
        with self._lock:
            for key in (method, "*"):
                if self._delays.get(key):
                    return self._delays[key].pop(0)
        return 0.0

    def _next_ts(self) -> str:
        """A new message's ts, as Slack makes it: the time it was posted (seconds.microseconds), each one
        later than the one before, so a page shows when each message came and orders them by it."""
        with self._lock:
            micros = self._last_ts = max(self.clock_ns() // 1000, self._last_ts + 1)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _find(self, channel: str, ts: str) -> dict[str, Any]:
        for m in self._messages.get(channel, []):
            if m["ts"] == ts:
                return m
        raise SlackError("message_not_found")


def _failure_reply(failure: _Failure) -> _Reply:
    status, error, retry_after = failure
    if status == 429:
        headers = {"Retry-After": str(retry_after or 1)}
        return _json_reply({"ok": False, "error": "ratelimited"}, 429, **headers)
    if status >= 400:
        body = f"<html><body>{status} {error or 'Server Error'}</body></html>".encode()
        return _Reply(status, body, content_type="text/html; charset=utf-8")
    return _json_reply({"ok": False, "error": error})


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Dropped connections are the point of set_down(); don't print their tracebacks."""


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSlack
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.owner._is_down():
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        args: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype and raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = {"_invalid_json": raw.decode("utf-8", "replace")}
            args.update(body if isinstance(body, dict) else {"_body": body})
        elif "x-www-form-urlencoded" in ctype and not parts.path.startswith("/upload/"):
            args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        args = {k: _decode(v) if k in JSON_FIELDS else v for k, v in args.items()}
        reply = self.owner._dispatch(parts.path, args, raw, dict(self.headers.items()))
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


def main(argv: list[str] | None = None) -> None:
    """Run the fake standalone, for the local browser sandbox."""
    parser = argparse.ArgumentParser(description="Fake Slack Web API on loopback")
    for flag, default in (("--host", "127.0.0.1"), ("--port", "8555"), ("--token", "xoxb-test-token"),
                          ("--bot-user-id", "UBOT"), ("--team-id", "T0001")):
        parser.add_argument(flag, default=default, type=int if flag == "--port" else str)
    opts = parser.parse_args(argv)
    fake = FakeSlack(bot_token=opts.token, bot_user_id=opts.bot_user_id, team_id=opts.team_id,
                     host=opts.host, port=opts.port).start()
    print(f"fake Slack Web API at {fake.url} (token {opts.token})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
