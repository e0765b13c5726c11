"""The wake from a request process to the delivery process (`serve --workers`): one datagram per commit."""

from __future__ import annotations

from bot.delivery import outbox
from bot.delivery.outbox import Wakeup
from bot.delivery.wake_link import MAX_DATAGRAM, WakeReceiver, WakeSender, bound_socket
from bot.storage.db import Database


def _received(wakeup: Wakeup) -> set[tuple[str, bool]] | None:
    assert wakeup.wait(5), "no wake arrived"
    wakeup.clear()
    return wakeup.take()


def test_a_committed_outbox_row_wakes_the_worker_of_another_process_for_its_conversation(db: Database) -> None:
    sock = bound_socket()
    wakeup = Wakeup()
    receiver = WakeReceiver(sock, wakeup).start()
    outbox.forward_wakes(WakeSender(sock.getsockname()[1]))
    try:
        with db.transaction() as session:
            outbox.post(session, channel="C0PARTNER", text="一份报告")
            outbox.refresh_homes(session, ["U0MENTOR"])
        woken = _received(wakeup)
        assert woken is not None and ("C0PARTNER", False) in woken
        assert any(home for _, home in woken)  # the App Home refresh is said to be one
        with db.transaction() as session:  # a transaction that adds no rows sends nothing
            session.execute(outbox.OutboxMessage.__table__.select())
        assert not wakeup.wait(0.3)
    finally:
        outbox.forward_wakes(None)
        receiver.stop()
        sock.close()


def test_a_wake_too_big_for_a_datagram_or_not_ours_wakes_for_anything() -> None:
    sock = bound_socket()
    wakeup = Wakeup()
    receiver = WakeReceiver(sock, wakeup).start()
    try:
        send = WakeSender(sock.getsockname()[1])
        send({(f"C{n:010d}", False) for n in range(MAX_DATAGRAM // 10)})
        assert _received(wakeup) is None
        send(None)
        assert _received(wakeup) is None
        WakeSender(sock.getsockname()[1])._sock.sendto(b"\xff not json", ("127.0.0.1", sock.getsockname()[1]))
        assert _received(wakeup) is None
    finally:
        receiver.stop()
        sock.close()
