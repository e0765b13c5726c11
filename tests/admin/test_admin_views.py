"""The administration modals and their error words, in every language, within Slack's limits."""

from __future__ import annotations

from datetime import date

import pytest

from bot.admin import forms
from bot.admin.forms import AdminActionId
from bot.admin.service import PartnershipChoice
from bot.i18n.catalog import translator
from bot.roster.rules import RosterProblem
from tests.support.i18n import LANGUAGES, check

LONG = PartnershipChoice(7, "深圳职业技术大学–华为技术有限公司校企合作项目" * 5, "C0PARTNER", date(2027, 3, 1))


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_views_fit_slacks_limits(language: str) -> None:
    t = translator(language)
    check(forms.setup_modal(t, "C0PARTNER", [LONG] * 120), "setup")
    check(forms.menu_modal(t, [LONG] * 60), "menu")
    assert len(forms.menu_modal(t, [LONG] * 60)["blocks"]) <= 100
    for action in forms.FORM_CALLBACKS:
        check(forms.form_modal(action, t, LONG), f"form {action}")
    problems: dict[str, str | RosterProblem] = {
        "teacher": RosterProblem("teacher", "wrong_side", "U1", "x", "enterprise"),
        "mentor": RosterProblem("mentor", "missing_role", "U1", "x", "enterprise", "p"),
        "side": RosterProblem("side", "side_change", "U1", "x", "school"),
        "end_date": "not_earlier", "partnership": "bad_channel", "name": "missing", "roles": "invalid"}
    assert all(words for words in forms.errors(problems, t).values())
    assert forms.form_modal(AdminActionId.END, t, LONG)["blocks"][2]["element"]["initial_date"] == "2027-03-01"
