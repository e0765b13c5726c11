"""The delivery worker in a process of its own, at a lower CPU priority (`serve --workers`).

Slack needs each request acknowledged within 3 s; a channel post can wait seconds (Slack paces it at one a
second per channel anyway). In one process the deliveries a report sets off (its post, DMs, App Home renders)
ran on the same cores, and under the same GIL, as the next requests' acks. Here the request processes only
commit outbox rows and wake this process (bot.delivery.wake_link); it delivers at `nice` +10, so the kernel
gives the requests the CPU first and this process the rest. One per host, with one rate budget for Slack
(two request processes each delivering had two); several hosts coordinate through the database as replicas do
(leases on the rows). The serving process watches it and starts it again if it dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from bot.settings import Settings

log = logging.getLogger(__name__)

NICENESS = 10  # added to the serving process's: requests first
HEARTBEAT_SECONDS = 1.0
STALE_AFTER_SECONDS = 30.0  # no heartbeat for this long: /healthz says delivery has stopped


def _run(settings: Settings, sock: socket.socket, heartbeat: Synchronized[float], refused: Any,
         parent: int) -> None:
    """The delivery process: a worker woken through `sock`, until SIGTERM or its parent is gone."""
    from bot.container import build_services
    from bot.delivery import outbox
    from bot.delivery.wake_link import WakeReceiver
    from bot.serving.runtime import delivery_worker

    for inherited in (signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGTTIN, signal.SIGTTOU,
                      signal.SIGWINCH, signal.SIGCHLD):  # the serving process's (gunicorn's), not ours
        signal.signal(inherited, signal.SIG_DFL)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the serving process decides
    try:
        os.nice(NICENESS)
    except OSError as exc:  # pragma: no cover - a platform without nice
        log.warning("delivery process: could not lower its priority (%s)", exc)
    services = build_services(settings)
    worker = delivery_worker(settings, services, lanes=settings.coopbot_delivery_lanes)
    receiver = WakeReceiver(sock, outbox.wakeup_event()).start()
    worker.start()
    heartbeat.value = time.time()
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            heartbeat.value = time.time()
            refused.value = (worker.token_refused or "").encode()[:63]
            if os.getppid() != parent:  # the serving process died without stopping us
                break
    finally:
        receiver.stop()
        worker.stop()  # after the delivery in flight
        services.db.dispose()


class DeliveryProcess:
    """Started by the serving process before it forks its request workers; started again if it dies.

    A plain `fork`, not `multiprocessing.Process`: gunicorn's workers are forked from the same process and
    would inherit a `Process` and try to join it at exit; and gunicorn's arbiter reaps every child that exits,
    so whether ours lives is asked of the pid itself."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._owner = os.getpid()
        self.socket = _bound_socket()
        self.port = int(self.socket.getsockname()[1])
        context = multiprocessing.get_context("fork")
        self.heartbeat: Synchronized[float] = context.Value("d", 0.0)
        self.token_refused: Any = context.Array("c", 64)
        self.pid: int | None = None
        self._stopping = threading.Event()
        self._watch: threading.Thread | None = None

    def start(self) -> DeliveryProcess:
        self._spawn()
        self._watch = threading.Thread(target=self._watchdog, name="delivery-process-watch", daemon=True)
        self._watch.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then wait for the delivery in flight to finish. Only the process that started it may
        (gunicorn's workers unwind the same stack when they exit)."""
        if os.getpid() != self._owner:
            return
        self._stopping.set()
        if not self.alive():
            return
        assert self.pid is not None
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)

    def alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # reaped already (by gunicorn's arbiter)
            return False
        return done == 0

    def _spawn(self) -> None:
        pid = os.fork()
        if pid == 0:  # the child: deliver, then leave without running any of the parent's code
            code = 0
            try:
                _run(self._settings, self.socket, self.heartbeat, self.token_refused, self._owner)
            except BaseException:
                log.exception("the delivery process failed")
                code = 1
            finally:
                os._exit(code)
        self.pid = pid

    def _watchdog(self) -> None:
        while not self._stopping.wait(1.0):
            if not self.alive() and not self._stopping.is_set():
                log.error("the delivery process (pid %s) exited; starting it again", self.pid)
                time.sleep(1.0)
                if not self._stopping.is_set():
                    self._spawn()


class DeliveryStatus:
    """What a request process can tell of the delivery process, for /healthz (shared memory, no call)."""

    def __init__(self, heartbeat: Synchronized[float], token_refused: Any) -> None:
        self._heartbeat = heartbeat
        self._token_refused = token_refused

    def running(self) -> bool:
        return time.time() - self._heartbeat.value < STALE_AFTER_SECONDS

    def refused(self) -> str | None:
        return self._token_refused.value.decode() or None


def _bound_socket() -> socket.socket:
    from bot.delivery.wake_link import bound_socket

    return bound_socket()
