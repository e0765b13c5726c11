"""The end of an exchange as both sides meet it: a Fail ends it without a letter; a pass brings the letter to
the person who went and to the requester."""

from __future__ import annotations

import csv
import io

from bot.devtools.slack_requests import fill
from bot.exchanges.export import HEADER, iter_exchange_rows
from bot.exchanges.ids import ExchangeActionId
from bot.exports.writers import write_csv
from models.exchange import ExchangeStatus
from tests.support.exchanges import END, assess, ended, the_exchange
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness, dm
from tests.support.slack import buttons, text_of

NO_LETTER = "so no staff exchange certificate will be issued"


def _confirm_requests(h: Harness) -> list[dict[str, object]]:
    return [m for user in (COORD_SCHOOL, COORD_ENTERPRISE) for m in h.fake.messages("D" + user)
            if ExchangeActionId.CONFIRM in buttons(m)]


def test_a_fail_from_the_host_ends_the_exchange_without_a_letter_and_both_sides_are_told(harness: Harness) -> None:
    h = harness
    ended(h)
    h.click(COORD_SCHOOL, ExchangeActionId.ASSESS, dm(h, COORD_SCHOOL, ExchangeActionId.ASSESS),
            channel="D" + COORD_SCHOOL)
    school_modal = h.last_modal()  # the school's assessor starts to assess ...
    assert assess(h, MENTOR, "fail").text == ""  # ... while the enterprise fails it
    h.deliver()
    assert the_exchange(h).status == ExchangeStatus.FAILED
    assert _confirm_requests(h) == [] and h.fake.files == {}  # nobody is asked to issue a letter; none is made

    # The school's assessor can no longer assess: their request lost its button, and a late answer is refused.
    [school_request] = [m for m in h.fake.messages("D" + COORD_SCHOOL) if m["edited"] and NO_LETTER in text_of(m)]
    assert buttons(school_request) == [] and NO_LETTER in text_of(school_request)
    # Both sides' assessors and coordinators, and the person who went (here also the requester), are told.
    for user in (COORD_SCHOOL, COORD_ENTERPRISE, TEACHER):
        told = [text for text in h.dms_to(user) if "the enterprise assessed it as Fail" in text]
        assert len(told) == 1, (user, h.dms_to(user))
    [summary] = h.channel_messages(CHANNEL)
    assert "Ended: assessment failed" in text_of(summary)

    late = h.slack.view_submission(school_modal, fill(school_modal, {"rating": "pass"}), user_id=COORD_SCHOOL)
    assert "without a certificate, after a failed assessment" in late.text
    assert the_exchange(h).status == ExchangeStatus.FAILED and the_exchange(h).letter_number is None

    out = io.StringIO()
    write_csv(out, HEADER, iter_exchange_rows(h.db, today=END))
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["status"] == "failed" and row["host_rating"] == "fail" and row["letter_number"] == ""
    assert row["practice_months_5y"] == "0.0"  # a failed exchange is no enterprise practice


def test_a_fail_after_the_other_side_passed_still_ends_it_without_a_letter(harness: Harness) -> None:
    h = harness
    ended(h)
    assert assess(h, MENTOR, "excellent").text == ""
    assert assess(h, COORD_SCHOOL, "fail").text == ""
    h.deliver()
    assert the_exchange(h).status == ExchangeStatus.FAILED
    assert _confirm_requests(h) == [] and h.fake.files == {}
    for user in (MENTOR, COORD_ENTERPRISE, TEACHER):
        assert sum("the college assessed it as Fail" in text for text in h.dms_to(user)) == 1, user
    # the one who failed it sees it ended in their own request, and is not told again
    assert not any("assessed it as Fail" in text for text in h.dms_to(COORD_SCHOOL))


def test_the_letter_goes_to_the_person_who_went_and_to_the_requester(harness: Harness) -> None:
    h = harness
    ended(h, requester=COORD_SCHOOL)
    assert assess(h, MENTOR, "good").text == "" and assess(h, COORD_SCHOOL, "pass").text == ""
    h.deliver()
    assert the_exchange(h).status == ExchangeStatus.ASSESSED
    confirm = dm(h, COORD_ENTERPRISE, ExchangeActionId.CONFIRM)
    h.click(COORD_ENTERPRISE, ExchangeActionId.CONFIRM, confirm, channel="D" + COORD_ENTERPRISE)
    h.deliver()
    exchange = the_exchange(h)
    assert exchange.status == ExchangeStatus.COMPLETED
    uploads = sorted(h.fake.files.values(), key=lambda f: str(f["channel_id"]))
    assert [f["channel_id"] for f in uploads] == ["D" + COORD_SCHOOL, "D" + TEACHER]
    assert all(f["completed"] and f["content"] == exchange.letter_pdf for f in uploads)
    comments = {f["channel_id"]: f["initial_comment"] for f in uploads}
    number = exchange.letter_number
    assert comments["D" + TEACHER] == f"Your staff exchange certificate {number}: your staff exchange is completed."
    assert comments["D" + COORD_SCHOOL] == f"Staff exchange certificate {number} for 王芳."
