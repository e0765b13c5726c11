"""Tenants never see each other (issue #21; docs/decisions/0012, Scope): two colleges and two companies have
installed coopbot through the OAuth flow, each pair linked to its own partnership. Every request a listener
answers — derived from the listeners the app registers, so a new one cannot be forgotten — is sent through one
pair's installations naming the other pair's things: nothing changes, and the answer is word for word the one
for a thing that does not exist. The same request through the right installation works (the control).

The partnerships' things are seeded so that the first pair's all have id 1 (its partnership, intern, problem,
meeting, action item, exchange, opening, recommendation, ledger entry, held message) and the second pair's id 2:
one value, "1", names the first pair's thing whatever kind a button or form carries."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bot.devtools.slack_requests import Reply, SlackRequests, fill
from bot.roster.importer import import_interns, import_people
from bot.roster.partnerships import add_partnership
from bot.storage.db import Database
from models.base import Base
from models.cooperation import LedgerEntry
from models.delivery import HeldMessage
from models.exchange import Exchange
from models.meeting import ActionItem, Meeting
from models.problem import Problem
from models.recruitment import Opening, Recommendation
from models.roster import Intern, Partnership, Person
from models.schemas import PartnershipInput
from tests.support import exchanges, meetings
from tests.support.harness import Harness
from tests.support.installs import (
    COLLEGE,
    COMPANY,
    bot_token,
    install,
    link_both,
    running_oauth_app,
    slack_from,
    token_of,
)

OTHER_COLLEGE, OTHER_COMPANY = "T0COLLEGEB", "T0COMPANYB"
A_NAME, B_NAME = "深职院–华为", "Other College–Acme"
A_CHANNEL, B_CHANNEL = "C0PARTNER", "C0OTHER"
# The first pair's people; BOTH coordinates both partnerships (one Slack user on both rosters).
TEACHER_A, COORD_A, MENTOR_A, COORD_E_A = "U0TEACHER", "U0COORDS", "U0MENTOR", "U0COORDE"
BOTH = "U0BOTHSIDE"
# The second pair's.
TEACHER_B, MENTOR_B, COORD_E_B = "U0OUTSIDER", "U0MENTOR2", "U0COORDB"

PEOPLE = f"""slack_user_id,name,email,side,roles,partnership
{TEACHER_A},王芳,wangfang@szpt.edu.cn,school,teacher,{A_NAME}
{COORD_A},陈静,chenjing@szpt.edu.cn,school,coordinator;teacher,{A_NAME}
{MENTOR_A},李强,liqiang@huawei.com,enterprise,mentor,{A_NAME}
{COORD_E_A},张敏,zhangmin@huawei.com,enterprise,coordinator,{A_NAME}
{BOTH},周通,zhoutong@example.org,school,coordinator;teacher,{A_NAME}
{BOTH},周通,zhoutong@example.org,school,coordinator;teacher,{B_NAME}
{TEACHER_B},Olivia Smith,olivia@other.example,school,teacher;coordinator,{B_NAME}
{MENTOR_B},Bob Lee,bob@acme.example,enterprise,mentor,{B_NAME}
{COORD_E_B},Carol King,carol@acme.example,enterprise,coordinator,{B_NAME}
"""
INTERNS = f"""student_id,name,partnership,teacher,mentor,start_date,end_date,position
S2024001,张伟,{A_NAME},{TEACHER_A},{MENTOR_A},2026-09-01,2027-06-30,软件测试
A0001,Tom Jones,{B_NAME},{TEACHER_B},{MENTOR_B},2026-09-01,2027-06-30,Welder
"""

A_ID, MISSING_ID = "1", "999999"
# What names the first pair's things in a request's words, and what names nothing (the same shape).
A_WORDS = {A_NAME: "Nowhere College–Nobody", A_CHANNEL: "C0NOWHERE", "S2024001": "S9999999", "张伟": "无此人"}
# Rows that change on any request, whoever it names: request bookkeeping, installations, what people's own
# Slack organization is (learnt from each request), the scheduler's leases.
BOOKKEEPING = {"processed_request", "lease", "job_run", "slack_bots", "slack_installations", "slack_oauth_states",
               "person", "outbox_message"}  # what is queued is compared on its own (`queued`)
# Slack calls that say nothing of what was asked: a token's check, a person's locale (cached after the first).
NOISE = {"auth.test", "oauth.v2.access", "oauth.authorize", "users.info"}
VOLATILE = {"trigger_id", "_path", "view_id", "hash", "ts", "action_ts", "response_url", "id", "event_ts"}
# Listeners that answer no person: Slack's own notices about an installation (they remove it).
NOT_REQUESTS = {"app_uninstalled", "tokens_revoked"}
Send = Callable[[SlackRequests, str, bool], Reply]  # (through, as whom, naming nothing?) -> the reply


# --- the four organizations --------------------------------------------------------------------------------
@contextmanager
def four_tenants(db: Database, tmp_path: Path) -> Iterator[Harness]:
    _ids_from_one(db)
    add_partnership(db, PartnershipInput(name=A_NAME, school="深圳职业技术大学", enterprise="华为技术有限公司",
                                         channel_id=A_CHANNEL, timezone="Asia/Shanghai"))
    add_partnership(db, PartnershipInput(name=B_NAME, school="Other College", enterprise="Acme Ltd",
                                         channel_id=B_CHANNEL, timezone="Asia/Shanghai"))
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    import_people(db, tmp_path / "people.csv")
    (tmp_path / "interns.csv").write_text(INTERNS, encoding="utf-8")
    import_interns(db, tmp_path / "interns.csv")
    link_both(db, A_NAME, COLLEGE, COMPANY)
    link_both(db, B_NAME, OTHER_COLLEGE, OTHER_COMPANY)
    with running_oauth_app(db) as h:
        h.fake.oauth.add_workspace(OTHER_COLLEGE, "Other College", bot_user_id="U0BOTCOLLB")
        h.fake.oauth.add_workspace(OTHER_COMPANY, "Acme Ltd", bot_user_id="U0BOTCOMPB")
        for workspace in (COLLEGE, COMPANY, OTHER_COLLEGE, OTHER_COMPANY):
            assert install(h, workspace)[0] == 200
        _seed(h)
        yield h


def _ids_from_one(db: Database) -> None:
    """PostgreSQL: the tables are emptied between tests, their id sequences not; start them at 1 again."""
    if db.is_sqlite:
        return
    from sqlalchemy import text

    with db.engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement in (True, "auto") and table.c.id.primary_key:
                connection.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), 1, false) "
                                        "WHERE pg_get_serial_sequence(:t, 'id') IS NOT NULL"), {"t": table.name})


def through(h: Harness, workspace: str) -> Harness:
    """The harness with its requests sent from `workspace` (the support flows send through `h.slack`)."""
    from dataclasses import replace

    return replace(h, slack=slack_from(h, workspace))


def _seed(h: Harness) -> None:
    """Each pair's things through its own installations, the first pair's first (ids 1, then 2)."""
    a, b = through(h, COLLEGE), through(h, OTHER_COLLEGE)
    for side, teacher, coordinator, student in ((a, TEACHER_A, COORD_A, "S2024001"),
                                                (b, TEACHER_B, TEACHER_B, "A0001")):
        assert side.report(teacher, student_id=student).text == ""
        side.settle()
        reply, _ = meetings.schedule(side, coordinator)
        assert reply.text == "", reply.text
        side.settle()
        assert exchanges.request(side, teacher).text == ""
        side.settle()
    today = date.today()
    with h.db.transaction() as session:
        people = {p.slack_user_id: p.id for p in session.scalars(select(Person))}
        for n, owner, poster in ((1, COORD_A, COORD_E_A), (2, TEACHER_B, COORD_E_B)):
            session.execute(insert(ActionItem).values(meeting_id=n, owner_id=people[owner], text=f"整理清单 {n}",
                                                      due_date=today + timedelta(days=14)))
            session.execute(insert(Opening).values(partnership_id=n, title=f"测试工程师 {n}", post="测试", number=2,
                                                   deadline=today + timedelta(days=30), posted_by_id=people[poster],
                                                   source_key=f"seed-opening-{n}"))
            session.execute(insert(Recommendation).values(opening_id=n, intern_id=n, recommended_by_id=people[owner],
                                                          status="recommended"))
            session.execute(insert(LedgerEntry).values(partnership_id=n, kind="consultancy", title=f"咨询 {n}",
                                                       started_on=today, created_by_id=people[owner]))
            session.execute(insert(HeldMessage).values(outbox_id=900000 + n, user=BOTH, partnership_id=n,
                                                       reason="dm_refused", text=f"held {n}"))
    with h.db.session() as session:
        for model in (Partnership, Intern, Problem, Meeting, ActionItem, Exchange, Opening, Recommendation,
                      LedgerEntry, HeldMessage):
            assert session.scalars(select(model.id).order_by(model.id)).all() == [1, 2], model.__name__
            assert session.scalar(select(func.count()).select_from(model)) == 2


# --- what a request did ---------------------------------------------------------------------------------
def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table but the bookkeeping, as text."""
    with db.engine.connect() as connection:
        return {t.name: sorted(repr(tuple(r)) for r in connection.execute(select(t)))
                for t in Base.metadata.sorted_tables if t.name not in BOOKKEEPING}


def queued(db: Database, after: int) -> list[str]:
    """The outbox rows queued after row `after`: their kind and words (what someone would be sent)."""
    from models.delivery import OutboxMessage

    with db.session() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id))
        return [json.dumps(_stable({"kind": r.kind, "payload": _readable(r.payload)}), ensure_ascii=False,
                           sort_keys=True) for r in rows]


def _readable(payload: dict[str, Any]) -> dict[str, Any]:
    """A queued file as its words (a PDF's bytes differ from one build to the next by its creation time)."""
    import base64

    from tests.support.reviews import pdf_text

    content = payload.get("content_b64")
    if not isinstance(content, str):
        return payload
    data = base64.b64decode(content)
    words = pdf_text(data) if data.startswith(b"%PDF") else f"{len(data)} bytes"
    return {**payload, "content_b64": words}


def last_queued(db: Database) -> int:
    from models.delivery import OutboxMessage

    with db.session() as session:
        return int(session.scalar(select(func.max(OutboxMessage.id))) or 0)


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def answer(h: Harness, send: Callable[[], Reply]) -> str:
    """What the person saw: the HTTP answer (a modal's errors, an options list) and every Slack call made for
    the request, without what differs from one request to the next (trigger ids, timestamps)."""
    before = len(h.fake.calls)
    reply = send()
    h.settle()
    try:
        body: Any = json.loads(reply.text) if reply.text else ""
    except ValueError:
        body = reply.text
    calls = [(c.method, _stable(c.args)) for c in h.fake.calls[before:] if c.method not in NOISE]
    return json.dumps([reply.status, _stable(body), calls], ensure_ascii=False, sort_keys=True)


def as_missing(text: str) -> str:
    """An answer about the first pair's things, with their names put as those of nothing."""
    for words, nothing in A_WORDS.items():
        text = text.replace(words, nothing)
    return text


# --- every listener, as the app registered it -------------------------------------------------------------
def registered(h: Harness) -> list[tuple[str, str]]:
    """(kind, id) of every listener the app answers: command, action, view_submission, options or event, read
    from Bolt's matchers (the constants their builders closed over)."""
    found: list[tuple[str, str]] = []
    for listener in h.runtime.app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func")  # noqa: B009 (a CustomListenerMatcher's; the type names no such field)
            kind = func.__qualname__.split(".")[0]
            constants = [c.cell_contents for c in func.__closure__ or ()
                         if isinstance(c.cell_contents, str)]
            found += [(kind, str(c)) for c in constants]
    assert len(found) > 60, found
    return found


def _replace_ids(value: Any, target: str) -> Any:
    """A form's state and metadata with every id of the first pair's things ("1") put as `target`."""
    if isinstance(value, dict):
        return {k: _replace_ids(v, target) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_ids(v, target) for v in value]
    if isinstance(value, bool):
        return value
    if value == int(A_ID) or value == A_ID:
        return type(value)(target)
    return value


def _generic_answers(view: dict[str, Any], user: str) -> dict[str, Any]:
    """Plausible answers to every input of a modal: its initial values, else one of its options (the first
    pair's thing where it lists one), a date a week on, a time, some words."""
    answers = meetings.initial_answers(view)
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        block_id = block.get("block_id")
        if block.get("type") != "input" or block_id in answers:
            continue
        kind = element.get("type")
        if kind == "datepicker":
            answers[block_id] = (date.today() + timedelta(days=7)).isoformat()
        elif kind == "timepicker":
            answers[block_id] = "14:30"
        elif kind in ("static_select", "radio_buttons"):
            options = element.get("options") or [o for g in element.get("option_groups") or [] for o in g["options"]]
            chosen = next((o for o in options if o["value"] == A_ID), options[0] if options else None)
            if chosen is not None:
                answers[block_id] = chosen["value"]
        elif kind == "checkboxes":
            answers[block_id] = [o["value"] for o in element.get("options") or []]
        elif kind in ("users_select", "multi_users_select"):
            answers[block_id] = [user] if kind.startswith("multi") else user
        elif kind == "external_select":
            answers[block_id] = A_ID
        elif kind == "number_input":
            answers[block_id] = "1"
        elif kind == "plain_text_input":
            answers[block_id] = "https://example.org/a" if block_id == "links" else "按计划进行"
    return answers


def _opened_modal(h: Harness, send: Callable[[], Reply]) -> dict[str, Any] | None:
    before = len(h.fake.modals())
    send()
    h.settle()
    modals = h.fake.modals()
    return modals[-1] if len(modals) > before and modals[-1].get("callback_id") else None


class Sender:
    """Builds each kind of request for one listener, naming the first pair's thing (`target` "1", its names)
    or nothing (`target` MISSING_ID, the names of nothing)."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.modals: dict[str, dict[str, Any]] = {}  # callback id -> a modal as opened through the first pair

    def command(self, slack: SlackRequests, command: str, text: str, user: str, missing: bool) -> Reply:
        words, channel = (text, A_CHANNEL) if not missing else (as_missing(text), "C0NOWHERE")
        return slack.command(command, words, user_id=user, channel_id=channel)

    def action(self, slack: SlackRequests, action_id: str, user: str, missing: bool) -> Reply:
        return slack.block_action(user_id=user, action_id=action_id, value=MISSING_ID if missing else A_ID,
                                  channel_id="C0NOWHERE" if missing else A_CHANNEL, message_ts="1700000000.000100")

    def options(self, slack: SlackRequests, action_id: str, user: str, missing: bool, typed: str) -> Reply:
        return slack.block_suggestion(user_id=user, action_id=action_id, block_id="intern",
                                      value=as_missing(typed) if missing else typed)

    def view(self, slack: SlackRequests, callback: str, user: str, missing: bool) -> Reply:
        view = self.modals.get(callback) or {"id": "V0FORGED", "type": "modal", "callback_id": callback,
                                              "blocks": [], "private_metadata": json.dumps(
                                                  {k: int(A_ID) for k in ("problem_id", "meeting_id", "exchange_id",
                                                                          "intern_id", "opening_id", "partnership_id",
                                                                          "partnership")})}
        values = fill(view, _generic_answers(view, user)) if view.get("blocks") else {}
        if missing:
            view = {**view, "private_metadata": json.dumps(_replace_ids(json.loads(view.get("private_metadata")
                                                                                   or "{}"), MISSING_ID))}
            values = _replace_ids(values, MISSING_ID)
        return slack.view_submission(view, values, user_id=user)


COOP_WORDS = ["help", "status", "digest", "panel", f"review {A_NAME}", f"export {A_NAME}", "ledger", "agreement",
              "link", "accept", "setup", "admin", "checklist S2024001", f"status {A_NAME}"]


def requests_of(h: Harness, sender: Sender) -> Iterator[tuple[str, Send]]:
    """Every request to try, named, for every registered listener but Slack's installation notices."""
    for kind, ident in registered(h):
        if ident in NOT_REQUESTS:
            continue
        for name, send in _requests_for(sender, kind, ident):
            yield f"{kind} {name}", send


def _requests_for(sender: Sender, kind: str, ident: str) -> Iterator[tuple[str, Send]]:
    def command(words: str) -> Send:
        return lambda slack, user, missing: sender.command(slack, ident, words, user, missing)

    def options(typed: str) -> Send:
        return lambda slack, user, missing: sender.options(slack, ident, user, missing, typed)

    if kind == "command":
        for words in (COOP_WORDS if ident == "/coop" else [""]):
            yield f"{ident} {words}".strip(), command(words)
    elif kind == "action":
        yield ident, lambda slack, user, missing: sender.action(slack, ident, user, missing)
    elif kind == "options":
        for typed in ("S2024001", "张伟", ""):
            yield f"{ident} '{typed}'", options(typed)
    elif kind == "view_submission":
        yield ident, lambda slack, user, missing: sender.view(slack, ident, user, missing)
    elif kind == "event":
        yield ident, lambda slack, user, missing: slack.event(_event(ident, user, missing))
    else:
        raise AssertionError(f"a listener of a kind this test does not know: {kind} {ident}")


def _event(kind: str, user: str, missing: bool) -> dict[str, Any]:
    channel = "C0NOWHERE" if missing else A_CHANNEL
    events: dict[str, dict[str, Any]] = {
            "app_home_opened": {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"},
            "member_joined_channel": {"type": "member_joined_channel", "user": "U0BOTCOLLB", "channel": channel,
                                      "channel_type": "C"},
            "channel_id_changed": {"type": "channel_id_changed", "old_channel_id": channel,
                                   "new_channel_id": "C0MOVED"},
            "channel_shared": {"type": "channel_shared", "connected_team_id": OTHER_COMPANY, "channel": channel},
            "channel_unshared": {"type": "channel_unshared", "previously_connected_team_id": OTHER_COMPANY,
                                 "channel": channel, "is_ext_shared": False},
            "shared_channel_invite_accepted": {"type": "shared_channel_invite_accepted", "approval_required": False,
                                               "invite": {"id": "I0", "inviting_user": {"id": user}},
                                               "channel": {"id": channel, "name": "c"}, "teams_in_channel": [],
                                               "accepting_user": {"id": user, "team_id": OTHER_COMPANY}},
            "shared_channel_invite_declined": {"type": "shared_channel_invite_declined",
                                               "invite": {"id": "I0", "inviting_user": {"id": user}},
                                               "channel": {"id": channel, "name": "c"}, "teams_in_channel": [],
                                               "declining_user": {"id": user, "team_id": OTHER_COMPANY}},
            }
    return events.get(kind, {"type": kind, "user": user, "channel": channel})


# Openers of the modals whose submissions are tried (a modal as the first pair's coordinator gets it: its
# metadata and choices name the first pair's things). A submission none of these opens is forged from nothing.
def _open_modals(h: Harness, sender: Sender) -> None:
    a = slack_from(h, COLLEGE)
    openers: list[Callable[[], Reply]] = [
        lambda: a.command("/intern-issue", user_id=BOTH),
        lambda: a.command("/coop-meeting", user_id=BOTH),
        lambda: a.command("/exchange", user_id=BOTH),
        lambda: a.command("/coop", "setup", user_id=BOTH, channel_id="C0NEWCHANNEL"),
        lambda: a.command("/coop", "checklist S2024001", user_id=BOTH),
    ]
    openers += [partial(sender.action, a, action, BOTH, False) for action in (
        "problem_add_update", "problem_resolve", "meeting_reschedule", "meeting_cancel", "meeting_record_minutes",
        "exchange_review", "exchange_edit", "exchange_assess", "internship_evaluate", "admin_open_person",
        "admin_open_intern", "admin_open_supervisors", "admin_open_end", "ledger_open", "ledger_agreement_open",
        "recruitment_open_opening_form", "recruitment_recommend", "compliance_open")]
    for opener in openers:
        modal = _opened_modal(h, opener)
        if modal is not None:
            sender.modals.setdefault(str(modal["callback_id"]), modal)


# --- the tests ------------------------------------------------------------------------------------------
def test_no_request_through_another_pair_s_installation_sees_or_changes_a_partnership(db: Database,
                                                                                     tmp_path: Path) -> None:
    with four_tenants(db, tmp_path) as h:
        sender = Sender(h)
        _open_modals(h, sender)
        assert {"problem_update", "problem_resolve", "meeting_cancel", "exchange_review",
                "ledger_entry"} <= set(sender.modals), sorted(sender.modals)
        requests = list(requests_of(h, sender))
        tried: set[str] = set()
        leaks: list[str] = []
        for workspace, users in ((OTHER_COLLEGE, (BOTH, TEACHER_B)), (OTHER_COMPANY, (COORD_E_B,))):
            slack = slack_from(h, workspace)
            for user in users:
                for name, send in requests:
                    before, mark = snapshot(db), last_queued(db)
                    named = answer(h, partial(send, slack, user, False))
                    changed = [t for t, rows in snapshot(db).items() if rows != before[t]]
                    sent, mark = queued(db, mark), last_queued(db)
                    nothing = answer(h, partial(send, slack, user, True))
                    if changed:
                        leaks.append(f"{name} by {user} through {workspace} changed {changed}")
                    if as_missing("\n".join(sent)) != "\n".join(queued(db, mark)):
                        leaks.append(f"{name} by {user} through {workspace} queued\n  {sent}\nnot as for nothing:"
                                     f"\n  {queued(db, mark)}")
                    if as_missing(named) != nothing:
                        leaks.append(f"{name} by {user} through {workspace} answered\n  {named}\nnot as for "
                                     f"nothing:\n  {nothing}")
                    tried.add(name)
        assert not leaks, "\n".join(leaks)
        # the control: through the first pair's own installation, the same requests do see its things
        a = slack_from(h, COLLEGE)
        seen = [name for name, send in requests
                if as_missing(answer(h, partial(send, a, BOTH, False))) != answer(h, partial(send, a, BOTH, True))]
        # (a request naming no thing — /intern-issue, paging App Home, a notice about a channel — answers alike
        # either way; every button and form that carries an id answers differently)
        for expected in ("action problem_acknowledge", "action problem_add_update", "view_submission problem_update",
                         "view_submission meeting_cancel", "action meeting_action_item_done",
                         "action meeting_rsvp_going", "action exchange_review", "action internship_evaluate",
                         "action held_show_details", "action recruitment_recommend", "action recruitment_hire",
                         "action compliance_open", "action admin_open_person", f"command /coop export {A_NAME}",
                         "command /coop checklist S2024001", "options problem_intern_select 'S2024001'",
                         "action panel_my_tasks"):
            assert expected in seen, (expected, sorted(set(name for name, _ in requests) - set(seen)))
        assert len(seen) > len(requests) / 2
        assert len(tried) == len(requests)


def test_app_home_and_my_tasks_through_an_installation_list_only_its_partnerships(db: Database,
                                                                                  tmp_path: Path) -> None:
    with four_tenants(db, tmp_path) as h:
        published: dict[str, str] = {}
        for workspace in (COLLEGE, OTHER_COLLEGE):
            before = len(h.fake.calls)
            slack_from(h, workspace).event({"type": "app_home_opened", "user": BOTH, "channel": "D" + BOTH,
                                            "tab": "home"})
            h.deliver()
            homes = [c for c in h.fake.calls[before:] if c.method == "views.publish" and c.args.get("user_id") == BOTH]
            assert homes, workspace
            # drawn for the installation it was opened in, and published through that one, not BOTH's own
            assert {token_of(c) for c in homes} == {bot_token(db, workspace)}, workspace
            published[workspace] = json.dumps(homes[-1].args["view"], ensure_ascii=False)
        assert A_NAME in published[COLLEGE] and B_NAME not in published[COLLEGE]
        assert B_NAME in published[OTHER_COLLEGE]
        # a click in that App Home (here its language) draws it again for the same installation, and there it goes
        before = len(h.fake.calls)
        chosen = {"text": {"type": "plain_text", "text": "English"}, "value": "en"}
        other = slack_from(h, OTHER_COLLEGE)
        other.teams[BOTH] = COLLEGE  # their own workspace is the first college's (a Slack Connect person there)
        other.block_action(user_id=BOTH, action_id="home_language", block_id="language", channel_id=None,
                           view={"id": "V0HOME", "type": "home", "blocks": []}, selected_option=chosen)
        h.deliver()
        again = [c for c in h.fake.calls[before:] if c.method == "views.publish" and c.args.get("user_id") == BOTH]
        assert again and {token_of(c) for c in again} == {bot_token(db, OTHER_COLLEGE)}
        assert A_NAME not in json.dumps(again[-1].args["view"], ensure_ascii=False)
        for words in (A_NAME, "张伟", "S2024001", "整理清单 1"):
            assert words not in published[OTHER_COLLEGE], words


def test_options_and_export_through_an_installation_hold_only_its_partnerships(db: Database, tmp_path: Path) -> None:
    with four_tenants(db, tmp_path) as h:
        for workspace, mine, theirs in ((COLLEGE, "S2024001", "A0001"), (OTHER_COLLEGE, "A0001", "S2024001")):
            reply = slack_from(h, workspace).block_suggestion(user_id=BOTH, action_id="problem_intern_select",
                                                              block_id="intern", value="")
            listed = json.dumps(reply.json(), ensure_ascii=False)
            assert mine in listed and theirs not in listed, (workspace, listed)
        before = len(h.fake.calls)
        slack_from(h, OTHER_COLLEGE).command("/coop", "export", user_id=BOTH, channel_id=B_CHANNEL)
        h.deliver()
        shared = [c for c in h.fake.calls[before:] if c.method.startswith("files.")]
        assert shared, [c.method for c in h.fake.calls[before:]]
        contents = [f for f in h.fake.files.values() if str(f.get("name", "")).endswith(".xlsx")]
        assert contents
        text = _xlsx_text(contents[-1]["content"])
        assert B_NAME in text and A_NAME not in text and "张伟" not in text


def _xlsx_text(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


def test_a_partnership_linked_to_no_installation_is_nobody_s(db: Database, tmp_path: Path) -> None:
    with four_tenants(db, tmp_path) as h:
        link_both(db, A_NAME, None, None)
        for workspace in (COLLEGE, COMPANY, OTHER_COLLEGE):
            reply = slack_from(h, workspace).block_suggestion(user_id=BOTH, action_id="problem_intern_select",
                                                              block_id="intern", value="S2024001")
            assert reply.json()["options"] == [], workspace
        assert re.search("A0001", json.dumps(slack_from(h, OTHER_COLLEGE).block_suggestion(
            user_id=BOTH, action_id="problem_intern_select", block_id="intern", value="A0001").json()))


def test_linking_a_partnership_to_another_tenant_s_channel_is_refused_without_naming_it(db: Database,
                                                                                        tmp_path: Path) -> None:
    """A channel is one partnership's (a unique index), whoever's: the second pair's coordinator, in a channel
    shared with the first pair, is told it is taken — as for one of their own — never whose, and nothing fails."""
    with four_tenants(db, tmp_path) as h:
        b = slack_from(h, OTHER_COLLEGE)
        modal = _opened_modal(h, lambda: b.command("/coop", "setup", user_id=TEACHER_B, channel_id=A_CHANNEL))
        assert modal is not None and A_NAME not in json.dumps(modal, ensure_ascii=False)
        before = snapshot(db)
        reply = b.view_submission(modal, fill(modal, _generic_answers(modal, TEACHER_B)), user_id=TEACHER_B)
        h.settle()
        assert reply.status == 200
        assert reply.json() == {"response_action": "errors",
                                "errors": {"partnership": "This channel is already linked to another partnership."}}
        assert snapshot(db) == before



# --- /coop admin through the second pair: the rules over every roster, told without the first pair's data ----
A_PEOPLE = {MENTOR_A: ("李强", "liqiang@huawei.com", "enterprise"), COORD_A: ("陈静", "chenjing@szpt.edu.cn", "school")}
A_DATA = ["李强", "liqiang@huawei.com", "陈静", "chenjing@szpt.edu.cn", "张伟", A_NAME, "华为", "college side"]


def _b_admin(h: Harness, action: str, answers: dict[str, Any]) -> str:
    """/coop admin through the second college's installation as its coordinator, one form submitted: the answer."""
    b = through(h, OTHER_COLLEGE)
    menu = b.open_modal("/coop", TEACHER_B, "admin")
    pushes = len(h.fake.calls_to("views.push"))
    assert b.slack.block_action(user_id=TEACHER_B, action_id=action, value="2", view=menu,
                                channel_id=None).status == 200
    h.fake.wait_for("views.push", count=pushes + 1)
    form = b.last_modal()
    return answer(h, lambda: b.slack.view_submission(form, fill(form, answers), user_id=TEACHER_B))


def _a_people(db: Database) -> dict[str, tuple[str, str | None, str]]:
    with db.session() as session:
        return {p.slack_user_id: (p.name, p.email, p.side.value) for p in session.scalars(
            select(Person).where(Person.slack_user_id.in_(list(A_PEOPLE))))}


def _refused_with_nothing_of_a(h: Harness, action: str, answers: dict[str, Any]) -> dict[str, str]:
    before = snapshot(h.db)
    said = _b_admin(h, action, answers)
    assert snapshot(h.db) == before and _a_people(h.db) == A_PEOPLE, said
    assert [words for words in A_DATA if words in said] == [], said
    status, body, _ = json.loads(said)
    assert status == 200 and body["response_action"] == "errors", said
    return dict(body["errors"])


def test_the_second_pair_cannot_rename_or_re_email_the_first_pair_s_person(db: Database, tmp_path: Path) -> None:
    """李强 is on the first pair's roster only: the second college's coordinator adding him to theirs may not
    change his name or email (the first pair's letters, invitations, exports), and blanks are filled in with
    nothing of the first pair's records (they were: his name and email, then saved on the second roster)."""
    from bot.admin.forms import AdminActionId

    with four_tenants(db, tmp_path) as h:
        evil = {"slack_user_id": MENTOR_A, "name": "Mallory", "email": "evil@attacker.example", "side": "enterprise",
                "roles": ["mentor"]}
        assert set(_refused_with_nothing_of_a(h, AdminActionId.PERSON, evil)) == {"name"}
        errors = _refused_with_nothing_of_a(h, AdminActionId.PERSON, evil | {"name": ""})
        assert errors == {"name": "Enter their name: they are new to coopbot.", "email": (
            "This person is also on the roster of a partnership you do not coordinate: leave their email as it is "
            "(its coordinators, or `coopbot people import`, can change it).")}
        errors = _refused_with_nothing_of_a(h, AdminActionId.PERSON, {"slack_user_id": MENTOR_A, "roles": ["mentor"]})
        assert errors == {"name": "Enter their name: they are new to coopbot.",
                          "side": "Choose a side: they are new to coopbot."}


def test_the_second_pair_is_not_told_the_side_of_the_first_pair_s_person(db: Database, tmp_path: Path) -> None:
    from bot.admin.forms import AdminActionId

    with four_tenants(db, tmp_path) as h:
        errors = _refused_with_nothing_of_a(h, AdminActionId.PERSON, {
            "slack_user_id": COORD_A, "name": "Someone", "side": "enterprise", "roles": ["member"]})
        assert errors["side"] == "This person is already in coopbot, and a person's side cannot change."


def test_a_student_id_of_the_first_pair_is_refused_as_taken_not_a_crash(db: Database, tmp_path: Path) -> None:
    from bot.admin.forms import AdminActionId

    with four_tenants(db, tmp_path) as h:
        errors = _refused_with_nothing_of_a(h, AdminActionId.INTERN, {
            "student_id": "S2024001", "name": "Jane Doe", "position": "Welder", "teacher": TEACHER_B,
            "mentor": MENTOR_B, "start_date": "2027-03-01", "end_date": "2027-08-31"})
        assert errors == {"student_id": "This student id is already on the roster."}


def test_an_app_home_the_worker_refreshes_shows_only_the_partnerships_of_the_installation_it_goes_through(
        db: Database, tmp_path: Path) -> None:
    """A change in the first pair's partnership refreshes the App Home of everyone it concerns, rendered later by
    the delivery worker (not a request): the person on both rosters, whose own workspace is the second college's,
    gets it through that installation, rendered as its tenant."""
    from tests.support.installs import token_of

    with four_tenants(db, tmp_path) as h:
        b = slack_from(h, OTHER_COLLEGE)
        assert b.command("/coop", "status", user_id=BOTH, channel_id=B_CHANNEL).status == 200  # Slack: theirs
        h.deliver()
        before = len(h.fake.calls)
        assert through(h, COLLEGE).report(TEACHER_A, student_id="S2024001").status == 200  # a change in A
        h.deliver()
        homes = [c for c in h.fake.calls[before:] if c.method == "views.publish" and c.args.get("user_id") == BOTH]
        assert homes, [c.method for c in h.fake.calls[before:]]
        for home in homes:
            shown = json.dumps(home.args["view"], ensure_ascii=False)
            assert token_of(home) in h.fake.oauth.tokens_of(OTHER_COLLEGE)
            assert A_NAME not in shown and "张伟" not in shown and B_NAME in shown


# Core on a connection, which the tenant's ORM event never sees (decision 0012, Scope), and why each is safe.
CORE_READS = {
    "bot/cooperation/export.py": "the ledger's rows, kept by the partnership names the scoped request chose",
    "bot/problems/export.py": "the reports' rows, kept by the partnership names the scoped request chose",
    "bot/delivery/outbox.py": "the outbox's own rows (App Home refreshes waiting), of no partnership",
    "bot/installs/tokens.py": "the installation store's tables, of no partnership",
    "bot/roster/importer.py": "the CLI's roster import, not a request",
    "bot/storage/schema_check.py": "the schema check at start, not a request",
    "bot/storage/db.py": "rows queued for the commit (inserts), read back by nothing",
    "bot/problems/service.py": "the report's reads run their in-scope variant (core_tenant, visible_in_core)",
    "bot/serving/idempotency.py": "the insert recording a click or an event as handled, of no partnership",
}


def test_every_core_read_on_a_connection_is_known_to_keep_to_the_tenant() -> None:
    """A new statement run on a connection instead of through the ORM would read past the tenant's scope: it must
    be listed here with the reason it is safe (and, on the request path, narrow itself as the report's do)."""
    root = Path(__file__).resolve().parent.parent
    found = {str(path.relative_to(root)) for folder in ("bot", "handlers") for path in (root / folder).rglob("*.py")
             if "devtools" not in path.parts
             and re.search(r"\.connection\(\)|engine\.(connect|begin)\(\)", path.read_text(encoding="utf-8"))}
    assert found <= set(CORE_READS), sorted(found - set(CORE_READS))
    assert "core_tenant()" in (root / "bot/problems/service.py").read_text(encoding="utf-8")


# Tables that hang off a partnership but are never read on a request's behalf: the scheduler's ledger of work done.
NOT_READ_BY_REQUESTS = {"job_run"}
OWNERS = {"partnership", "intern", "meeting", "exchange", "problem"}


def test_every_model_that_belongs_to_a_partnership_is_narrowed_by_the_scope() -> None:
    """A model added later with a foreign key to a partnership (or to something of one) must join the scope's
    rules, or be named here with why: otherwise a request could read another tenant's rows of it."""
    from bot.installs.scope import _criteria

    narrowed = {str(option.entity.class_.__tablename__) for option in _criteria("T0ANY")}
    owned = {str(mapper.class_.__tablename__) for mapper in Base.registry.mappers
             if mapper.class_.__tablename__ not in OWNERS | NOT_READ_BY_REQUESTS
             and any(str(getattr(fk.column.table, "name", "")) in OWNERS for fk in mapper.local_table.foreign_keys)}
    assert owned - narrowed == set(), "tables of a partnership that a request would read past the tenant"
    assert {"partnership", "intern", "meeting", "exchange", "problem"} <= narrowed
