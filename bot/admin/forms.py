"""The administration modals: each built here, read back here, and its errors worded here.

Block ids are the CSV columns of the imports (`slack_user_id`, `roles`, `student_id`, `teacher`, …),
so a rule broken in Slack is reported on the block that the CLI would name as the field.
"""

from __future__ import annotations

import enum
import json
from datetime import date
from typing import Any

from bot.admin.service import EndForm, InternForm, PartnershipChoice, PersonForm, SupervisorsForm
from bot.i18n.catalog import LANGUAGE_NAMES, N_, Translator
from bot.roster.rules import RosterProblem
from bot.slack.blocks import actions, button, context, plain, section
from bot.slack.forms import State, input_block, modal, option, read
from bot.slack.text import escape_within
from models.roster import Role, Side


class AdminCallback(enum.StrEnum):
    SETUP = "admin_setup"
    MENU = "admin_menu"
    PERSON = "admin_person"
    INTERN = "admin_intern"
    SUPERVISORS = "admin_supervisors"
    END = "admin_end"


class AdminActionId(enum.StrEnum):
    OPEN_MENU = "admin_open_menu"  # the App Home "Administer" button
    PERSON = "admin_open_person"
    INTERN = "admin_open_intern"
    SUPERVISORS = "admin_open_supervisors"
    END = "admin_open_end"
    INTERN_SELECT = "admin_intern_select"  # external_select: options from our options handler


ROLE_LABELS = {Role.TEACHER: N_("Teacher"), Role.MENTOR: N_("Mentor"), Role.COORDINATOR: N_("Coordinator"),
               Role.MEMBER: N_("Member of the cooperation group")}
SIDE_LABELS = {Side.SCHOOL: N_("College"), Side.ENTERPRISE: N_("Enterprise")}
MENU_BUTTONS = {AdminActionId.PERSON: N_("Person and roles"), AdminActionId.INTERN: N_("Add an intern"),
                AdminActionId.SUPERVISORS: N_("Change supervisors"), AdminActionId.END: N_("End an internship")}
FORM_CALLBACKS = {AdminActionId.PERSON: AdminCallback.PERSON, AdminActionId.INTERN: AdminCallback.INTERN,
                  AdminActionId.SUPERVISORS: AdminCallback.SUPERVISORS, AdminActionId.END: AdminCallback.END}


def _text(block_id: str, label: str, *, optional: bool = False, hint: str | None = None, multiline: bool = False,
          max_length: int = 200) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    return input_block(block_id, label, element, optional=optional, hint=hint)


def _user(block_id: str, label: str, *, optional: bool = False, hint: str | None = None) -> dict[str, Any]:
    return input_block(block_id, label, {"type": "users_select", "action_id": "value"}, optional=optional, hint=hint)


def _date(block_id: str, label: str, *, optional: bool = False, initial: date | None = None,
          hint: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return input_block(block_id, label, element, optional=optional, hint=hint)


def _intern_picker(t: Translator) -> dict[str, Any]:
    return input_block("intern", t.gettext("Intern"), {
        "type": "external_select", "action_id": AdminActionId.INTERN_SELECT, "min_query_length": 0,
        "placeholder": plain(t.gettext("Type a name or student id"))})


def _about(partnership: PartnershipChoice) -> dict[str, Any]:
    return context(escape_within(partnership.name, 2000))


SETUP_SHARED, SETUP_SCHOOL_SIDE = "shared", "school"  # `/coop setup`: which of the partnership's channels


def setup_modal(t: Translator, channel_id: str, choices: list[PartnershipChoice]) -> dict[str, Any]:
    """`/coop setup`: which of the caller's partnerships this channel becomes the channel of."""
    _ = t.gettext
    options = [option(c.name, str(c.id)) for c in choices[:100]]
    picker: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
    if len(options) == 1:
        picker["initial_option"] = options[0]
    text = _("<#{channel}> will become the partnership's channel: problem reports, meetings and digests are "
             "posted there.").format(channel=channel_id)
    shared = option(_("The partnership's channel (shared with the enterprise)"), SETUP_SHARED)
    school = option(_("The school-side channel (private, college people only): reports kept from the enterprise"),
                    SETUP_SCHOOL_SIDE)
    college: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 200}
    if len(choices) == 1 and choices[0].college:
        college["initial_value"] = choices[0].college
    blocks = [section(text), input_block("partnership", _("Partnership"), picker),
              input_block("use", _("Link it as"), {"type": "radio_buttons", "action_id": "value",
                                                   "options": [shared, school], "initial_option": shared}),
              input_block("college", _("College"), college, optional=True,
                          hint=_("The college the partnership belongs to; its deans see every partnership of it. "
                                 "Leave empty to keep the current one.")),
              *(side_language_block(block_id, label, t) for block_id, label in (
                  ("school_language", _("The college's people read")),
                  ("enterprise_language", _("The enterprise's people read"))))]
    return modal(AdminCallback.SETUP, _("Link this channel"), blocks, submit=_("Link"), close=_("Cancel"),
                 private_metadata=json.dumps({"channel_id": channel_id}))


SAME_LANGUAGE = "partnership"  # a side's language picker: "the partnership's language" (none of its own)


def side_language_block(block_id: str, label: str, t: Translator) -> dict[str, Any]:
    """An optional picker of one side's language, for its people whose Slack gives none (people of another
    Slack organization); left empty, the side keeps what it had. Language names are shown in themselves."""
    options = [option(name, code) for code, name in LANGUAGE_NAMES.items()]
    options.append(option(t.gettext("The partnership's language"), SAME_LANGUAGE))
    return input_block(block_id, label, {"type": "static_select", "action_id": "value", "options": options},
                       optional=True, hint=t.gettext("For those who chose no language and whose Slack gives none "
                                                     "(people of another Slack organization). Empty: unchanged."))


def read_side_languages(values: State) -> dict[str, str | None]:
    """{"school_language"|"enterprise_language": a language, or None for the partnership's} for the pickers
    answered; raises nothing: the service refuses a language we do not have."""
    found: dict[str, str | None] = {}
    for block_id in ("school_language", "enterprise_language"):
        picked = _str(values, block_id)
        if picked:
            found[block_id] = None if picked == SAME_LANGUAGE else picked
    return found


def menu_modal(t: Translator, choices: list[PartnershipChoice]) -> dict[str, Any]:
    """`/coop admin` or App Home → Administer: what to change, per partnership the caller coordinates."""
    _ = t.gettext
    blocks: list[dict[str, Any]] = []
    for c in choices[:45]:  # two blocks each, within Slack's 100
        outsiders = ""
        if c.external or c.guests:  # they cannot use slash commands: the channel's panel is theirs
            outsiders = "\n" + _("⇄ {external} of another Slack organization, {guests} guests: they start "
                                  "everything from the channel's coopbot panel.").format(
                external=c.external, guests=c.guests)
        blocks.append(section(f"*{escape_within(c.name, 2000)}* · <#{c.channel_id}>{outsiders}"))
        blocks.append(actions([button(action, _(label), c.id) for action, label in MENU_BUTTONS.items()],
                              block_id=f"admin:{c.id}"))
    return modal(AdminCallback.MENU, _("Administer"), blocks, submit=None, close=_("Close"))


def form_modal(action: AdminActionId, t: Translator, partnership: PartnershipChoice) -> dict[str, Any]:
    """The form behind one of the menu's buttons, for one partnership (its id rides in private_metadata:
    it says which partnership, and the service checks again who may change it)."""
    _ = t.gettext
    keep = _("Leave empty to keep the current one.")
    blocks: list[dict[str, Any]] = [_about(partnership)]
    if action == AdminActionId.PERSON:
        new_only = _("Needed only for someone new to coopbot.")
        blocks += [
            _user("slack_user_id", _("Person")),
            _text("name", _("Name"), optional=True, hint=new_only),
            input_block("email", _("Email"), {"type": "email_text_input", "action_id": "value"}, optional=True),
            input_block("side", _("Side"), {"type": "static_select", "action_id": "value", "options": [
                option(_(label), side.value) for side, label in SIDE_LABELS.items()]}, optional=True,
                hint=_("Needed only for someone new; a person's side cannot change.")),
            input_block("roles", _("Roles in this partnership"), {"type": "checkboxes", "action_id": "value",
                        "options": [option(_(label), role.value) for role, label in ROLE_LABELS.items()]},
                        hint=_("Their roles here become exactly these.")),
        ]
        title = _("Person and roles")
    elif action == AdminActionId.INTERN:
        blocks += [
            _text("student_id", _("Student id"), max_length=64), _text("name", _("Name")),
            _text("position", _("Position")), _user("teacher", _("Teacher")), _user("mentor", _("Mentor")),
            _date("start_date", _("Start date")), _date("end_date", _("End date")),
            _date("birth_date", _("Birth date"), optional=True,
                  hint=_("Guardian consent is required for interns under 18.")),
        ]
        title = _("Add an intern")
    elif action == AdminActionId.SUPERVISORS:
        blocks += [_intern_picker(t), _user("teacher", _("New teacher"), optional=True, hint=keep),
                   _user("mentor", _("New mentor"), optional=True, hint=keep)]
        title = _("Change supervisors")
    else:
        blocks += [_intern_picker(t), _date("end_date", _("Last day"), initial=partnership.today),
                   _text("reason", _("Reason"), multiline=True, max_length=1000)]
        title = _("End an internship")
    return modal(FORM_CALLBACKS[action], title, blocks, submit=_("Save"), close=_("Back"),
                 private_metadata=json.dumps({"partnership_id": partnership.id}))


def _str(values: State, block_id: str) -> str | None:
    value = read(values, block_id)
    return str(value) if value not in (None, "") else None


def as_id(value: Any) -> int | None:
    """A positive id from a form value or button, or None if it is missing or forged."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def read_person(values: State) -> PersonForm:
    roles = read(values, "roles")
    return PersonForm(_str(values, "slack_user_id"), _str(values, "name"), _str(values, "email"),
                      _str(values, "side"), tuple(str(r) for r in roles) if isinstance(roles, list) else ())


def read_intern(values: State) -> InternForm:
    fields = ("student_id", "name", "teacher", "mentor", "start_date", "end_date", "position", "birth_date")
    return InternForm(*(_str(values, f) for f in fields))


def read_supervisors(values: State) -> SupervisorsForm:
    return SupervisorsForm(as_id(read(values, "intern")), _str(values, "teacher"), _str(values, "mentor"))


def read_end(values: State) -> EndForm:
    return EndForm(as_id(read(values, "intern")), _str(values, "end_date"), _str(values, "reason"))


def metadata_int(private_metadata: str, key: str) -> int | None:
    try:
        return as_id(json.loads(private_metadata or "{}").get(key))
    except (ValueError, AttributeError):
        return None


def metadata_channel(private_metadata: str) -> str:
    try:
        return str(json.loads(private_metadata or "{}").get("channel_id") or "")
    except (ValueError, AttributeError):
        return ""


def errors(problems: dict[str, str | RosterProblem], t: Translator) -> dict[str, str]:
    """Block id → words, for `response_action: errors`."""
    return {block: (roster_error(p, t) if isinstance(p, RosterProblem) else field_error(block, p, t))
            for block, p in problems.items()}


def roster_error(problem: RosterProblem, t: Translator) -> str:
    """The Slack words for the rules the imports share (bot.roster.rules.cli_message is the CLI's)."""
    _ = t.gettext
    teacher = problem.field == "teacher"
    if problem.code == "unknown_person":
        return _("This person is not on the roster yet: add them first (Person and roles).")
    if problem.code == "wrong_side":
        return (_("A teacher must be on the college side; this person is on the enterprise side.") if teacher
                else _("A mentor must be on the enterprise side; this person is on the college side."))
    if problem.code == "missing_role":
        return (_("This person is not a teacher in this partnership: give them that role first.") if teacher
                else _("This person is not a mentor in this partnership: give them that role first."))
    if problem.code == "supervises":
        interns = _(", ").join(problem.student_ids[:3])
        if len(problem.student_ids) > 3:
            interns = _("{items}, …").format(items=interns)
        words = (_("This person teaches interns here ({interns}): keep the role teacher, or give those interns "
                   "another teacher first (Change supervisors).") if problem.role == Role.TEACHER.value
                 else _("This person mentors interns here ({interns}): keep the role mentor, or give those interns "
                        "another mentor first (Change supervisors)."))
        return words.format(interns=interns)
    return (_("This person is on the roster on the college side; a person's side cannot change.")
            if problem.side == Side.SCHOOL.value
            else _("This person is on the roster on the enterprise side; a person's side cannot change."))


_FIELD_WORDS = {
    "college": N_("Enter the college's name: at most 200 characters, without control characters."),
    "slack_user_id": N_("Choose a person."),
    "email": N_("Enter an email address like name@example.com."),
    "side": N_("Choose a side: they are new to coopbot."),
    "roles": N_("Choose at least one role."),
    "student_id": N_("Enter the student id (at most 64 characters)."),
    "position": N_("Enter the position (at most 200 characters)."),
    "teacher": N_("Choose a teacher."),
    "mentor": N_("Choose a mentor."),
    "start_date": N_("Pick the start date."),
    "end_date": N_("Pick the end date."),
    "birth_date": N_("Pick a real date."),
    "intern": N_("Choose an intern of this partnership."),
    "reason": N_("Give the reason (at most 1,000 characters)."),
    "partnership": N_("Choose a partnership."),
}
_CODE_WORDS = {
    ("name", "missing"): N_("Enter their name: they are new to coopbot."),
    ("name", "invalid"): N_("Enter a name of at most 200 characters, without control characters."),
    ("student_id", "student_exists"): N_("This student id is already on the roster."),
    ("teacher", "nothing_chosen"): N_("Choose a new teacher or a new mentor."),
    ("end_date", "before_start"): N_("The end date cannot be before the start date."),
    ("end_date", "not_earlier"): N_("To end it early, pick a day before its planned end date."),
    ("birth_date", "birth_after_start"): N_("The birth date must be before the start date."),
    ("partnership", "bad_channel"): N_("Run `/coop setup` in the channel to link, not in a direct message."),
    ("partnership", "channel_taken"): N_("This channel is already linked to another partnership."),
    ("use", "college_only"): N_("Only the college's coordinators can link the school-side channel."),
    ("roles", "last_coordinator"): N_("Keep the role coordinator: nobody else coordinates this partnership, and "
                                      "without one nobody could administer it here. Make someone else coordinator "
                                      "first."),
    ("name", "shared_person"): N_("This person is also on the roster of a partnership you do not coordinate: "
                                  "leave their name as it is (its coordinators, or `coopbot people import`, can "
                                  "change it)."),
    ("side", "side_fixed"): N_("This person is already in coopbot, and a person's side cannot change."),
    ("school_language", "unknown_language"): N_("Choose a language from the list."),
    ("enterprise_language", "unknown_language"): N_("Choose a language from the list."),
    ("email", "shared_person"): N_("This person is also on the roster of a partnership you do not coordinate: "
                                   "leave their email as it is (its coordinators, or `coopbot people import`, can "
                                   "change it)."),
}


def field_error(block: str, code: str, t: Translator) -> str:
    words = _CODE_WORDS.get((block, code)) or _FIELD_WORDS.get(block) or N_("Check this field.")
    return t.gettext(words)
