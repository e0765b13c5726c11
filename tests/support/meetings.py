"""Driving the meeting workflow through the harness: open "Schedule a meeting", answer it, read files."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from bot.devtools.slack_requests import Reply, fill
from bot.meetings.snapshot import MeetingSnapshot
from models.meeting import Meeting
from tests.support.harness import COORD_SCHOOL, Harness

SHANGHAI = "Asia/Shanghai"


def local_today(zone: str = SHANGHAI) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def initial_answers(view: dict[str, Any]) -> dict[str, Any]:
    """What the modal's inputs hold before anyone types (Slack submits these initial values)."""
    found: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        for key in ("initial_value", "initial_date", "initial_time", "initial_users"):
            if key in element:
                found[block["block_id"]] = element[key]
        if "initial_option" in element:
            found[block["block_id"]] = element["initial_option"]["value"]
    return found


def schedule(h: Harness, user: str = COORD_SCHOOL, **answers: Any) -> tuple[Reply, dict[str, Any]]:
    """Open /coop-meeting as `user`, keep the defaults, override `answers`, submit."""
    view = h.open_modal("/coop-meeting", user)
    values = {**initial_answers(view), "date": (local_today() + timedelta(days=7)).isoformat(),
              "start_time": "14:30", "location": "深圳 会议室 A302", "agenda": "1. 实习生情况\n2. 下季度计划",
              **answers}
    return h.slack.view_submission(view, fill(view, values), user_id=user), view


def only_meeting(h: Harness) -> MeetingSnapshot:
    with h.db.session() as session:
        [meeting_id] = session.scalars(select(Meeting.id)).all()
    return h.services.meetings.get(meeting_id)


def calendar_files(h: Harness) -> list[dict[str, Any]]:
    """Calendar files shared so far (not review packs), oldest first, each with its parsed calendar under "ics"."""
    files = [dict(f) for f in h.fake.files.values() if f.get("completed") and str(f.get("name")).endswith(".ics")]
    for f in files:
        f["ics"] = Calendar.from_ical(f["content"])
    return files


def event_of(file: dict[str, Any]) -> Any:
    [event] = file["ics"].walk("VEVENT")
    return event
