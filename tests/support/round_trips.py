"""Round trips to PostgreSQL, counted from libpq's own protocol trace (docs/decisions/0008).

SQLAlchemy's statement events miss what the driver and the pool send by themselves: psycopg's `BEGIN`, the
`COMMIT`, the pool's pre-ping. libpq's trace sees every message; each `ReadyForQuery` the server sends ends
one exchange the client waited for, so they are the round trips.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from psycopg import pq
from sqlalchemy import Engine, event


@dataclass
class Exchanges:
    """What the client sent (one line per message: `Query "BEGIN"`, `Parse …`, `Bind …`), and the round trips."""

    messages: list[str] = field(default_factory=list)
    round_trips: int = 0

    def sent(self, kind: str) -> list[str]:
        """The messages of one kind (`Query`, `Parse`, `Bind`…)."""
        return [m for m in self.messages if m.split("\t", 1)[0].split(" ", 1)[0] == kind]


class ProtocolTrace:
    """Traces `engine`'s PostgreSQL connections while `measure()` runs; connections made from now on are
    watched (the pool is emptied, so every connection is one of them)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connections: list[Any] = []
        self._files: list[tuple[Any, IO[str], Path]] = []
        self._dir = tempfile.TemporaryDirectory()
        self._measuring = False
        event.listen(engine, "connect", self._connected)
        engine.dispose()

    def close(self) -> None:
        event.remove(self.engine, "connect", self._connected)
        self._dir.cleanup()

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        self._connections.append(dbapi_connection)
        if self._measuring:
            self._trace(dbapi_connection)

    def _trace(self, connection: Any) -> None:
        path = Path(self._dir.name) / f"{len(self._files)}.trace"
        out = path.open("w")
        self._files.append((connection, out, path))
        connection.pgconn.trace(out.fileno())
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    @contextmanager
    def measure(self) -> Iterator[Exchanges]:
        """The exchanges of the block, filled in when it ends. Run it while the app is idle: tracing starts
        and stops on connections that may sit in the pool."""
        exchanges = Exchanges()
        self._connections = [c for c in self._connections if not c.closed]
        self._files = []
        self._measuring = True
        for connection in self._connections:
            self._trace(connection)
        try:
            yield exchanges
        finally:
            self._measuring = False
            for connection, out, path in self._files:
                if not connection.closed:
                    connection.pgconn.untrace()  # flushes libpq's buffer
                out.close()
                for line in path.read_text().splitlines():
                    if line.count("\t") < 2:  # a message logged without its fields
                        continue
                    direction, _length, rest = line.split("\t", 2)
                    if direction == "F":
                        exchanges.messages.append(rest.strip())
                    elif rest.startswith("ReadyForQuery"):
                        exchanges.round_trips += 1


@contextmanager
def protocol_trace(engine: Engine) -> Iterator[ProtocolTrace]:
    tracer = ProtocolTrace(engine)
    try:
        yield tracer
    finally:
        tracer.close()
