"""Waking a delivery worker that runs in another process (`serve --workers`: bot.delivery.process).

A request that commits outbox rows wakes the worker at once (bot.delivery.outbox.Wakeup) when both run in one
process. When the worker has a process of its own, each commit's wake travels as one UDP datagram on loopback:
the conversations it is for, or "anything". A datagram lost costs nothing but time: the worker polls the outbox
every few seconds anyway, and the rows are already committed.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterable

from bot.delivery.outbox import Wakeup

log = logging.getLogger(__name__)

MAX_DATAGRAM = 8192  # a wake for more conversations than fit says "anything" instead


def bound_socket() -> socket.socket:
    """A UDP socket on a free loopback port, made before the processes fork so that all of them know it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock


class WakeSender:
    """Sends a process's committed wakes to the worker's port (bot.delivery.outbox.forward_wakes)."""

    def __init__(self, port: int) -> None:
        self.address = ("127.0.0.1", port)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def __call__(self, woken: Iterable[tuple[str, bool]] | None) -> None:
        data = b"null" if woken is None else json.dumps(sorted(woken)).encode()
        if len(data) > MAX_DATAGRAM:
            data = b"null"
        try:
            self._sock.sendto(data, self.address)
        except OSError as exc:  # the worker's poll finds the rows
            log.debug("outbox wake not sent: %s", exc)


class WakeReceiver:
    """In the worker's process: turns each datagram into a wake of its `Wakeup`."""

    def __init__(self, sock: socket.socket, wakeup: Wakeup) -> None:
        self._sock = sock
        self._wakeup = wakeup
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-wake-receiver", daemon=True)

    def start(self) -> WakeReceiver:
        self._sock.settimeout(0.5)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                data = self._sock.recv(MAX_DATAGRAM + 1)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                decoded = json.loads(data)
                woken = None if decoded is None else {(str(channel), bool(home)) for channel, home in decoded}
            except (ValueError, TypeError):
                woken = None  # not ours to understand: a pass costs little
            self._wakeup.notify(woken)
