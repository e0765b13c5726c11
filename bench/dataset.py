"""A large, realistic data set for the data-at-scale benchmarks.

200 partnerships, each with 4 coordinators/teachers/mentors per side, 20,000 interns, 200,000 problem
reports with 1–4 timeline events each, 10,000 exchanges and 5,000 meetings; Chinese names, long
descriptions, dates spread over two years. Bulk Core inserts in batches, so generating takes seconds.

    python bench/dataset.py DATABASE_URL [--scale 0.1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from bot.storage.db import Database
from bot.storage.migrate import upgrade
from models.exchange import Direction, Exchange, ExchangeStatus, Purpose
from models.meeting import Meeting, MeetingStatus
from models.problem import Category, EventKind, Problem, ProblemEvent, ProblemStatus, Severity
from models.roster import College, Enterprise, Intern, Membership, Partnership, Person, Role, Side

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕红梅玉兰晓东文博思远子涵雨桐一诺浩然欣怡梓萱"
WHAT = [
    "连续三周安排夜班，未提前告知学校。",
    "实习工资低于岗位工资的百分之八十，且拖欠两个月。",
    "宿舍没有热水，八人一间，通风差。",
    "操作冲床时右手被划伤，已送医缝合。",
    "企业扣押了学生的身份证原件。",
    "实习岗位与所学专业无关，主要从事搬运。",
    "导师长期出差，学生无人指导。",
    "学生情绪低落，连续三天未到岗。",
    "下班途中发生交通事故，轻微擦伤。",
]
BATCH = 5000


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _insert(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    with db.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(model), rows[start:start + BATCH])


def _advance_sequences(db: Database, models: list[Any]) -> None:
    """Rows were inserted with explicit ids; move PostgreSQL's id sequences past them."""
    if db.is_sqlite:
        return
    with db.engine.begin() as conn:
        for model in models:
            table = model.__tablename__
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table names
                              f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def generate(url: str, scale: float = 1.0, seed: int = 7) -> dict[str, int]:
    """Fill an empty, migrated database; returns the row counts."""
    rng = random.Random(seed)
    db = Database(url)
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    n_partnerships, n_interns = max(2, int(200 * scale)), int(20_000 * scale)
    n_problems, n_exchanges, n_meetings = int(200_000 * scale), int(10_000 * scale), int(5_000 * scale)
    zones = ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "UTC", "America/Los_Angeles"]
    # Colleges of 50 partnerships each (what a dean oversees); one enterprise per partnership.
    n_colleges = (n_partnerships + 49) // 50
    _insert(db, College, [{"id": c, "name": f"第{c}职业技术学院", "created_at": now} for c in range(1, n_colleges + 1)])
    _insert(db, Enterprise, [{"id": p, "name": f"示范企业{p}有限公司", "created_at": now}
                             for p in range(1, n_partnerships + 1)])
    _insert(db, Partnership, [{"id": p, "name": f"合作{p:03d}–企业{p:03d}",
                               "school": f"第{(p - 1) // 50 + 1}职业技术学院",
                               "college_id": (p - 1) // 50 + 1, "enterprise_id": p,
                               "enterprise": f"示范企业{p}有限公司", "channel_id": f"C{p:08d}",
                               "timezone": zones[p % len(zones)], "language": "zh_CN" if p % 3 else "en",
                               "created_at": now} for p in range(1, n_partnerships + 1)])
    people: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    staff: dict[tuple[int, Role], list[int]] = {}
    pid = 0
    for p in range(1, n_partnerships + 1):
        for side, roles in ((Side.SCHOOL, [Role.COORDINATOR, Role.TEACHER, Role.TEACHER, Role.TEACHER]),
                            (Side.ENTERPRISE, [Role.COORDINATOR, Role.MENTOR, Role.MENTOR, Role.MENTOR])):
            for role in roles:
                pid += 1
                people.append({"id": pid, "slack_user_id": f"U{pid:09d}", "name": name(rng), "email": None,
                               "side": side, "locale": None, "created_at": now})
                members.append({"person_id": pid, "partnership_id": p, "role": role})
                staff.setdefault((p, role), []).append(pid)
    _insert(db, Person, people)
    _insert(db, Membership, members)
    interns = []
    for i in range(1, n_interns + 1):
        p = rng.randint(1, n_partnerships)
        start = date(2026, rng.choice([3, 7, 9]), 1)
        interns.append({"id": i, "student_id": f"S{i:07d}", "name": name(rng), "partnership_id": p,
                        "teacher_id": rng.choice(staff[(p, Role.TEACHER)]),
                        "mentor_id": rng.choice(staff[(p, Role.MENTOR)]), "start_date": start,
                        "end_date": start + timedelta(days=rng.randint(60, 300)), "position": f"岗位{i % 97}",
                        "created_at": now})
    _insert(db, Intern, interns)
    problems, events = [], []
    statuses = [ProblemStatus.RESOLVED] * 6 + [ProblemStatus.OPEN, ProblemStatus.ACKNOWLEDGED, ProblemStatus.REOPENED]
    eid = 0
    for n in range(1, n_problems + 1):
        intern = interns[rng.randrange(len(interns))]
        created = now - timedelta(minutes=rng.randint(10, 60 * 24 * 700))
        status = rng.choice(statuses)
        text = rng.choice(WHAT) * rng.randint(1, 6)
        problems.append({"id": n, "partnership_id": intern["partnership_id"], "intern_id": intern["id"],
                         "reporter_id": intern["teacher_id"], "category": rng.choice(list(Category)),
                         "severity": rng.choice(list(Severity)), "description": text,
                         "occurred_on": created.date(), "actions_taken": None, "status": status,
                         "resolution": "已与企业沟通并整改。" if status == ProblemStatus.RESOLVED else None,
                         "created_at": created,
                         "acknowledged_at": created + timedelta(hours=3) if status != ProblemStatus.OPEN else None,
                         "acknowledged_by_id": intern["mentor_id"] if status != ProblemStatus.OPEN else None,
                         "resolved_at": created + timedelta(days=2) if status == ProblemStatus.RESOLVED else None,
                         "resolved_by_id": intern["mentor_id"] if status == ProblemStatus.RESOLVED else None,
                         # its REOPENED event below is an hour after the report
                         "reopened_at": created + timedelta(hours=1) if status == ProblemStatus.REOPENED else None,
                         "reopen_count": int(status == ProblemStatus.REOPENED),
                         "source_key": f"view:GEN{n}"})
        kinds = [EventKind.REPORTED] + {ProblemStatus.OPEN: [], ProblemStatus.ACKNOWLEDGED: [EventKind.ACKNOWLEDGED],
                                        ProblemStatus.RESOLVED: [EventKind.ACKNOWLEDGED, EventKind.RESOLVED],
                                        ProblemStatus.REOPENED: [EventKind.RESOLVED, EventKind.REOPENED]}[status]
        for k, kind in enumerate(kinds):
            eid += 1
            events.append({"id": eid, "problem_id": n, "kind": kind, "actor_id": intern["mentor_id"], "text": None,
                           "created_at": created + timedelta(hours=k)})
    _insert(db, Problem, problems)
    _insert(db, ProblemEvent, events)
    exchanges = []
    for n in range(1, n_exchanges + 1):
        p = rng.randint(1, n_partnerships)
        direction = rng.choice(list(Direction))
        person = rng.choice(staff[(p, Role.TEACHER if direction == Direction.SCHOOL_TO_ENTERPRISE else Role.MENTOR)])
        start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 700))
        exchanges.append({"id": n, "partnership_id": p, "person_id": person, "requester_id": person,
                          "direction": direction, "host_unit": "生产一部", "purpose": rng.choice(list(Purpose)),
                          "start_date": start, "end_date": start + timedelta(days=rng.randint(30, 180)),
                          "expected_outcomes": "完成一门课程的开发。", "confidentiality_acknowledged_at": now,
                          "status": rng.choice(list(ExchangeStatus)), "review_round": 1, "created_at": now,
                          "updated_at": now, "submitted_at": now})
    _insert(db, Exchange, exchanges)
    meetings = []
    for n in range(1, n_meetings + 1):
        p = rng.randint(1, n_partnerships)
        starts = now + timedelta(days=rng.randint(-600, 90))
        meetings.append({"id": n, "partnership_id": p, "organiser_id": staff[(p, Role.COORDINATOR)][0],
                         "title": f"{starts.year}年第{(starts.month - 1) // 3 + 1}季度校企合作座谈会",
                         "starts_at": starts,
                         "duration_minutes": 90, "location": "腾讯会议", "agenda": "1. 实习情况\n2. 人员交流",
                         "status": MeetingStatus.HELD if starts < now else MeetingStatus.SCHEDULED,
                         "quarter": f"{starts.year}Q{(starts.month - 1) // 3 + 1}", "ics_uid": f"gen-{n}@coopbot",
                         "ics_sequence": 0, "created_at": now, "updated_at": now})
    _insert(db, Meeting, meetings)
    _advance_sequences(db, [College, Enterprise, Partnership, Person, Membership, Intern, Problem, ProblemEvent,
                            Exchange, Meeting])
    db.dispose()
    return {"partnerships": n_partnerships, "people": len(people), "interns": n_interns, "problems": n_problems,
            "problem_events": len(events), "exchanges": n_exchanges, "meetings": n_meetings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    upgrade(args.url)
    started = time.perf_counter()
    counts = generate(args.url, args.scale)
    print(counts, f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
