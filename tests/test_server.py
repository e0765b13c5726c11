"""The production server over real HTTP: routing, limits, and Slack's signature checks through Bolt."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.serving.server import MAX_BODY_BYTES, RunningServer, build_wsgi_app, start_in_thread

SECRET = "s"


class HealthSwitch:
    """A health check the test can flip."""

    def __init__(self) -> None:
        self.ok = True

    def __call__(self) -> tuple[bool, dict]:
        return self.ok, {"ok": self.ok, "database": "up" if self.ok else "down"}


def _fake_web_api(environ: dict, start_response: Callable[..., object]) -> list[bytes]:
    """Stands in for slack.com/api: Bolt's single-workspace authorization calls `auth.test` once."""
    body = json.dumps({"ok": True, "url": "https://t.example/", "team": "T", "user": "coopbot",
                       "team_id": "T1", "user_id": "UBOT", "bot_id": "B1"}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture(scope="module")
def web_api() -> Iterator[RunningServer]:
    running = start_in_thread(_fake_web_api)
    try:
        yield running
    finally:
        running.stop()


def _bolt_app(web_api: RunningServer) -> App:
    # The client carries the token and points Web API calls at the local fake instead of slack.com.
    client = WebClient(token="xoxb-x", base_url=web_api.url + "/api/")
    app = App(signing_secret=SECRET, client=client, token_verification_enabled=False,
              request_verification_enabled=True)

    @app.command("/ping")
    def ping(ack: Ack) -> None:
        ack("pong")

    return app


@pytest.fixture
def health() -> HealthSwitch:
    return HealthSwitch()


@pytest.fixture
def server(health: HealthSwitch, web_api: RunningServer) -> Iterator[RunningServer]:
    running = start_in_thread(build_wsgi_app(_bolt_app(web_api), health))
    try:
        yield running
    finally:
        running.stop()


def _command_body(user: str = "U1") -> str:
    return urlencode({"command": "/ping", "text": "", "user_id": user, "team_id": "T1",
                      "channel_id": "C1", "trigger_id": "1.2.3", "response_url": "https://hooks.example/x"})


def _signature(body: str, ts: str, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def _request(url: str, method: str = "GET", body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(status, content type, body) without raising on error statuses."""
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read().decode()


def _signed_post(server: RunningServer, body: str, *, ts: str | None = None,
                 signature: str | None = None) -> tuple[int, str, str]:
    ts = ts or str(int(time.time()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": signature or _signature(body, ts)}
    return _request(server.url + "/slack/events", "POST", body, headers)


def test_healthz_reports_ok_and_unhealthy(server: RunningServer, health: HealthSwitch) -> None:
    status, ctype, body = _request(server.url + "/healthz")
    assert (status, ctype) == (200, "application/json")
    assert json.loads(body) == {"ok": True, "database": "up"}
    health.ok = False
    status, ctype, body = _request(server.url + "/healthz")
    assert (status, ctype) == (503, "application/json")
    assert json.loads(body) == {"ok": False, "database": "down"}


def test_health_check_that_raises_is_unhealthy(web_api: RunningServer) -> None:
    def broken() -> tuple[bool, dict]:
        raise RuntimeError("db gone")

    with start_in_thread(build_wsgi_app(_bolt_app(web_api), broken)) as running:
        status, _, body = _request(running.url + "/healthz")
    assert status == 503 and json.loads(body)["ok"] is False


def test_unknown_path_is_404_json(server: RunningServer) -> None:
    status, ctype, body = _request(server.url + "/nope")
    assert (status, ctype, json.loads(body)) == (404, "application/json", {"error": "not found"})
    assert _request(server.url + "/nope", "POST", "x")[0] == 404


def test_wrong_method_on_known_path_is_405(server: RunningServer) -> None:
    assert _request(server.url + "/slack/events")[0] == 405
    assert _request(server.url + "/healthz", "POST", "x")[0] == 405


def test_oversized_body_is_refused_before_it_is_sent(server: RunningServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("POST", "/slack/events")
        conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        conn.endheaders()  # the body never follows: the server must answer on the headers alone
        assert conn.getresponse().status == 413
    finally:
        conn.close()


def test_app_refuses_oversized_body_without_reading_it(web_api: RunningServer) -> None:
    """The same guard in the WSGI app itself, for any server in front of it."""

    class Unreadable(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise AssertionError("the body was read")

    captured: list[str] = []
    app = build_wsgi_app(_bolt_app(web_api), HealthSwitch())
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "SERVER_PROTOCOL": "HTTP/1.1",
               "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1), "wsgi.input": Unreadable()}
    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Callable[..., object]:
        captured.append(status)
        return lambda _data: None

    body = b"".join(app(environ, start_response))
    assert captured == ["413 Request Entity Too Large"] and b"too large" in body


def test_signed_slash_command_is_answered(server: RunningServer) -> None:
    status, _, body = _signed_post(server, _command_body())
    assert (status, body) == (200, "pong")


def test_tampered_signature_is_401(server: RunningServer) -> None:
    body = _command_body()
    ts = str(int(time.time()))
    assert _signed_post(server, body, ts=ts, signature=_signature(body, ts, secret="wrong"))[0] == 401
    # A valid signature over a different body does not carry over to this one.
    assert _signed_post(server, _command_body("U2"), ts=ts, signature=_signature(body, ts))[0] == 401


def test_stale_timestamp_is_401(server: RunningServer) -> None:
    body = _command_body()
    stale = str(int(time.time()) - 600)
    assert _signed_post(server, body, ts=stale, signature=_signature(body, stale))[0] == 401


def test_concurrent_signed_requests_all_succeed(server: RunningServer) -> None:
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda i: _signed_post(server, _command_body(f"U{i}")), range(32)))
    assert [(status, body) for status, _, body in results] == [(200, "pong")] * 32


def test_stop_closes_the_port(health: HealthSwitch, web_api: RunningServer) -> None:
    running = start_in_thread(build_wsgi_app(_bolt_app(web_api), health))
    assert _request(running.url + "/healthz")[0] == 200
    running.stop()
    running.stop()  # idempotent
    with pytest.raises(OSError):
        urllib.request.urlopen(running.url + "/healthz", timeout=2)


_SERVE_SCRIPT = """
import logging, sys, time
from bot.serving.server import serve

logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s", force=True)

def slow(environ, start_response):
    time.sleep(1.0)  # still running when SIGTERM arrives
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
    return [b"done"]

serve(slow, host="127.0.0.1", port=0, threads=2, on_shutdown=lambda: print("on_shutdown called", flush=True))
"""


def test_sigterm_finishes_in_flight_requests_then_calls_on_shutdown() -> None:
    proc = subprocess.Popen([sys.executable, "-c", _SERVE_SCRIPT], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))  # type: ignore[union-attr]
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(_request, f"http://127.0.0.1:{port}/slow")
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            assert pending.result(timeout=10)[::2] == (200, "done")
        assert proc.wait(timeout=15) == 0
        assert "on_shutdown called" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
