"""The placement plan: `coopbot plans import`, interns linking to the line they fill, placed/planned read back
by bot.plans.numbers and shown in App Home — through the installed command and the running app."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from bot.plans.numbers import placement
from models.plan import PlanLine
from models.roster import Intern
from tests.support.cli import operator_env, run
from tests.support.harness import COORD_SCHOOL, MENTOR, OTHER_TEACHER, TEACHER, Harness

PLANS_CSV = """partnership,period,start_date,end_date,line,major,post,planned,order_class
深职院–华为,2026 autumn,2026-09-01,2027-06-30,HW-SW,软件技术,软件测试,2,华为鸿蒙订单班
深职院–华为,2026 autumn,2026-09-01,2027-06-30,HW-HW,电子信息,硬件装配,3,
"""
INTERNS_WITH_LINES = f"""student_id,name,partnership,teacher,mentor,start_date,end_date,position,birth_date,plan_line
S2024001,张伟,深职院–华为,{TEACHER},{MENTOR},2026-09-01,2027-06-30,软件测试,,HW-SW
S2024002,欧阳娜娜,深职院–华为,{OTHER_TEACHER},{MENTOR},2026-09-01,2027-06-30,硬件装配,,HW-HW
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_is_set_interns_fill_it_and_app_home_shows_placed_of_planned(harness: Harness, tmp_path: Path) -> None:
    h = harness
    env = operator_env(h.db)
    done = run(["plans", "import", str(_write(tmp_path, "plans.csv", PLANS_CSV))], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 created, 0 updated, 0 unchanged" in done.stdout
    again = run(["plans", "import", str(tmp_path / "plans.csv")], env, tmp_path)
    assert "0 created, 0 updated, 2 unchanged" in again.stdout
    filled = run(["interns", "import", str(_write(tmp_path, "interns.csv", INTERNS_WITH_LINES))], env, tmp_path)
    assert filled.returncode == 0, filled.stderr

    with h.db.session() as session:
        pid = session.scalar(select(PlanLine.partnership_id))
        assert pid is not None
        rows = placement(session, [pid], "2026 autumn")
        linked = {i.student_id: i.plan_line_id for i in session.scalars(select(Intern))}
    assert [(r.ref, r.major, r.order_class, r.placed, r.planned) for r in rows] == [
        ("HW-SW", "软件技术", "华为鸿蒙订单班", 1, 2), ("HW-HW", "电子信息", None, 1, 3)]
    assert linked["A0001"] is None

    # The coordinator's App Home: placed of planned per line, the order class named.
    h.slack.event({"type": "app_home_opened", "user": COORD_SCHOOL, "channel": "D" + COORD_SCHOOL, "tab": "home"})
    h.deliver()
    home = json.dumps(h.fake.home(COORD_SCHOOL), ensure_ascii=False)
    assert "Placement plan" in home
    assert "2026 autumn: 软件技术 · 软件测试 (order class 华为鸿蒙订单班) — placed 1 of 2" in home
    assert "2026 autumn: 电子信息 · 硬件装配 — placed 1 of 3" in home
    # The export: one row per line, placed of planned, a fixed lowercase status.
    exported = run(["export", "plans"], env, tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.splitlines() == [
        "partnership,college,enterprise,period,start_date,end_date,line,major,post,order_class,planned,placed,status",
        "深职院–华为,深圳职业技术大学,华为技术有限公司,2026 autumn,2026-09-01,2027-06-30,HW-SW,软件技术,软件测试,"
        "华为鸿蒙订单班,2,1,short",
        "深职院–华为,深圳职业技术大学,华为技术有限公司,2026 autumn,2026-09-01,2027-06-30,HW-HW,电子信息,硬件装配,,"
        "3,1,short"]
    # A teacher (no coordinator) is not shown the plan.
    h.slack.event({"type": "app_home_opened", "user": TEACHER, "channel": "D" + TEACHER, "tab": "home"})
    h.deliver()
    assert "Placement plan" not in json.dumps(h.fake.home(TEACHER), ensure_ascii=False)


def test_bad_plan_rows_are_named_by_line_and_field_and_nothing_is_written(harness: Harness, tmp_path: Path) -> None:
    bad = PLANS_CSV + ("深职院–华为,2026 autumn,2026-09-02,2027-06-30,HW-X,机电,装配,1,\n"
                       "无此合作,2026 autumn,2026-09-01,2027-06-30,HW-Y,机电,装配,1,\n"
                       "深职院–华为,2026 autumn,2026-09-01,2027-06-30,HW-SW,机电,装配,0,\n")
    path = _write(tmp_path, "plans.csv", bad)
    done = run(["plans", "import", str(path)], operator_env(harness.db), tmp_path)
    assert done.returncode != 0
    assert f"{path}:4: start_date: period '2026 autumn' runs 2026-09-01 – 2027-06-30 on line 2" in done.stderr
    assert f"{path}:5: partnership: unknown partnership '无此合作'" in done.stderr
    assert f"{path}:6: planned: must be a whole number from 1 to 10000, got '0'" in done.stderr
    with harness.db.session() as session:
        assert session.scalars(select(PlanLine)).all() == []


def test_the_plan_line_column_may_come_without_birth_date(harness: Harness, tmp_path: Path) -> None:
    env = operator_env(harness.db)
    assert run(["plans", "import", str(_write(tmp_path, "plans.csv", PLANS_CSV))], env, tmp_path).returncode == 0
    interns = INTERNS_WITH_LINES.replace(",birth_date,plan_line", ",plan_line").replace(",,HW-", ",HW-")
    done = run(["interns", "import", str(_write(tmp_path, "interns.csv", interns))], env, tmp_path)
    assert done.returncode == 0, done.stderr
    with harness.db.session() as session:
        linked = {i.student_id: i.plan_line_id is not None for i in session.scalars(select(Intern))}
    assert linked == {"S2024001": True, "S2024002": True, "A0001": False}


def test_an_intern_naming_an_unknown_plan_line_is_refused(harness: Harness, tmp_path: Path) -> None:
    path = _write(tmp_path, "interns.csv", INTERNS_WITH_LINES)
    done = run(["interns", "import", str(path)], operator_env(harness.db), tmp_path)
    assert done.returncode != 0
    assert f"{path}:2: plan_line: no plan line 'HW-SW' in '深职院–华为'" in done.stderr


def test_a_period_that_starts_short_tells_the_coordinators_once(harness: Harness, tmp_path: Path) -> None:
    """On the controlled clock: nothing before the period starts; on its first day (Asia/Shanghai) both
    coordinators get one DM naming the short lines; later runs and a run by hand tell nobody again."""
    from datetime import UTC, datetime

    from scheduler.jobs import run_by_hand, run_job
    from tests.support.harness import COORD_ENTERPRISE

    h = harness
    plans = PLANS_CSV.replace("2026-09-01", "2027-03-01")
    imported = run(["plans", "import", str(_write(tmp_path, "plans.csv", plans))], operator_env(h.db), tmp_path)
    assert imported.returncode == 0, imported.stderr
    filled = run(["interns", "import", str(_write(tmp_path, "interns.csv", INTERNS_WITH_LINES))],
                 operator_env(h.db), tmp_path)
    assert filled.returncode == 0, filled.stderr

    assert run_job("plan-shortfall", h.services, datetime(2027, 2, 28, 12, 0, tzinfo=UTC)) == 0  # not started
    # 2027-03-01 01:00 in Shanghai is still 2027-02-28 in UTC: the partnership's day decides.
    assert run_job("plan-shortfall", h.services, datetime(2027, 2, 28, 17, 0, tzinfo=UTC)) == 2
    h.deliver()
    for user in (COORD_SCHOOL, COORD_ENTERPRISE):
        [notice] = [t for t in h.dms_to(user) if "planned interns placed" in t]
        assert "2026 autumn of 深职院–华为 has started with 2 of 5 planned interns placed." in notice
    text = json.dumps(h.fake.calls_to("chat.postMessage")[-1].args.get("blocks"), ensure_ascii=False)
    assert "软件技术 · 软件测试 (order class 华为鸿蒙订单班): placed 1 of 2, 1 short" in text
    assert "电子信息 · 硬件装配: placed 1 of 3, 2 short" in text
    assert run_job("plan-shortfall", h.services, datetime(2027, 3, 2, 9, 0, tzinfo=UTC)) == 0
    report = run_by_hand("plan-shortfall", h.services, datetime(2027, 3, 3, 9, 0, tzinfo=UTC))
    assert [line.what for line in report.lines] == ["2026 autumn: placed 2 of 5; already checked on 2027-02-28"]
    h.deliver()
    assert len([t for t in h.dms_to(COORD_SCHOOL) if "planned interns placed" in t]) == 1
