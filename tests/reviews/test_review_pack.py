"""The quarterly review pack: built for a known data set, attached to the quarterly meeting's announcement in
the partnership's language (English, Chinese), its numbers read back from the PDF; `/coop review` to the DM."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from models.delivery import SlackMessage
from models.problem import Problem
from models.roster import Partnership
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MEMBER, NOBODY, OUTSIDER, TEACHER, Harness
from tests.support.meetings import only_meeting, schedule
from tests.support.reviews import known_problems as _known_problems
from tests.support.reviews import pack_files as _pack_files
from tests.support.reviews import pdf_text as _pdf_text


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Problems reported in the last four quarters 3", "Median time to acknowledge (days) 1.5",
            "Median time to resolve (days) 3", "Open action items 0", "Intern problems"]),
    ("zh_CN", ["近四个季度上报的实习问题 3", "受理用时中位数（天） 1.5", "解决用时中位数（天） 3",
               "未完成的行动项 0", "实习问题"]),
])
def test_the_pack_is_attached_to_the_quarterly_meetings_announcement_once(harness: Harness, language: str,
                                                                        words: list[str]) -> None:
    h = harness
    with h.db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.channel_id == CHANNEL).values(language=language))
    _known_problems(h)
    reply, _ = schedule(h)
    assert reply.text == ""
    h.deliver()
    meeting = only_meeting(h)
    assert h.services.reviews.attach_to_meetings(meeting.starts_at - timedelta(days=4)) == 0  # not yet
    assert h.services.reviews.attach_to_meetings(meeting.starts_at - timedelta(days=2)) == 1
    assert h.services.reviews.attach_to_meetings(meeting.starts_at - timedelta(days=1)) == 0  # once
    h.deliver()
    with h.db.session() as session:
        announcement = session.get(SlackMessage, f"meeting:{meeting.id}")
    [pack] = _pack_files(h)
    assert announcement is not None and pack["channel_id"] == CHANNEL and pack["thread_ts"] == announcement.ts
    text = _pdf_text(pack["content"])
    for expected in words:
        assert expected in text, (expected, text[:1500])
    reader = PdfReader(io.BytesIO(pack["content"]))
    fonts = {str(f.get_object().get("/BaseFont")) for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    # The letters' fonts only, embedded as subsets (`/AAAAAA+HanaMinA`): no reader's font is relied on.
    assert fonts and {name.split("+")[-1] for name in fonts} <= {"LiberationSerif", "HanaMinA", "HanaMinB"}, fonts
    assert all("+" in name for name in fonts), fonts
    assert sum(len(page.images) for page in reader.pages) >= 5  # the charts


def test_coop_review_sends_the_pack_to_the_callers_dm_and_refuses_others(harness: Harness) -> None:
    h = harness
    _known_problems(h)
    for user in (COORD_SCHOOL, MEMBER):  # a coordinator and a member of the cooperation group
        assert h.slack.command("/coop", "review", user_id=user).status == 200
        h.deliver()
    files = _pack_files(h)
    assert sorted(f["channel_id"] for f in files) == sorted(["D" + COORD_SCHOOL, "D" + MEMBER]) or \
        len(files) == 2
    assert "Problems reported in the last four quarters 3" in _pdf_text(files[0]["content"])
    refused = len(h.ephemerals())
    for user in (TEACHER, OUTSIDER, NOBODY):  # not in the group; another partnership's; on no roster
        assert h.slack.command("/coop", "review", user_id=user).status == 200
        h.settle()
    h.deliver()
    assert len(_pack_files(h)) == 2  # nothing more was sent
    answers = h.ephemerals()[refused:]
    assert len(answers) == 3 and sum("review pack" in a for a in answers) == 2
    assert any("Sending you the review pack" in a for a in h.ephemerals()[:refused])
    # An enterprise coordinator asks in another partnership's channel: refused, not sent their own.
    assert h.slack.command("/coop", "review", user_id=COORD_ENTERPRISE, channel_id="C0OTHER").status == 200
    h.deliver()
    assert len(_pack_files(h)) == 2


def test_the_quarter_end_digest_gets_the_quarters_pack_in_its_thread_once(harness: Harness) -> None:
    from datetime import UTC, datetime

    from scheduler.jobs import run_job

    h = harness
    _known_problems(h)
    with h.db.transaction() as session:  # reported in Q1 2027
        session.execute(update(Problem).values(created_at=datetime(2027, 2, 1, 3, tzinfo=UTC)))
    end = datetime(2027, 3, 31, 1, tzinfo=UTC)  # 09:00 in Shanghai, Q1's last working day
    assert run_job("quarter-end-digest", h.services, end) >= 1
    assert h.services.reviews.attach_to_quarter_digests(end + timedelta(minutes=15)) >= 1
    assert h.services.reviews.attach_to_quarter_digests(end + timedelta(minutes=30)) == 0  # once
    h.deliver()
    with h.db.session() as session:
        pid = session.scalar(select(Partnership.id).where(Partnership.channel_id == CHANNEL))
        digest = session.get(SlackMessage, f"quarter-digest:{pid}:2027Q1")
    assert digest is not None
    [pack] = [f for f in _pack_files(h) if f["channel_id"] == CHANNEL]
    assert pack["thread_ts"] == digest.ts and pack["name"] == f"review-pack-2027-Q1-partnership-{pid}.pdf"
    text = _pdf_text(pack["content"])
    assert "Q1 2027" in text and "Problems reported this quarter 3" in text


def test_the_packs_numbers_take_the_same_queries_for_one_partnership_or_several(harness: Harness) -> None:
    from datetime import date

    from sqlalchemy import event

    from bot.reviews.data import load

    h = harness
    _known_problems(h)
    assert h.report(OUTSIDER, student_id="A0001").status == 200
    reply, _ = schedule(h)
    assert reply.text == ""
    with h.db.session() as session:
        ids = list(session.scalars(select(Partnership.id).order_by(Partnership.id)))
    counts = []
    for scope in (ids[:1], ids):
        statements: list[str] = []

        def count(*args: object, into: list[str] = statements) -> None:
            into.append(str(args[2]))

        event.listen(h.db.engine, "before_cursor_execute", count)
        try:
            with h.db.session() as session:
                data = load(session, scope, "scope", date.today())
        finally:
            event.remove(h.db.engine, "before_cursor_execute", count)
        counts.append(len(statements))
        assert sum(data.problems_in(q) for q in data.quarters) == (3 if len(scope) == 1 else 4)
    assert counts[0] == counts[1], counts


def test_coop_review_outside_a_partnership_channel_sends_one_pack_of_all_the_callers_partnerships(
        harness: Harness) -> None:
    from sqlalchemy import insert

    from models.roster import Membership, Person, Role

    h = harness
    _known_problems(h)
    assert h.report(OUTSIDER, student_id="A0001").status == 200
    with h.db.transaction() as session:  # the school's coordinator coordinates the other partnership too
        person = session.scalar(select(Person.id).where(Person.slack_user_id == COORD_SCHOOL))
        other = session.scalar(select(Partnership.id).where(Partnership.channel_id == "C0OTHER"))
        session.execute(insert(Membership).values(person_id=person, partnership_id=other, role=Role.COORDINATOR))
    assert h.slack.command("/coop", "review", user_id=COORD_SCHOOL, channel_id="D0SOMEDM").status == 200
    h.deliver()
    [pack] = _pack_files(h)
    text = _pdf_text(pack["content"])
    assert "Your 2 partnerships" in text and "Problems reported in the last four quarters 4" in text
    assert "Other College–Acme" in text and "深职院–华为" in text


def test_the_pack_leaves_school_side_reports_out(harness: Harness) -> None:
    """The pack goes where the enterprise reads it: a teacher's health report (school-side, decision 0009) is
    not among its numbers, not even as a category's count."""
    from datetime import date

    from bot.reviews.data import load
    from models.problem import Category

    h = harness
    _known_problems(h)
    assert h.report(TEACHER, severity="p2", category="health", description="学生因焦虑失眠就医").status == 200
    h.deliver()
    with h.db.session() as session:
        [partnership] = session.scalars(select(Partnership.id).where(Partnership.channel_id == CHANNEL)).all()
        data = load(session, [partnership], "scope", date.today())
    assert sum(data.problems_in(q) for q in data.quarters) == 3
    assert all(data.by_category[q][Category.HEALTH] == 0 for q in data.quarters)


def test_a_partnership_name_with_slack_markup_is_shown_as_text_with_its_pack(harness: Harness) -> None:
    h = harness
    with h.db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.channel_id == CHANNEL)
                        .values(name="深职院 <!channel> & 华为"))
    assert h.slack.command("/coop", "review", user_id=COORD_SCHOOL).status == 200
    h.deliver()
    [pack] = _pack_files(h)
    assert "<!channel>" not in pack["initial_comment"] and "&lt;!channel&gt; &amp; 华为" in pack["initial_comment"]
    assert "<" not in pack["title"]
