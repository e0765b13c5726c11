"""Homes with every list full and every text at its longest: what the render checks measure."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.exchanges.practice import PracticeRecord
from bot.home.data import (
    PAGE_SIZE,
    ActionItemLine,
    EndingItem,
    ExchangeItem,
    HomeData,
    InternItem,
    MeetingItem,
    Overview,
    Page,
    ProblemItem,
    Section,
)
from bot.permissions import Action
from models.exchange import Direction
from models.problem import Category, ProblemStatus, Severity
from models.roster import Role, Side

WHEN = datetime(2027, 3, 5, 1, 0, tzinfo=UTC)


def _problem(n: int, step: Action | None) -> ProblemItem:
    return ProblemItem(100000 + n, "C0PARTNER", "欧阳娜娜" * 10, "S2024001" * 4, list(Category)[n % len(Category)],
                       list(Severity)[n % 4], list(ProblemStatus)[n % 4], "工资被拖欠" * 600, WHEN, step)


def _items(section: Section) -> tuple[object, ...]:
    if section in (Section.AWAITING, Section.PROBLEMS, Section.OVERDUE):
        steps = (Action.ACKNOWLEDGE_PROBLEM, Action.RESOLVE_PROBLEM, None)
        return tuple(_problem(n, steps[n % 3]) for n in range(PAGE_SIZE))
    if section == Section.INTERNS:
        return tuple(InternItem(n, "欧阳娜娜" * 50, "S2024001" * 8, "软件测试" * 50, date(2027, 6, 30), n)
                     for n in range(PAGE_SIZE))
    if section == Section.ENDING:
        return tuple(EndingItem("欧阳娜娜" * 50, "S2024001" * 8, date(2027, 6, 30)) for _ in range(PAGE_SIZE))
    return tuple(ExchangeItem(n, "C0PARTNER", "王芳" * 100, Direction.SCHOOL_TO_ENTERPRISE, "华为" * 100,
                              date(2027, 4, 1), date(2027, 9, 30), n % 2 == 0) for n in range(PAGE_SIZE))


def full_home(*, coordinator: bool = True, page: int = 3, language_choice: str | None = None) -> HomeData:
    sections = {s: Page(s, _items(s), page, 1000) for s in Section}
    if not coordinator:
        for s in (Section.OVERDUE, Section.ENDING):
            del sections[s]
    overview = Overview({s: 1000 for s in Severity}, 1000, 1000, 1000) if coordinator else None
    roles = frozenset(Role) if coordinator else frozenset({Role.TEACHER, Role.MENTOR})
    return HomeData(
        user="U0COORDS", name="陈静" * 80, side=Side.SCHOOL, language_choice=language_choice,
        roles_by_partnership=((("深圳职业技术大学–华为技术有限公司校企合作项目" * 3), roles),) * 10,
        teaches=True, mentors=True,
        quick_actions=frozenset({Action.REPORT_PROBLEM, Action.REQUEST_EXCHANGE, Action.SCHEDULE_MEETING}),
        sections=sections, overview=overview,
        meetings=tuple(MeetingItem(n, "2027年第一季度校企合作回顾会" * 20, WHEN, "Asia/Shanghai", "C0PARTNER")
                       for n in range(5)),
        action_items=tuple(ActionItemLine(n, "整理实习生安全培训材料" * 100, date(2027, 4, 1), "回顾会" * 50)
                           for n in range(5)),
        action_item_total=40,
        practice=PracticeRecord("U0COORDS", "陈静", 2.5, date(2022, 3, 5), date(2027, 3, 5)))
