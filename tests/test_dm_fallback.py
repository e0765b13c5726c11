"""No DM lost (bot.delivery.fallback): a DM Slack refuses is held for its reader and announced in their partnership's
channel with "Show details" that only they can open; a file comes as a signed, expiring download link. Over HTTP
with the fake Slack refusing DMs to the mentor, on both databases."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select

from bot.delivery import outbox
from bot.delivery.fallback import SHOW_DETAILS
from bot.delivery.file_links import sign
from bot.delivery.worker import retry_now
from bot.devtools.slack_requests import fill
from bot.exchanges.ids import ExchangeActionId
from bot.storage.db import Database
from models.delivery import HeldMessage, OutboxMessage, OutboxStatus
from models.exchange import ExchangeDecision
from tests.support import exchanges
from tests.support.harness import (
    CHANNEL,
    COORD_ENTERPRISE,
    COORD_SCHOOL,
    MENTOR,
    TEACHER,
    Harness,
    running_app,
    seed_roster,
)
from tests.support.slack import SIGNING_SECRET, text_of

PUBLIC = "https://coop.example.edu"


@pytest.fixture
def h(db: Database, tmp_path: Path) -> Iterator[Harness]:
    seed_roster(db, tmp_path)
    with running_app(db, coopbot_public_url=PUBLIC) as harness:
        harness.fake.refuse_dms[MENTOR] = "invalid_user_combination"
        yield harness


def _announcements(h: Harness) -> list[dict]:
    return [m for m in h.fake.messages(CHANNEL) if any(
        e.get("action_id") == SHOW_DETAILS for b in m.get("blocks") or [] for e in b.get("elements") or [])]


def _get(h: Harness, link: str) -> tuple[int, dict[str, str], bytes]:
    path = urlsplit(link).path
    try:
        with urllib.request.urlopen(h.server.url + path, timeout=5) as reply:
            return reply.status, dict(reply.headers.items()), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def test_a_refused_dm_is_announced_in_the_channel_and_shown_to_its_reader_only(h: Harness) -> None:
    view = h.open_modal("/intern-issue", TEACHER)
    answers = {"intern_id": str(h.intern_id("S2024001")), "category": "hours", "severity": "p3",
               "description": "连续加班到深夜", "occurred_on": datetime.now(UTC).date().isoformat()}
    assert h.slack.view_submission(view, fill(view, answers), user_id=TEACHER).text == ""
    h.deliver()
    h.deliver()
    [announced] = _announcements(h)
    shown = text_of(announced)
    assert f"<@{MENTOR}>" in shown and "连续加班" not in shown  # a neutral line, never the DM's words
    with h.db.session() as session:
        refused = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == MENTOR)).one()
        assert refused.status == OutboxStatus.REDIRECTED and refused.last_error == "invalid_user_combination"
    # the coordinators are told the real cause and the real fix, not "invite me to the channel"
    advice = h.dms_to(COORD_SCHOOL) + h.dms_to(COORD_ENTERPRISE)
    assert advice and all("another Slack organization" in a and "/invite" not in a for a in advice)

    # Someone else clicks: a private refusal, no modal.
    modals = len(h.fake.modals())
    h.click(TEACHER, SHOW_DETAILS, announced)
    assert any("only the person it mentions" in text for text in h.ephemerals())
    assert len(h.fake.modals()) == modals
    # The mentor clicks: the DM, privately, in a modal.
    h.click(MENTOR, SHOW_DETAILS, announced)
    modal = h.last_modal()
    assert modal["title"]["text"] == "Details" and "张伟 (S2024001)" in str(modal)  # the supervisor DM's words

    # Retries never announce twice: the refused row is not retried, and a second record finds it held.
    retry_now(h.db)
    h.deliver()
    assert h.slack.view_submission(view, fill(view, answers), user_id=TEACHER).text == ""  # Slack's retry
    h.deliver()
    assert len(_announcements(h)) == 1
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(HeldMessage)) == 1


def test_a_file_that_cannot_reach_a_dm_is_downloaded_by_a_signed_link(h: Harness) -> None:
    pdf = b"%PDF-1.4\n% staff exchange certificate\n"
    with h.db.transaction() as session:
        outbox.upload(session, channel=MENTOR, filename="人员交流证明 COOP-2027-0001.pdf", content=pdf,
                      title="人员交流证明", initial_comment="您的人员交流证明")
    h.deliver()
    h.deliver()
    [announced] = _announcements(h)
    assert "a file is waiting for you" in text_of(announced)
    h.click(MENTOR, SHOW_DETAILS, announced)
    modal = h.last_modal()
    link = next(part.split("|")[0] for part in str(modal).split("<") if part.startswith(PUBLIC))
    status, headers, body = _get(h, link)
    assert status == 200 and body == pdf and headers["Content-Type"] == "application/pdf"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "人员交流证明 COOP-2027-0001.pdf"

    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert _get(h, tampered)[0] == 403
    held_id = int(urlsplit(link).path.removeprefix("/files/").split(".")[0])
    expired = sign(SIGNING_SECRET.encode(), held_id, datetime.now(UTC) - timedelta(days=8))
    assert _get(h, PUBLIC + expired)[0] == 403
    unknown = sign(SIGNING_SECRET.encode(), held_id + 1000, datetime.now(UTC))
    assert _get(h, PUBLIC + unknown)[0] == 404
    assert _get(h, PUBLIC + "/files/not-a-token")[0] == 403
    assert _get(h, PUBLIC + "/healthz")[0] == 200  # the other routes are as they were


def test_a_review_request_refused_as_a_dm_is_reviewed_from_show_details(h: Harness) -> None:
    assert exchanges.request(h, TEACHER).text == ""
    h.deliver()
    h.deliver()
    [announced] = _announcements(h)
    assert f"<@{MENTOR}>: a review is waiting for you." in text_of(announced)
    assert "华为 2012 实验室" not in str(announced)  # what the DM says stays in the DM
    h.click(MENTOR, SHOW_DETAILS, announced)
    details = h.last_modal()
    assert "华为 2012 实验室" in str(details)
    # the DM's own Review button works from the modal
    [review] = [e for b in details["blocks"] for e in b.get("elements") or []
                if e.get("action_id") == ExchangeActionId.REVIEW]
    assert h.slack.block_action(user_id=MENTOR, action_id=ExchangeActionId.REVIEW, value=review["value"],
                                channel_id=None, view=details).status == 200
    h.settle()
    modal = h.last_modal()
    assert modal["id"] != details["id"]
    assert h.slack.view_submission(modal, fill(modal, {"decision": "approve"}), user_id=MENTOR).text == ""
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ExchangeDecision)) == 1


def test_a_link_with_odd_digits_is_refused_not_an_error_and_no_file_name_splits_a_header(h: Harness) -> None:
    from bot.delivery.file_links import Download, LinkRefused, verify

    assert _get(h, PUBLIC + "/files/1." + "9" * 5000 + ".abc")[0] == 403  # past int()'s 4,300 digits: was a 500
    for token in ("²1.2.abc", "١.2.abc"):  # a superscript and an Arabic digit: str.isdigit() says yes, int() no
        with pytest.raises(LinkRefused):
            verify(b"key", token, datetime.now(UTC))
    assert "\r" not in Download("证明\r\nSet-Cookie: x=1.pdf", b"").disposition


def test_a_college_persons_refused_report_dm_is_not_called_a_report_where_the_enterprise_reads(h: Harness) -> None:
    """No school-side channel: a health report goes to the college coordinators by DM; one refused is announced
    in the shared channel with a line that does not even say it is a problem report (decision 0009)."""
    h.fake.refuse_dms[COORD_SCHOOL] = "invalid_user_combination"
    assert h.report(TEACHER, category="health", description="学生因焦虑失眠就医").status == 200
    h.deliver()
    h.deliver()
    [announced] = [m for m in _announcements(h) if f"<@{COORD_SCHOOL}>" in text_of(m)]
    assert "a message is waiting for you" in text_of(announced)
    assert all("problem report" not in text_of(m) and "学生因焦虑" not in text_of(m) for m in h.fake.messages(CHANNEL))
