"""The sandbox's demo roster: one clearly fictional partnership, its people and interns.

Written through the real importers (CSV files in a temporary directory), so the sandbox starts from
exactly what an operator's `coopbot people import` / `coopbot interns import` would produce. Running it
again changes nothing: partnerships are added once, the importers upsert.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bot import audit
from bot.roster.importer import import_interns, import_people
from bot.roster.partnerships import add_partnership, list_partnerships
from bot.storage.db import Database
from models.roster import Membership, Partnership, Person, Side
from models.schemas import PartnershipInput

DEMO_PARTNERSHIP = "Demo College – Demo Works"
DEMO_CHANNEL = "C0DEMOCHAN"

TEACHER, MENTOR, COORD_SCHOOL, COORD_ENTERPRISE, MEMBER = (
    "U0DEMOTEACHER", "U0DEMOMENTOR", "U0DEMOCOORDS", "U0DEMOCOORDE", "U0DEMOMEMBER")
# The demo channel is a Slack Connect channel: the enterprise's people are in their own Slack organization
# (external, as Slack badges them), and start what they do from the channel's coopbot panel.
ENTERPRISE_TEAM = "T0DEMOWORKS"
# `coopbot sandbox --oauth`: each organization has its own workspace and installs coopbot there; the college's
# hosts the demo channel, shared with the company's.
COLLEGE_TEAM = "T0DEMOCOLLEGE"
WORKSPACES = {COLLEGE_TEAM: "Demo College (fictional)", ENTERPRISE_TEAM: "Demo Works Ltd (fictional)"}

# Every flow has someone to play each part: a teacher requests an exchange to the enterprise, the college
# coordinator decides for the sending side and the mentor (or the enterprise coordinator) for the host; an
# engineer's exchange to the college is decided by the two coordinators; coordinators schedule meetings and
# the coordinators and the member are its default invitees (tests/sandbox/test_sandbox_browser.py plays them).
PEOPLE = [  # slack_user_id, name, email, side, roles
    (TEACHER, "王芳 Wang Fang (demo)", "wang.fang@demo-college.example", "school", "teacher"),
    (COORD_SCHOOL, "陈静 Chen Jing (demo)", "chen.jing@demo-college.example", "school", "coordinator;teacher"),
    (MENTOR, "Li Qiang 李强 (demo)", "li.qiang@demo-works.example", "enterprise", "mentor"),
    (COORD_ENTERPRISE, "Emma Zhang 张敏 (demo)", "emma.zhang@demo-works.example", "enterprise", "coordinator"),
    (MEMBER, "Sam Lee (demo)", "sam.lee@demo-works.example", "enterprise", "member"),
]

INTERNS = [  # student_id, name, teacher, mentor, position
    ("DEMO001", "张伟 Zhang Wei (demo)", TEACHER, MENTOR, "Software testing"),
    ("DEMO002", "Lucy Chen 陈露 (demo)", COORD_SCHOOL, MENTOR, "Hardware assembly"),
]


@dataclass(frozen=True)
class DemoPerson:
    slack_user_id: str
    name: str
    roles: tuple[str, ...]
    external: bool = False  # of the enterprise's own Slack organization


def seed_demo(db: Database, today: date | None = None) -> None:
    """Add the demo partnership (once) and import its people and interns."""
    today = today or date.today()
    if DEMO_PARTNERSHIP not in {p.name for p in list_partnerships(db)}:
        add_partnership(db, PartnershipInput(
            name=DEMO_PARTNERSHIP, school="Demo College (fictional)", enterprise="Demo Works Ltd (fictional)",
            channel_id=DEMO_CHANNEL, timezone="Asia/Shanghai"), actor="sandbox")
    start = date(today.year, 1 if today.month < 7 else 7, 1)  # interns whose placement covers today
    end = date(start.year + 1, start.month, 1)
    with tempfile.TemporaryDirectory(prefix="coopbot-sandbox-") as tmp:
        people = Path(tmp) / "people.csv"
        people.write_text("slack_user_id,name,email,side,roles,partnership\n" + "".join(
            f"{uid},{name},{email},{side},{roles},{DEMO_PARTNERSHIP}\n" for uid, name, email, side, roles in PEOPLE),
            encoding="utf-8")
        import_people(db, people, actor="sandbox")
        interns = Path(tmp) / "interns.csv"
        interns.write_text("student_id,name,partnership,teacher,mentor,start_date,end_date,position\n" + "".join(
            f"{sid},{name},{DEMO_PARTNERSHIP},{teacher},{mentor},{start},{end},{position}\n"
            for sid, name, teacher, mentor, position in INTERNS), encoding="utf-8")
        import_interns(db, interns, actor="sandbox")


def link_demo_partnership(db: Database, installed: Collection[str]) -> bool:
    """OAuth mode: the demo partnership goes through the installations of its two organizations as each installs
    coopbot — the college's workspace hosts it (`install_team_id`), the company's is its partner
    (`partner_team_id`), as if the coordinators had linked and accepted it. Whether anything changed."""
    with db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.name == DEMO_PARTNERSHIP))
        if partnership is None:
            return False
        before = {"install_team_id": partnership.install_team_id, "partner_team_id": partnership.partner_team_id}
        if COLLEGE_TEAM in installed:
            partnership.install_team_id = COLLEGE_TEAM
        if ENTERPRISE_TEAM in installed:
            partnership.partner_team_id = ENTERPRISE_TEAM
        after = {"install_team_id": partnership.install_team_id, "partner_team_id": partnership.partner_team_id}
        if after == before:
            return False
        audit.record(session, actor="sandbox", action="partnership.link_installation", entity_type="partnership",
                     entity_id=partnership.id, before=before, after=after)
    return True


def roster(db: Database) -> list[DemoPerson]:
    """Everyone on any roster, with their roles, for the person picker (the demo people first)."""
    with db.session() as session:
        rows = session.execute(select(Person.slack_user_id, Person.name, Membership.role, Person.side)
                               .join(Membership, Membership.person_id == Person.id, isouter=True)
                               .order_by(Person.name)).all()
    found: dict[str, DemoPerson] = {}
    for uid, name, role, side in rows:
        known = found.get(uid) or DemoPerson(uid, name, (), external=Side(side) == Side.ENTERPRISE)
        value = getattr(role, "value", role)
        roles = known.roles + ((str(value),) if value and str(value) not in known.roles else ())
        found[uid] = DemoPerson(uid, name, roles, known.external)
    order = {uid: i for i, (uid, *_rest) in enumerate(PEOPLE)}
    return sorted(found.values(), key=lambda p: (order.get(p.slack_user_id, len(order)), p.name))
