"""The daily housekeeping job: delivered messages and handled-request records go after their retention;
everything that still says something (undelivered, parked, failed messages) stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select, update

from bot.storage.db import Database
from bot.storage.housekeeping import BATCH, prune
from models.base import utcnow
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, ProcessedRequest
from scheduler.jobs import JOBS, run_job
from tests.support.harness import Harness

RETENTION = timedelta(days=90)


def _message(channel: str, status: OutboxStatus, age: timedelta, **extra: object) -> dict[str, object]:
    at = utcnow() - age
    return {"kind": OutboxKind.POST, "channel": channel, "payload": {"text": "通知"}, "status": status,
            "attempts": 1, "next_attempt_at": at, "created_at": at,
            "delivered_at": at if status == OutboxStatus.SENT else None, **extra}


def _channels(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(OutboxMessage.channel)))


def test_old_delivered_messages_and_request_records_go_and_nothing_else(db: Database) -> None:
    old, recent = RETENTION + timedelta(days=1), RETENTION - timedelta(days=1)
    with db.transaction() as session:
        session.execute(insert(OutboxMessage), [
            _message("C-sent-old", OutboxStatus.SENT, old),
            _message("C-sent-recent", OutboxStatus.SENT, recent),
            _message("C-pending-old", OutboxStatus.PENDING, old),
            _message("C-parked-old", OutboxStatus.PARKED, old, last_error="not_in_channel"),
            _message("C-failed-old", OutboxStatus.FAILED, old, last_error="account_inactive"),
        ])
        session.execute(insert(ProcessedRequest), [
            {"key": "view:V-old", "created_at": utcnow() - old},
            {"key": "view:V-recent", "created_at": utcnow() - recent},
        ])
    pruned = prune(db, utcnow(), RETENTION)
    assert (pruned.delivered_messages, pruned.processed_requests) == (1, 1)
    assert _channels(db) == ["C-failed-old", "C-parked-old", "C-pending-old", "C-sent-recent"]
    with db.session() as session:
        assert list(session.scalars(select(ProcessedRequest.key))) == ["view:V-recent"]
    assert prune(db, utcnow(), RETENTION).total == 0  # a second run finds nothing


def test_many_rows_go_in_batches(db: Database) -> None:
    count = 2 * BATCH + 1
    with db.transaction() as session:
        session.execute(insert(OutboxMessage),
                        [_message(f"C{n}", OutboxStatus.SENT, RETENTION * 2) for n in range(count)])
    assert prune(db, utcnow(), RETENTION).delivered_messages == count
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_job_runs_daily_with_the_configured_retention(harness: Harness) -> None:
    assert JOBS["housekeeping"].cron(harness.services.settings) == "30 3 * * *"
    assert harness.services.settings.coopbot_retention_days == 90
    with harness.db.transaction() as session:
        session.execute(insert(OutboxMessage), [_message("C-sent-old", OutboxStatus.SENT, RETENTION * 2),
                                                _message("C-sent-recent", OutboxStatus.SENT, RETENTION / 2)])
    assert run_job("housekeeping", harness.services) == 1
    assert "C-sent-old" not in _channels(harness.db) and "C-sent-recent" in _channels(harness.db)


def test_keyed_posts_stay_so_a_late_evaluation_still_updates_its_request_dm(harness: Harness) -> None:
    """The mentor evaluates four months after being asked: the request DM still loses its button."""
    from datetime import date

    from bot.devtools.slack_requests import fill
    from bot.internships import jobs
    from bot.internships.ids import InternshipActionId
    from models.roster import Intern
    from tests.support.harness import MENTOR

    h = harness
    end = date.today() - timedelta(days=125)
    with h.db.transaction() as session:
        session.execute(update(Intern).values(end_date=date(2031, 1, 1)))
        session.execute(update(Intern).where(Intern.student_id == "S2024001").values(end_date=end))
    assert jobs.request_evaluations(h.services, utcnow() - timedelta(days=120)) == 1
    h.deliver()
    with h.db.transaction() as session:  # delivered four months ago
        session.execute(update(OutboxMessage).values(delivered_at=utcnow() - timedelta(days=120)))
    assert run_job("housekeeping", h.services) == 0  # the keyed request DM is kept
    [request] = [m for m in h.fake.messages("D" + MENTOR) if "blocks" in m]
    h.click(MENTOR, InternshipActionId.EVALUATE, request, channel="D" + MENTOR)
    view = h.last_modal()
    answers = {"attendance": "good", "professional_skills": "good", "attitude": "good",
               "safety_awareness": "good", "teamwork": "good", "certificate": ["issued"]}
    assert h.slack.view_submission(view, fill(view, answers), user_id=MENTOR).text == ""
    h.deliver()
    [updated] = [c.args for c in h.fake.calls_to("chat.update") if c.args.get("ts") == request["ts"]]
    assert not any(b.get("type") == "actions" for b in updated["blocks"])  # no Evaluate button any more
