"""The production HTTP server behind `coopbot serve`.

Waitress, because it is a threaded, production-grade WSGI server that keeps everything in one process,
so the in-process outbox worker and scheduler keep running beside the request threads. Routing is a
handful of fixed paths, so it is written out here rather than pulling in a web framework.

Requests are never logged: their bodies and headers carry tokens and personal data.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App
from waitress import wasyncore
from waitress.server import BaseWSGIServer, TcpWSGIServer, create_server

from bot.delivery.file_links import FILES_PATH, Download, LinkRefused
from bot.errors import NotFound
from bot.observability import Metrics, new_request_id, request_id
from bot.serving.request_guard import RequestGuard
from bot.serving.slack_body import PARSED_BODY, SlackWsgiHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
else:
    StartResponse = WSGIApplication = WSGIEnvironment = Any

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
MAX_BODY_BYTES = 1024 * 1024  # Slack payloads are a few KiB; anything near this is not Slack
SHUTDOWN_GRACE_SECONDS = 10.0  # Slack retries after 3 s anyway; long enough for in-flight acks to finish
_LOOP_TICK_SECONDS = 0.2  # how often the server loop notices a stop request

Health = Callable[[], tuple[bool, dict]]
_ALLOWED = {EVENTS_PATH: ("POST",), HEALTH_PATH: ("GET", "HEAD"), METRICS_PATH: ("GET",)}


def _json(start_response: StartResponse, status: str, payload: dict,
          extra: list[tuple[str, str]] | None = None, *, head: bool = False) -> list[bytes]:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               ("Cache-Control", "no-store"), *(extra or [])]
    start_response(status, headers)
    return [] if head else [body]


def _declared_length(environ: WSGIEnvironment) -> int | None:
    """The request's Content-Length, or None when it is missing or not a number."""
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def build_wsgi_app(bolt_app: App, health: Health, metrics: Metrics | None = None,
                   guard: RequestGuard | None = None,
                   downloads: Callable[[str], Download] | None = None) -> WSGIApplication:
    """The WSGI callable: Slack's requests go to Bolt (which verifies their signatures), `/healthz` to
    the health check, `/metrics` to Prometheus, in OAuth mode `/slack/install` and `/slack/oauth_redirect`
    to Bolt's OAuth flow; everything else is refused without being read."""
    slack = SlackWsgiHandler(bolt_app, path=EVENTS_PATH)  # bodies parsed by key (bot.serving.slack_body)
    metrics = metrics or Metrics()
    allowed_paths = dict(_ALLOWED)
    if bolt_app.oauth_flow is not None:  # OAuth mode: Bolt's install and redirect pages (bot.serving.app)
        allowed_paths |= {bolt_app.oauth_flow.install_path: ("GET",), bolt_app.oauth_flow.redirect_uri_path: ("GET",)}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        token = request_id.set(new_request_id())
        started = time.perf_counter()
        status_seen: list[str] = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            status_seen.append(status.split(" ", 1)[0])
            return start_response(status, [*headers, ("X-Request-Id", request_id.get())], *args)

        try:
            return route(environ, recording_start_response)
        finally:
            path = environ.get("PATH_INFO", "")
            known = path if path in allowed_paths else FILES_PATH if path.startswith(FILES_PATH) else "other"
            metrics.responses.labels(known, status_seen[0] if status_seen else "none").inc()
            if path == EVENTS_PATH:
                metrics.ack_seconds.observe(time.perf_counter() - started)
            request_id.reset(token)

    def route(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if path.startswith(FILES_PATH) and downloads is not None and method in ("GET", "HEAD"):
            return _download(downloads, path.removeprefix(FILES_PATH), start_response, head=method == "HEAD")
        allowed = allowed_paths.get(path)
        if allowed is None:
            return _json(start_response, "404 Not Found", {"error": "not found"})
        if method not in allowed:
            return _json(start_response, "405 Method Not Allowed", {"error": "method not allowed"},
                         [("Allow", ", ".join(allowed))])
        if path == HEALTH_PATH:
            return _health_response(health, start_response, head=method == "HEAD")
        if path == METRICS_PATH:
            body = metrics.render()
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
            return [body]
        if path != EVENTS_PATH:  # the OAuth pages: a browser's GET, no body, verified by Bolt's state check
            return slack(environ, start_response)
        length = _declared_length(environ)
        if length is None:
            return _json(start_response, "400 Bad Request", {"error": "bad content-length"})
        if length > MAX_BODY_BYTES:
            # Refused on the declared size alone: the body is never read into memory.
            return _json(start_response, "413 Request Entity Too Large", {"error": "request body too large"})
        if guard is not None:
            body = environ["wsgi.input"].read(length) if length else b""
            admitted = guard(body, {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items()
                                    if k.startswith("HTTP_")} | {"content-type": environ.get("CONTENT_TYPE", "")})
            if isinstance(admitted, int):
                return _json(start_response, "401 Unauthorized" if admitted == 401 else "400 Bad Request",
                             {"error": "invalid signature" if admitted == 401 else "malformed request"})
            environ["wsgi.input"] = io.BytesIO(body)
            environ[PARSED_BODY] = admitted  # Bolt's request takes the guard's parse (bot.serving.slack_body)
        return slack(environ, start_response)

    return app


def _download(downloads: Callable[[str], Download], token: str, start_response: StartResponse, *,
              head: bool) -> list[bytes]:
    """A signed link's file (bot.delivery.file_links): 403 if tampered or expired, 404 if it is gone."""
    try:
        found = downloads(token)
    except LinkRefused as exc:
        return _json(start_response, "403 Forbidden", {"error": f"link {exc.args[0]}"})
    except NotFound:
        return _json(start_response, "404 Not Found", {"error": "not found"})
    start_response("200 OK", [("Content-Type", found.content_type), ("Content-Length", str(len(found.content))),
                              ("Content-Disposition", found.disposition), ("Cache-Control", "private, no-store"),
                              ("X-Content-Type-Options", "nosniff")])
    return [] if head else [found.content]


def _health_response(health: Health, start_response: StartResponse, *, head: bool) -> list[bytes]:
    try:
        ok, details = health()
    except Exception:
        log.exception("health check raised")
        ok, details = False, {"ok": False, "error": "health check failed"}
    status = "200 OK" if ok else "503 Service Unavailable"
    return _json(start_response, status, details, head=head)


def _create(wsgi_app: WSGIApplication, socket_map: dict, host: str, port: int,
            threads: int) -> TcpWSGIServer:
    server = create_server(
        wsgi_app,
        map=socket_map,
        host=host,
        port=port,
        threads=threads,
        # Waitress refuses oversized bodies at header time too, also for chunked uploads.
        max_request_body_size=MAX_BODY_BYTES,
        expose_tracebacks=False,
        ident="coopbot",
    )
    if not isinstance(server, TcpWSGIServer):  # several listen addresses; we always pass exactly one
        raise ValueError(f"expected one TCP listen address for {host}:{port}")
    return server


def _port(server: TcpWSGIServer) -> int:
    """The port actually bound (port 0 asks the OS for a free one)."""
    return int(server.getsockname()[1])


def _busy(server: BaseWSGIServer, socket_map: dict) -> bool:
    """Whether a request is still running or a finished response still has bytes to send."""
    dispatcher = server.task_dispatcher
    if getattr(dispatcher, "active_count", 0) or getattr(dispatcher, "queue", None):
        return True
    return any(getattr(channel, "total_outbufs_len", 0) or getattr(channel, "requests", None)
               for channel in list(socket_map.values()))


def _run_until_stopped(server: BaseWSGIServer, socket_map: dict, stop: threading.Event,
                       grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
    """Serve until `stop` is set, then stop accepting, let in-flight requests finish and be written
    (the loop thread does the writing, so it must keep turning), and close everything."""
    try:
        while socket_map and not stop.is_set():
            wasyncore.loop(timeout=_LOOP_TICK_SECONDS, map=socket_map, count=1)
        if socket_map:
            wasyncore.dispatcher.close(server)  # the listening socket only; the wake-up trigger stays
            deadline = time.monotonic() + grace
            while socket_map and _busy(server, socket_map) and time.monotonic() < deadline:
                wasyncore.loop(timeout=0.05, map=socket_map, count=1)
    finally:
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        wasyncore.close_all(socket_map)


def serve(wsgi_app: WSGIApplication, *, host: str, port: int, threads: int = 16,
          on_shutdown: Callable[[], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then finish in-flight requests and call `on_shutdown` (which stops
    the outbox worker and scheduler). Blocks; signal handling needs the main thread."""
    socket_map: dict = {}
    server = _create(wsgi_app, socket_map, host, port, threads)
    stop = threading.Event()

    def _request_stop(signum: int, _frame: FrameType | None) -> None:
        # Only set a flag: the loop notices within a tick. Doing more here could deadlock on a lock
        # the interrupted main thread already holds.
        stop.set()

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous: dict[signal.Signals, Any] = {}
    if in_main_thread:
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, _request_stop)
    log.info("coopbot listening on http://%s:%s (%d threads)", host, _port(server), threads)
    try:
        _run_until_stopped(server, socket_map, stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        log.info("coopbot server stopped")
        if on_shutdown is not None:
            on_shutdown()


@dataclass
class RunningServer:
    """A server running on a background thread (tests, the sandbox); `stop()` is idempotent."""

    host: str
    port: int
    _server: BaseWSGIServer = field(repr=False)
    _stop: threading.Event = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = SHUTDOWN_GRACE_SECONDS + 5) -> None:
        if self._stop.is_set():
            self._thread.join(timeout)
            return
        self._stop.set()
        with contextlib.suppress(OSError):  # already closed: the loop is gone
            self._server.pull_trigger()  # wake the loop now rather than at its next tick
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_in_thread(wsgi_app: WSGIApplication, host: str = "127.0.0.1", port: int = 0,
                    threads: int = 16) -> RunningServer:
    """Start serving on a daemon thread and return once the socket is listening (port 0 picks a free one)."""
    socket_map: dict = {}
    server = _create(wsgi_app, socket_map, host, port, threads)
    stop = threading.Event()
    thread = threading.Thread(target=_run_until_stopped, args=(server, socket_map, stop),
                              name=f"coopbot-http-{_port(server)}", daemon=True)
    thread.start()
    return RunningServer(host=host, port=_port(server), _server=server, _stop=stop, _thread=thread)
