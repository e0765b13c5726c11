"""Administration in Slack end to end: /coop setup, /coop admin and its forms, through signed requests.

The forms apply the CSV imports' rules; where a rule is shared, the test runs the same row through the
importer and checks that both name the same field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.admin.forms import AdminActionId
from bot.devtools.slack_requests import fill
from bot.errors import ImportFailed
from bot.panel.ids import PanelActionId
from bot.roster.importer import import_interns
from models.audit import AuditEntry
from models.roster import Intern, Membership, Partnership, Person, Role
from tests.support.harness import (
    CHANNEL,
    COORD_ENTERPRISE,
    COORD_SCHOOL,
    MEMBER,
    MENTOR,
    NOBODY,
    OTHER_CHANNEL,
    OTHER_TEACHER,
    OUTSIDER,
    TEACHER,
    Harness,
)
from tests.support.slack import buttons

HUAWEI = "深职院–华为"


def _pid(h: Harness, name: str = HUAWEI) -> int:
    with h.db.session() as session:
        return int(session.scalar(select(Partnership.id).where(Partnership.name == name)) or 0)


def _audits(h: Harness, action: str) -> list[AuditEntry]:
    """Audit entries of `action` made in Slack (not by seeding the roster through the CLI)."""
    with h.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor != "cli")
                                    .order_by(AuditEntry.id)))


def _form(h: Harness, user: str, action: AdminActionId, partnership_id: int | None = None) -> dict[str, Any]:
    """/coop admin, then one of the menu's buttons: the form Slack pushed on top of the menu."""
    menu = h.open_modal("/coop", user, "admin")
    pushes = len(h.fake.calls_to("views.push"))
    value = str(partnership_id or _pid(h))
    assert h.slack.block_action(user_id=user, action_id=action, value=value, view=menu, channel_id=None).status == 200
    h.fake.wait_for("views.push", count=pushes + 1)
    return h.last_modal()


def _submit(h: Harness, view: dict[str, Any], answers: dict[str, Any], user: str) -> dict[str, Any]:
    reply = h.slack.view_submission(view, fill(view, answers), user_id=user)
    assert reply.status == 200, reply.text
    return reply.json() if reply.text else {}


# --- /coop setup ---------------------------------------------------------------------------------------------
def test_setup_links_the_channel_once_and_says_so_there(harness: Harness) -> None:
    h = harness
    reply = h.slack.command("/coop", "setup", user_id=COORD_SCHOOL, channel_id="C0NEWCHAN")
    assert reply.status == 200 and reply.text == ""
    view = h.fake.wait_for("views.open", count=1) and h.last_modal()
    assert view["title"]["text"] == "Link this channel" and "<#C0NEWCHAN>" in str(view["blocks"])
    answers = {"partnership": str(_pid(h))}
    assert _submit(h, view, answers, COORD_SCHOOL) == {}
    assert _submit(h, view, answers, COORD_SCHOOL) == {}  # Slack's retry
    h.deliver()
    with h.db.session() as session:
        assert session.scalar(select(Partnership.channel_id).where(Partnership.name == HUAWEI)) == "C0NEWCHAN"
    [entry] = _audits(h, "partnership.update")
    assert entry.actor == COORD_SCHOOL and entry.before and entry.after
    assert entry.before["channel_id"] == CHANNEL and entry.after["channel_id"] == "C0NEWCHAN"
    post, panel = h.fake.messages("C0NEWCHAN")  # the announcement, then the coopbot panel, pinned
    assert HUAWEI in post["text"] and "channel of the partnership" in post["text"]
    assert PanelActionId.MY_TASKS in buttons(panel) and panel.get("pinned_to") == ["C0NEWCHAN"]


def test_setup_sets_each_sides_language(harness: Harness) -> None:
    """The enterprise's people in another Slack organization get no locale from Slack: /coop setup sets the
    language each side reads, in the channel already linked too; a forged language is refused inline."""
    h = harness
    h.slack.command("/coop", "setup", user_id=COORD_SCHOOL, channel_id=CHANNEL)
    view = h.fake.wait_for("views.open", count=1) and h.last_modal()
    assert {"school_language", "enterprise_language"} <= {b.get("block_id") for b in view["blocks"]}
    answers = {"partnership": str(_pid(h)), "enterprise_language": "zh_CN"}
    assert _submit(h, view, answers, COORD_SCHOOL) == {}
    with h.db.session() as session:
        languages = session.execute(select(Partnership.school_language, Partnership.enterprise_language)
                                    .where(Partnership.name == HUAWEI)).one()
    assert tuple(languages) == (None, "zh_CN")
    [entry] = _audits(h, "partnership.update")
    assert entry.after and entry.after["enterprise_language"] == "zh_CN"
    h.deliver()
    assert h.channel_messages() == []  # the channel was already linked: nothing to announce
    again = h.last_modal()
    forged = {"text": {"type": "plain_text", "text": "Klingon"}, "value": "tlh"}
    values = fill(again, {"partnership": str(_pid(h))})
    values["enterprise_language"] = {"value": {"type": "static_select", "selected_option": forged}}
    reply = h.slack.view_submission(again, values, user_id=COORD_SCHOOL)
    assert reply.json()["errors"] == {"enterprise_language": "Choose a language from the list."}


def test_setup_takes_the_college_the_partnership_belongs_to(harness: Harness) -> None:
    """The setup form shows the partnership's college and moves it to another one (found or created by
    name); the channel, already linked, gets no second announcement."""
    from models.roster import College

    h = harness
    h.slack.command("/coop", "setup", user_id=COORD_SCHOOL, channel_id=CHANNEL)
    view = h.fake.wait_for("views.open", count=1) and h.last_modal()
    college = next(b for b in view["blocks"] if b.get("block_id") == "college")
    assert college["element"]["initial_value"] == "深圳职业技术大学" and college["optional"] is True
    assert _submit(h, view, {"partnership": str(_pid(h)), "college": "深圳职业技术大学 <b>"}, COORD_SCHOOL) == {}
    h.deliver()
    with h.db.session() as session:
        moved = session.scalar(select(Partnership).where(Partnership.name == HUAWEI))
        assert moved is not None
        assert (moved.school, moved.channel_id) == ("深圳职业技术大学 <b>", CHANNEL)
        assert session.get(College, moved.college_id).name == "深圳职业技术大学 <b>"  # type: ignore[union-attr]
    [entry] = _audits(h, "partnership.update")
    assert entry.before["school"] == "深圳职业技术大学" and entry.after["school"] == "深圳职业技术大学 <b>"  # type: ignore[index]
    assert not [m for m in h.fake.messages(CHANNEL) if "channel of the partnership" in m["text"]]


def test_setup_is_refused_to_others_and_outside_channels(harness: Harness) -> None:
    h = harness
    assert "only the partnership's coordinators" in h.slack.command("/coop", "setup", user_id=TEACHER).json()["text"]
    assert "not on a coopbot roster" in h.slack.command("/coop", "setup", user_id=NOBODY).json()["text"]
    in_dm = h.slack.command("/coop", "setup", user_id=COORD_SCHOOL, channel_id="D0DIRECT").json()["text"]
    assert "not in a direct message" in in_dm
    # another partnership's coordinator forges our partnership into their own setup form
    h.slack.command("/coop", "setup", user_id=OUTSIDER, channel_id="C0NEWCHAN")
    view = h.fake.wait_for("views.open", count=1) and h.last_modal()
    forged = {"text": {"type": "plain_text", "text": HUAWEI}, "value": str(_pid(h))}
    body = _submit(h, view, {"partnership": forged}, OUTSIDER)
    assert body["response_action"] == "errors"
    assert "only the partnership's coordinators" in body["errors"]["partnership"]
    # a channel that already belongs to another partnership
    h.slack.command("/coop", "setup", user_id=COORD_SCHOOL, channel_id=OTHER_CHANNEL)
    view = h.fake.wait_for("views.open", count=2) and h.last_modal()
    body = _submit(h, view, {"partnership": str(_pid(h))}, COORD_SCHOOL)
    assert body["errors"] == {"partnership": "This channel is already linked to another partnership."}
    assert _audits(h, "partnership.update") == []


# --- people --------------------------------------------------------------------------------------------------
def test_coordinator_adds_a_person_and_changes_roles(harness: Harness) -> None:
    h = harness
    view = _form(h, COORD_ENTERPRISE, AdminActionId.PERSON)
    assert view["title"]["text"] == "Person and roles"
    answers = {"slack_user_id": "U0NEWMENTOR", "name": "周明", "email": "zhouming@huawei.com",
               "side": "enterprise", "roles": ["mentor"]}
    assert _submit(h, view, answers, COORD_ENTERPRISE) == {}
    assert _submit(h, view, answers, COORD_ENTERPRISE) == {}  # retried: still one person, one audit entry
    [created] = _audits(h, "person.create")
    assert created.actor == COORD_ENTERPRISE and created.after == {
        "slack_user_id": "U0NEWMENTOR", "name": "周明", "email": "zhouming@huawei.com", "side": "enterprise",
        "roles": {HUAWEI: ["mentor"]}}
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)
                              .where(Person.slack_user_id == "U0NEWMENTOR")) == 1

    view = _form(h, COORD_ENTERPRISE, AdminActionId.PERSON)  # an existing person: blanks keep name and side
    assert _submit(h, view, {"slack_user_id": MENTOR, "roles": ["mentor", "member"]}, COORD_ENTERPRISE) == {}
    [updated] = _audits(h, "person.update")
    assert updated.before and updated.after
    assert updated.before["roles"] == {HUAWEI: ["mentor"]} and updated.after["roles"] == {HUAWEI: ["mentor", "member"]}
    assert updated.after["name"] == "李强"
    with h.db.session() as session:
        roles = set(session.scalars(select(Membership.role).join(Person).where(Person.slack_user_id == MENTOR)))
    assert roles == {Role.MENTOR, Role.MEMBER}


@pytest.mark.parametrize(("answers", "errors"), [
    ({"slack_user_id": "U0NEWBIE", "roles": ["teacher"], "side": "school"},
     {"name": "Enter their name: they are new to coopbot."}),
    ({"slack_user_id": "U0NEWBIE", "name": "新人", "roles": ["teacher"]},
     {"side": "Choose a side: they are new to coopbot."}),
    ({"slack_user_id": TEACHER, "side": "enterprise", "roles": ["teacher"]},
     {"side": "This person is on the roster on the college side; a person's side cannot change."}),
    ({"slack_user_id": TEACHER, "roles": ["teacher"], "email": "not-an-email"},
     {"email": "Enter an email address like name@example.com."}),
    ({"slack_user_id": TEACHER, "roles": []}, {"roles": "Choose at least one role."}),
    ({"slack_user_id": TEACHER, "roles": ["member"]},  # 王芳 teaches 张伟: the role stays until he has another
     {"roles": "This person teaches interns here (S2024001): keep the role teacher, or give those interns another "
               "teacher first (Change supervisors)."}),
], ids=["new without name", "new without side", "side change", "bad email", "no role", "demotes a teacher"])
def test_person_form_errors_come_back_inline(harness: Harness, answers: dict[str, Any],
                                            errors: dict[str, str]) -> None:
    h = harness
    body = _submit(h, _form(h, COORD_SCHOOL, AdminActionId.PERSON), answers, COORD_SCHOOL)
    assert body == {"response_action": "errors", "errors": errors}
    assert _audits(h, "person.create") == [] and _audits(h, "person.update") == []
    with h.db.session() as session:  # nothing changed, roles included
        assert set(session.scalars(select(Membership.role).join(Person).where(Person.slack_user_id == TEACHER))) == {
            Role.TEACHER}


def test_the_last_coordinator_keeps_the_role_and_others_keep_it_too(harness: Harness) -> None:
    """Taking the only coordinator's role would leave nobody to administer the partnership in Slack."""
    h = harness
    body = _submit(h, _form(h, COORD_SCHOOL, AdminActionId.PERSON),
                   {"slack_user_id": COORD_ENTERPRISE, "roles": ["member"]}, COORD_SCHOOL)
    assert body == {}  # another coordinator (陈静) is left
    body = _submit(h, _form(h, COORD_SCHOOL, AdminActionId.PERSON),
                   {"slack_user_id": COORD_SCHOOL, "roles": ["teacher"]}, COORD_SCHOOL)
    assert body == {"response_action": "errors", "errors": {"roles": (
        "Keep the role coordinator: nobody else coordinates this partnership, and without one nobody could "
        "administer it here. Make someone else coordinator first.")}}
    with h.db.session() as session:
        roles = set(session.scalars(select(Membership.role).join(Person).where(Person.slack_user_id == COORD_SCHOOL)))
    assert Role.COORDINATOR in roles


def test_a_coordinator_cannot_rename_someone_from_another_partnership(harness: Harness) -> None:
    """Olivia is on Other College–Acme's roster: 陈静 may add her to her own partnership, not change who she is."""
    h = harness
    view = _form(h, COORD_SCHOOL, AdminActionId.PERSON)
    renamed = {"slack_user_id": OUTSIDER, "name": "Renamed", "roles": ["member"]}
    assert _submit(h, view, renamed, COORD_SCHOOL)["errors"] == {"name": (
        "This person is also on the roster of a partnership you do not coordinate: leave their name as it is (its "
        "coordinators, or `coopbot people import`, can change it).")}
    view = _form(h, COORD_SCHOOL, AdminActionId.PERSON)
    moved = {"slack_user_id": OUTSIDER, "email": "attacker@evil.example", "roles": ["member"]}
    assert set(_submit(h, view, moved, COORD_SCHOOL)["errors"]) == {"email"}
    view = _form(h, COORD_SCHOOL, AdminActionId.PERSON)
    assert _submit(h, view, {"slack_user_id": OUTSIDER, "roles": ["member"]}, COORD_SCHOOL) == {}  # added, as is
    with h.db.session() as session:
        olivia = session.scalar(select(Person).where(Person.slack_user_id == OUTSIDER))
        assert olivia is not None and (olivia.name, olivia.email) == ("Olivia Smith", "olivia@example.org")


# --- interns -------------------------------------------------------------------------------------------------
GOOD_INTERN = {"student_id": "S2024009", "name": "孙七", "position": "装配", "teacher": TEACHER, "mentor": MENTOR,
               "start_date": "2027-03-01", "end_date": "2027-08-31", "birth_date": "2009-05-01"}


def test_coordinator_adds_an_intern_once(harness: Harness) -> None:
    h = harness
    view = _form(h, COORD_SCHOOL, AdminActionId.INTERN)
    assert _submit(h, view, GOOD_INTERN, COORD_SCHOOL) == {}
    assert _submit(h, view, GOOD_INTERN, COORD_SCHOOL) == {}  # retry
    [entry] = _audits(h, "intern.create")
    assert entry.actor == COORD_SCHOOL and entry.after and entry.after["teacher"] == TEACHER
    assert entry.after["partnership"] == HUAWEI and entry.after["birth_date"] == "2009-05-01"
    pid = _pid(h)
    with h.db.session() as session:
        [intern] = session.scalars(select(Intern).where(Intern.student_id == "S2024009")).all()
        assert intern.partnership_id == pid and str(intern.birth_date) == "2009-05-01"


INTERN_ERRORS = [
    ("teacher on the wrong side", {"teacher": MENTOR}, "teacher",
     "A teacher must be on the college side; this person is on the enterprise side."),
    ("mentor without the role", {"mentor": MEMBER}, "mentor",
     "This person is not a mentor in this partnership: give them that role first."),
    ("unknown teacher", {"teacher": NOBODY}, "teacher",
     "This person is not on the roster yet: add them first (Person and roles)."),
    ("another partnership's mentor", {"mentor": "U0MENTOR2"}, "mentor",
     "This person is not a mentor in this partnership: give them that role first."),
    ("end before start", {"end_date": "2027-02-01"}, "end_date", "The end date cannot be before the start date."),
]


@pytest.mark.parametrize(("change", "field", "words"), [c[1:] for c in INTERN_ERRORS],
                         ids=[c[0] for c in INTERN_ERRORS])
def test_intern_form_applies_the_import_rules(harness: Harness, tmp_path: Path, change: dict[str, str], field: str,
                                              words: str) -> None:
    h = harness
    answers = GOOD_INTERN | change
    body = _submit(h, _form(h, COORD_SCHOOL, AdminActionId.INTERN), answers, COORD_SCHOOL)
    assert body == {"response_action": "errors", "errors": {field: words}}
    # the CLI refuses the same row, naming the same field
    row = ",".join(answers[k] if k != "partnership" else HUAWEI for k in (
        "student_id", "name", "partnership", "teacher", "mentor", "start_date", "end_date", "position", "birth_date"))
    path = tmp_path / "one.csv"
    path.write_text("student_id,name,partnership,teacher,mentor,start_date,end_date,position,birth_date\n"
                    + row + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_interns(h.db, path)
    assert [p.split(": ")[1] for p in failed.value.problems] == [field]


def test_an_existing_student_id_is_not_added_again(harness: Harness) -> None:
    h = harness
    body = _submit(h, _form(h, COORD_SCHOOL, AdminActionId.INTERN), GOOD_INTERN | {"student_id": "S2024001"},
                   COORD_SCHOOL)
    assert body["errors"] == {"student_id": "This student id is already on the roster."}


def test_every_field_error_of_the_intern_form_comes_back_in_one_answer(harness: Harness) -> None:
    """The row's own rules (the end before the start) and the roster's (a student id taken, a teacher on the
    wrong side, a mentor without the role) in one answer, not one round each."""
    h = harness
    body = _submit(h, _form(h, COORD_SCHOOL, AdminActionId.INTERN), GOOD_INTERN | {
        "student_id": "S2024001", "teacher": MENTOR, "mentor": MEMBER, "end_date": "2027-02-01"}, COORD_SCHOOL)
    assert body == {"response_action": "errors", "errors": {
        "end_date": "The end date cannot be before the start date.",
        "student_id": "This student id is already on the roster.",
        "teacher": "A teacher must be on the college side; this person is on the enterprise side.",
        "mentor": "This person is not a mentor in this partnership: give them that role first."}}
    assert _audits(h, "intern.create") == []


def test_every_field_error_of_the_person_form_comes_back_in_one_answer(harness: Harness) -> None:
    h = harness
    body = _submit(h, _form(h, COORD_SCHOOL, AdminActionId.PERSON),
                   {"slack_user_id": TEACHER, "side": "enterprise", "roles": ["member"], "email": "not-an-email"},
                   COORD_SCHOOL)
    assert body == {"response_action": "errors", "errors": {
        "email": "Enter an email address like name@example.com.",
        "side": "This person is on the roster on the college side; a person's side cannot change.",
        "roles": "This person teaches interns here (S2024001): keep the role teacher, or give those interns another "
                 "teacher first (Change supervisors)."}}
    assert _audits(h, "person.update") == []


# --- supervisors and ending early ----------------------------------------------------------------------------
def test_change_supervisors_and_end_early_are_audited(harness: Harness) -> None:
    h = harness
    intern_id = str(h.intern_id("S2024001"))
    view = _form(h, COORD_SCHOOL, AdminActionId.SUPERVISORS)
    assert _submit(h, view, {"intern": intern_id}, COORD_SCHOOL)["errors"] == {
        "teacher": "Choose a new teacher or a new mentor."}
    assert _submit(h, view, {"intern": intern_id, "teacher": MENTOR}, COORD_SCHOOL)["errors"] == {
        "teacher": "A teacher must be on the college side; this person is on the enterprise side."}
    assert _submit(h, view, {"teacher": MENTOR}, COORD_SCHOOL)["errors"] == {  # no intern chosen: all at once
        "intern": "Choose an intern of this partnership.",
        "teacher": "A teacher must be on the college side; this person is on the enterprise side."}
    assert _submit(h, view, {"intern": intern_id, "teacher": OTHER_TEACHER}, COORD_SCHOOL) == {}
    [entry] = _audits(h, "intern.supervisors")
    assert entry.before == {"teacher": TEACHER, "mentor": MENTOR}
    assert entry.after == {"teacher": OTHER_TEACHER, "mentor": MENTOR}

    view = _form(h, COORD_ENTERPRISE, AdminActionId.END)
    errors = _submit(h, view, {"intern": intern_id, "end_date": "2027-07-01", "reason": "   "}, COORD_ENTERPRISE)
    assert errors["errors"] == {"reason": "Give the reason (at most 1,000 characters).",
                                "end_date": "To end it early, pick a day before its planned end date."}
    errors = _submit(h, view, {"reason": "   "}, COORD_ENTERPRISE)  # no intern, no date: all at once
    assert errors["errors"] == {"intern": "Choose an intern of this partnership.",
                                "reason": "Give the reason (at most 1,000 characters).",
                                "end_date": "Pick the end date."}
    errors = _submit(h, view, {"intern": intern_id, "end_date": "2026-08-01", "reason": "x"}, COORD_ENTERPRISE)
    assert errors["errors"] == {"end_date": "The end date cannot be before the start date."}
    answers = {"intern": intern_id, "end_date": "2027-01-15", "reason": "转学，提前结束实习"}
    assert _submit(h, view, answers, COORD_ENTERPRISE) == {}
    assert _submit(h, view, answers, COORD_ENTERPRISE) == {}  # retry
    [ended] = _audits(h, "intern.end_early")
    assert ended.before == {"end_date": "2027-06-30", "end_reason": None}
    assert ended.after == {"end_date": "2027-01-15", "end_reason": "转学，提前结束实习"}
    with h.db.session() as session:
        intern = session.get(Intern, int(intern_id))
        assert intern is not None and str(intern.end_date) == "2027-01-15" and intern.end_reason == "转学，提前结束实习"


def test_other_partnerships_interns_cannot_be_picked_or_forged(harness: Harness) -> None:
    h = harness
    view = _form(h, COORD_SCHOOL, AdminActionId.SUPERVISORS)
    options = h.slack.block_suggestion(user_id=COORD_SCHOOL, action_id=AdminActionId.INTERN_SELECT, block_id="intern",
                                       value="", view=view).json()["options"]
    assert {o["text"]["text"] for o in options} == {"张伟 (S2024001)", "欧阳娜娜 (S2024002)"}
    assert h.slack.block_suggestion(user_id=OUTSIDER, action_id=AdminActionId.INTERN_SELECT, block_id="intern",
                                    value="", view=view).json()["options"] == []
    forged = {"text": {"type": "plain_text", "text": "Tom"}, "value": str(h.intern_id("A0001"))}
    body = _submit(h, view, {"intern": forged, "teacher": OTHER_TEACHER}, COORD_SCHOOL)
    assert body["errors"] == {"intern": "Choose an intern of this partnership."}


# --- who may ---------------------------------------------------------------------------------------------------
def test_only_the_partnerships_coordinators_administer(harness: Harness) -> None:
    h = harness
    for user in (TEACHER, MENTOR, MEMBER):
        assert "only the partnership's coordinators" in h.slack.command("/coop", "admin", user_id=user).json()["text"]
    assert "not on a coopbot roster" in h.slack.command("/coop", "admin", user_id=NOBODY).json()["text"]
    # another partnership's coordinator: their own menu only; our partnership's buttons are refused
    menu = h.open_modal("/coop", OUTSIDER, "admin")
    assert [b["elements"][0]["value"] for b in menu["blocks"] if b["type"] == "actions"] == [
        str(_pid(h, "Other College–Acme"))]
    h.slack.block_action(user_id=OUTSIDER, action_id=AdminActionId.INTERN, value=str(_pid(h)), view=menu,
                         channel_id=None)
    h.settle()
    [pushed] = [c.args["view"] for c in h.fake.calls_to("views.push")]  # no form: the refusal, over the menu
    assert pushed["title"]["text"] == "coopbot" and "only the partnership's coordinators" in str(pushed["blocks"])
    assert not h.dms_to(OUTSIDER)
    # …and a form of their own partnership, its metadata forged to ours
    view = _form(h, OUTSIDER, AdminActionId.INTERN, _pid(h, "Other College–Acme"))
    view["private_metadata"] = view["private_metadata"].replace(str(_pid(h, "Other College–Acme")), str(_pid(h)))
    body = _submit(h, view, GOOD_INTERN, OUTSIDER)
    assert "only the partnership's coordinators" in body["errors"]["student_id"]
    assert _audits(h, "intern.create") == []


def test_app_home_administer_button_opens_the_menu(harness: Harness) -> None:
    h = harness
    h.slack.block_action(user_id=COORD_SCHOOL, action_id=AdminActionId.OPEN_MENU, channel_id=None)
    h.fake.wait_for("views.open", count=1)
    menu = h.last_modal()
    assert menu["title"]["text"] == "Administer"
    assert {e["action_id"] for b in menu["blocks"] if b["type"] == "actions" for e in b["elements"]} == {
        AdminActionId.PERSON, AdminActionId.INTERN, AdminActionId.SUPERVISORS, AdminActionId.END}
    h.slack.block_action(user_id=TEACHER, action_id=AdminActionId.OPEN_MENU, channel_id=None)
    h.settle()
    assert len(h.fake.calls_to("views.open")) == 1
    assert any("only the partnership's coordinators" in text for text in h.dms_to(TEACHER))
