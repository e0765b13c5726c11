"""Bolt answers at the listener's ack, not at its next 10 ms look (bot.serving.ack_signal, bot.serving.executor).

These check the order of things, never how long they took: the hand-off to the listener pool returns
only once the listener has acknowledged (or ended), so Bolt's polling loop finds the answer in place.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.devtools.slack_requests import SlackRequests
from bot.serving.ack_signal import SignalAcks, SignallingAck
from bot.serving.executor import TrackedExecutor
from bot.serving.server import build_wsgi_app, start_in_thread

SECRET = "ack-signal-secret"
KNOWN_BOLT = ((1, 21), (1, 31))  # at least, below: keep in step with pyproject.toml


@pytest.fixture
def executor() -> Iterator[TrackedExecutor]:
    pool = TrackedExecutor(max_workers=4)
    yield pool
    pool.shutdown(wait=True)


def _marked_request() -> BoltRequest:
    """A request that has been through SignalAcks, as Bolt's dispatch does before any listener."""
    request = BoltRequest(body="", headers={})
    SignalAcks().process(req=request, resp=BoltResponse(status=200), next=lambda: BoltResponse(status=200))
    return request


def test_the_hand_off_returns_once_the_listener_acknowledges(executor: TrackedExecutor) -> None:
    request = _marked_request()
    assert isinstance(request.context.ack, SignallingAck)
    order: list[str] = []
    release, returned = threading.Event(), threading.Event()

    def listener() -> None:
        # Were the hand-off not waiting, it would return while this waits (and the order would show it).
        returned.wait(0.5)
        order.append("acknowledging")
        request.context.ack()
        release.wait(10)  # the slow work after the ack: not waited for
        order.append("slow work done")

    executor.submit(listener)
    order.append("hand-off returned")
    returned.set()
    assert order == ["acknowledging", "hand-off returned"]
    assert request.context.ack.response is not None and request.context.ack.response.status == 200
    release.set()
    assert executor.wait_idle(10)
    assert order[-1] == "slow work done"


def test_a_listener_that_ends_without_acknowledging_releases_the_hand_off(executor: TrackedExecutor) -> None:
    _marked_request()
    order: list[str] = []
    returned = threading.Event()

    def listener() -> None:
        returned.wait(0.5)
        order.append("ended")
        raise RuntimeError("a bug before ack()")

    future = executor.submit(listener)
    order.append("hand-off returned")
    returned.set()
    assert order == ["ended", "hand-off returned"]
    assert isinstance(future.exception(timeout=10), RuntimeError)


def test_hand_offs_not_marked_by_a_request_do_not_wait(executor: TrackedExecutor) -> None:
    """The listener's own hand-offs, and any from a thread no request marked, return at once."""
    request = _marked_request()
    release = threading.Event()
    inner_pending: list[bool] = []

    def listener() -> None:
        inner = executor.submit(release.wait, 10)
        inner_pending.append(not inner.done())  # submit returned while the inner work still waits
        request.context.ack()

    executor.submit(listener)
    assert inner_pending == [True]
    unmarked = executor.submit(release.wait, 10)  # this thread's mark was taken by the first hand-off
    assert not unmarked.done()
    release.set()
    assert executor.wait_idle(10)


def test_over_http_slack_gets_the_acks_answer_while_the_slow_work_goes_on(executor: TrackedExecutor) -> None:
    """Through Bolt and our server: the answer is the ack's (a modal's errors), given before the listener
    ends, and the ack the listener got is the signalling one."""
    app = App(signing_secret=SECRET, listener_executor=executor, client=WebClient(base_url="http://127.0.0.1:9/api/"),
              authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T0001", bot_token="xoxb-x"))
    app.use(SignalAcks())
    release = threading.Event()
    finished: list[str] = []
    acks: list[bool] = []

    @app.view("problem_report")
    def submission(ack: Ack) -> None:
        acks.append(isinstance(ack, SignallingAck))
        ack(response_action="errors", errors={"description": "说明太短"})
        release.wait(10)
        finished.append("slow work")

    server = start_in_thread(build_wsgi_app(app, lambda: (True, {"ok": True})))
    try:
        view = {"id": "V0ACK", "type": "modal", "callback_id": "problem_report", "private_metadata": "", "blocks": []}
        reply = SlackRequests(server.url, SECRET).view_submission(view, {}, user_id="U0TEACHER")
        assert finished == []  # answered before the slow work
        assert reply.status == 200
        assert reply.json() == {"response_action": "errors", "errors": {"description": "说明太短"}}
        assert acks == [True]
    finally:
        release.set()
        server.stop()
    assert executor.wait_idle(10)
    assert finished == ["slow work"]


def test_the_bolt_internals_the_ack_signal_relies_on_are_still_there() -> None:
    """bot.serving.ack_signal works because Bolt's thread runner reads the request's `ack` from its context,
    hands the listener to our executor from the request thread, then polls `ack.response`. An upgrade that
    changes any of this must fail here, loudly, before it silently costs every request 10 ms again — and
    pyproject.toml pins slack-bolt to the versions this was checked against."""
    import inspect
    from importlib.metadata import version

    from slack_bolt.context import BoltContext
    from slack_bolt.listener.thread_runner import ThreadListenerRunner

    installed = version("slack-bolt")
    major_minor = tuple(int(part) for part in installed.split(".")[:2])
    assert KNOWN_BOLT[0] <= major_minor < KNOWN_BOLT[1], f"slack-bolt {installed}: checked for {KNOWN_BOLT}"
    run = inspect.getsource(ThreadListenerRunner.run)
    changed = [what for what, needle in (
        ("the runner reads the request context's ack", "request.context.ack"),
        ("the listener is handed to the listener executor from the request thread", "self.listener_executor.submit("),
        ("the request thread polls ack.response until Slack's deadline", "while ack.response is None"),
    ) if needle not in run]
    assert not changed, f"slack-bolt {installed} changed what bot.serving.ack_signal relies on: {changed}"
    context = BoltContext()
    context["ack"] = marker = object()
    assert context.ack is marker, f"slack-bolt {installed}: BoltContext.ack no longer reads context['ack']"
