"""The agreement: set from the CLI (errors name the flag), its renewal reminders 90 and 30 days before it ends,
once each, on a controlled clock, to the partnership's channel and each coordinator's DM."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cooperation.agreement import send_renewal_reminders
from models.cooperation import Agreement
from models.roster import Partnership
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, Harness


def _partnership_id(h: Harness) -> int:
    with h.db.session() as session:
        return int(session.scalar(select(Partnership.id).where(Partnership.channel_id == CHANNEL)) or 0)


def test_renewal_reminders_at_90_and_30_days_once_each(harness: Harness, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    h = harness
    pid = _partnership_id(h)
    monkeypatch.setenv("DATABASE_URL", h.db.url)
    assert main(["partnership", "agreement", "--partnership", str(pid), "--signed", "2025-07-01",
                 "--ends", "2024-07-01"]) != 0
    assert "--ends: the agreement must end after it is signed" in capsys.readouterr().err
    assert main(["partnership", "agreement", "--partnership", str(pid), "--signed", "2025-07-01",
                 "--ends", "2027-06-30", "--link", "javascript:alert(1)"]) != 0
    assert "--link: not a web link" in capsys.readouterr().err
    assert main(["partnership", "agreement", "--partnership", str(pid), "--signed", "2025-07-01",
                 "--ends", "2027-06-30", "--link", "https://example.org/agreement.pdf"]) == 0
    with h.db.session() as session:
        agreement = session.get(Agreement, pid)
        assert agreement is not None and agreement.links == ["https://example.org/agreement.pdf"]
    ends = date(2027, 6, 30)

    def at(days_before: int) -> datetime:  # 10:00 in Shanghai, `days_before` days before it ends
        return datetime(ends.year, ends.month, ends.day, 2, tzinfo=UTC) - timedelta(days=days_before)

    zone = h.services.settings.coopbot_timezone
    assert send_renewal_reminders(h.db, at(91), zone) == 0
    assert send_renewal_reminders(h.db, at(90), zone) == 1
    assert send_renewal_reminders(h.db, at(89), zone) == 0  # once
    assert send_renewal_reminders(h.db, at(31), zone) == 0
    assert send_renewal_reminders(h.db, at(30), zone) == 1
    assert send_renewal_reminders(h.db, at(2), zone) == 0
    h.deliver()
    posts = [m for m in h.channel_messages() if "cooperation agreement" in str(m.get("text"))]
    assert len(posts) == 2 and "in 90 days" in posts[0]["text"] and "in 30 days" in posts[1]["text"]
    assert "https://example.org/agreement.pdf" in str(posts[0]["blocks"])
    for coordinator in (COORD_SCHOOL, COORD_ENTERPRISE):
        assert sum("cooperation agreement" in text for text in h.dms_to(coordinator)) == 2
    # Renewed: a later end date counts as a renewal, and its reminders come again for the new date.
    assert main(["partnership", "agreement", "--partnership", str(pid), "--signed", "2027-06-01",
                 "--ends", "2030-06-30"]) == 0
    with h.db.session() as session:
        assert session.get(Agreement, pid).renewals == 1  # type: ignore[union-attr]


def test_a_coordinator_sets_the_agreement_in_its_modal_with_inline_errors(harness: Harness) -> None:
    from bot.devtools.slack_requests import fill
    from tests.support.harness import TEACHER

    h = harness
    view = h.open_modal("/coop", COORD_SCHOOL, "agreement")
    reply = h.slack.view_submission(view, fill(view, {"signed_on": "2025-07-01", "ends_on": "2025-01-01",
                                                      "links": "ftp://nope"}), user_id=COORD_SCHOOL)
    assert set(reply.json()["errors"]) == {"ends_on", "links"}
    reply = h.slack.view_submission(view, fill(view, {"signed_on": "2025-07-01", "ends_on": "2028-06-30",
                                                      "links": "https://example.org/a.pdf\nhttps://example.org/b.pdf"}),
                                    user_id=COORD_SCHOOL)
    assert reply.text == ""
    with h.db.session() as session:
        agreement = session.get(Agreement, _partnership_id(h))
        assert agreement is not None and agreement.ends_on == date(2028, 6, 30) and len(agreement.links) == 2
    again = h.open_modal("/coop", COORD_SCHOOL, "agreement")  # prefilled with what is recorded
    assert "2028-06-30" in str(again["blocks"]) and "https://example.org/b.pdf" in str(again["blocks"])
    refused = h.slack.command("/coop", "agreement", user_id=TEACHER)
    assert "coordinators keep its cooperation ledger" in refused.text
