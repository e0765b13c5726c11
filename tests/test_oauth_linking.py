"""OAuth mode: a partnership linked to both organizations' installations, over HTTP as Slack sends it — the
college's coordinator links it from the college's workspace, the enterprise's accepts from the company's
(docs/decisions/0012, "Linking")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.installs.ids import LinkActionId
from bot.storage.db import Database
from models.audit import AuditEntry
from models.installation import slack_bots
from models.roster import Partnership
from tests.support.cli import operator_env, run
from tests.support.harness import (
    CHANNEL,
    COORD_ENTERPRISE,
    COORD_SCHOOL,
    MENTOR,
    NOBODY,
    TEACHER,
    Harness,
    running_app,
    seed_roster,
)
from tests.support.installs import COLLEGE, COMPANY, STRANGER, install, running_oauth_app, slack_from, token_of

NAME = "深职院–华为"


def _bots(db: Database) -> dict[str, str]:
    with db.engine.connect() as conn:
        return {row.team_id: row.bot_token for row in conn.execute(select(slack_bots))}


def _partnership(db: Database) -> Partnership:
    with db.session() as session:
        found = session.scalar(select(Partnership).where(Partnership.name == NAME))
        assert found is not None
        return found


def _other_id(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(Partnership.id).where(Partnership.name != NAME)) or 0)


def _audited(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _text(reply: Any) -> str:
    """The private answer a slash command was acknowledged with."""
    return str(reply.json().get("text") or "")


def _buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [element for block in view.get("blocks") or []
            for element in [block.get("accessory") or {}, *(block.get("elements") or [])]
            if element.get("action_id") == action_id]


def _open_home(h: Harness, team: str, user: str) -> tuple[dict[str, Any], Any]:
    """`user` opens coopbot's App Home in `team`'s workspace: the view published for them, and its call."""
    before = len(h.fake.calls_to("views.publish"))
    assert slack_from(h, team).event({"type": "app_home_opened", "user": user, "tab": "home"}).status == 200
    h.deliver()
    calls = [c for c in h.fake.calls_to("views.publish")[before:] if c.args.get("user_id") == user]
    assert calls, f"no App Home published for {user}"
    return h.fake.home(user), calls[-1]


def _click_home(h: Harness, team: str, user: str, view: dict[str, Any], action_id: str) -> None:
    [button] = _buttons(view, action_id)
    reply = slack_from(h, team).block_action(user_id=user, action_id=action_id, value=button.get("value"),
                                             channel_id=None, view=view)
    assert reply.status == 200, reply.text
    h.settle()


def test_the_college_links_and_the_enterprise_accepts_each_through_its_own_installation(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        install(h, COMPANY)
        college, company = slack_from(h, COLLEGE), slack_from(h, COMPANY)

        # the college's coordinator links the partnership with /coop link in its channel
        reply = college.command("/coop", "link", user_id=COORD_SCHOOL, channel_id=CHANNEL)
        assert reply.status == 200 and "is linked to coopbot in this workspace" in _text(reply), _text(reply)
        linked = _partnership(db)
        assert (linked.install_team_id, linked.partner_team_id) == (COLLEGE, None)
        assert linked.partner_invited_at is not None
        [invited] = _audited(db, "partnership.invite_partner")
        assert invited.actor == COORD_SCHOOL and (invited.after or {}).get("install_team_id") == COLLEGE
        h.deliver()
        [told] = h.dms_to(COORD_ENTERPRISE)
        assert "invites your organization" in told and "/coop accept" in told
        assert h.dms_to(MENTOR) == []  # the enterprise's coordinators only
        home, _ = _open_home(h, COLLEGE, COORD_SCHOOL)  # waiting for the enterprise: they may invite again
        [again] = _buttons(home, LinkActionId.LINK)
        assert again["value"] == str(linked.id) and not _buttons(home, LinkActionId.ACCEPT)
        _click_home(h, COLLEGE, COORD_SCHOOL, home, LinkActionId.LINK)  # "Invite again": the DM once more
        h.deliver()
        assert len(h.dms_to(COORD_ENTERPRISE)) == 2
        assert len(_audited(db, "partnership.invite_partner")) == 2

        # the enterprise's coordinator, in the company's workspace: the invitation, published with its own token
        home, _ = _open_home(h, COMPANY, COORD_ENTERPRISE)
        [accept] = _buttons(home, LinkActionId.ACCEPT)
        assert accept["value"] == str(linked.id)
        shown = str(home["blocks"])
        assert NAME in shown and "深圳职业技术大学" in shown

        # they accept from their App Home, through the company's installation
        _click_home(h, COMPANY, COORD_ENTERPRISE, home, LinkActionId.ACCEPT)
        accepted = _partnership(db)
        assert (accepted.install_team_id, accepted.partner_team_id) == (COLLEGE, COMPANY)
        assert accepted.partner_invited_at is None  # no invitation pending any more
        [entry] = _audited(db, "partnership.accept_partner")
        assert (entry.actor, entry.after) == (COORD_ENTERPRISE, {"partner_team_id": COMPANY})
        h.deliver()
        assert any("accepted" in text and NAME in text for text in h.dms_to(COORD_SCHOOL))
        assert not _buttons(h.fake.home(COORD_ENTERPRISE), LinkActionId.ACCEPT)  # the home shows it done

        # both linked: nothing left to link, and accepting again finds no invitation
        assert "already linked" in _text(college.command("/coop", "link", user_id=COORD_SCHOOL))
        assert "no invitation" in _text(company.command("/coop", "accept", user_id=COORD_ENTERPRISE))


def test_the_invitation_is_published_through_the_company_s_own_installation(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        install(h, COMPANY)
        tokens = _bots(db)
        # Slack tells coopbot the enterprise's coordinator is of the company's workspace (their first request)
        assert slack_from(h, COMPANY).command("/coop", "status", user_id=COORD_ENTERPRISE).status == 200
        assert "linked" in _text(slack_from(h, COLLEGE).command("/coop", "link", user_id=COORD_SCHOOL))
        home, published = _open_home(h, COMPANY, COORD_ENTERPRISE)
        assert _buttons(home, LinkActionId.ACCEPT)
        assert token_of(published) == tokens[COMPANY]


def test_an_invitation_opened_before_coopbot_knows_the_coordinator_s_organization_is_published_through_theirs(
        db: Database, tmp_path: Path) -> None:
    """The enterprise's coordinator's first request is opening App Home in the company's workspace: the
    company's installation is party to no partnership yet, so the request's scope sees none; which installation
    can look them up (and so learn they are the company's) is still found past it."""
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        install(h, COMPANY)
        h.fake.users[COORD_ENTERPRISE] = {"id": COORD_ENTERPRISE, "team_id": COMPANY}
        assert "linked" in _text(slack_from(h, COLLEGE).command("/coop", "link", user_id=COORD_SCHOOL))
        h.deliver()
        home, published = _open_home(h, COMPANY, COORD_ENTERPRISE)
        assert _buttons(home, LinkActionId.ACCEPT)
        assert token_of(published) == _bots(db)[COMPANY]


def test_linking_and_accepting_are_refused_to_the_wrong_people_and_installations(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        for workspace in (COLLEGE, COMPANY, STRANGER):
            install(h, workspace)
        college, company, stranger = (slack_from(h, w) for w in (COLLEGE, COMPANY, STRANGER))

        # a teacher may not link; the enterprise's coordinator may not link either: a partnership no installation
        # hosts is no tenant's, there only for its college's coordinators to claim (decision 0012, Scope)
        assert "not a partnership's channel" in _text(college.command("/coop", "link", user_id=TEACHER))
        assert "not a partnership's channel" in _text(company.command("/coop", "link", user_id=COORD_ENTERPRISE))
        # nothing to accept before the college links
        assert "no invitation" in _text(company.command("/coop", "accept", user_id=COORD_ENTERPRISE))
        assert _partnership(db).install_team_id is None

        assert company.command("/coop", "status", user_id=COORD_ENTERPRISE).status == 200  # Slack says: COMPANY's
        h.settle()
        assert "linked to coopbot" in _text(college.command("/coop", "link", user_id=COORD_SCHOOL))

        # the enterprise's coordinator through the college's (the host's) installation: from your own, please
        refused = college.command("/coop", "accept", user_id=COORD_ENTERPRISE)
        assert "your own organization's Slack workspace" in _text(refused)
        # through a stranger's installation: as if there were no invitation (nothing of it is said)
        # through a stranger's installation (a view of its coopbot, clicked by the enterprise's coordinator from
        # their own organization, the partnership's id on the button): as if there were no invitation
        stranger.teams[COORD_ENTERPRISE] = COMPANY
        modals = len(h.fake.modals())
        stranger.block_action(user_id=COORD_ENTERPRISE, action_id=LinkActionId.ACCEPT, value=str(_partnership(db).id),
                              channel_id=None, view={"id": "V0STRANGER", "type": "home", "blocks": []})
        h.settle()
        [notice] = h.fake.modals()[modals:]  # the private answer, over App Home
        assert "no invitation" in str(notice["blocks"]) and NAME not in str(notice["blocks"])
        # a person of the stranger's workspace learns nothing either
        assert "not on a coopbot roster" in _text(stranger.command("/coop", "accept", user_id=NOBODY))
        # the college's coordinator and a mentor may not accept
        assert "only the enterprise's coordinators" in _text(college.command("/coop", "accept", user_id=COORD_SCHOOL))
        assert "only the enterprise's coordinators" in _text(company.command("/coop", "accept", user_id=MENTOR))
        after = _partnership(db)
        assert (after.install_team_id, after.partner_team_id) == (COLLEGE, None)
        assert _audited(db, "partnership.accept_partner") == []

        # the stranger's workspace may not take over the link either
        stranger.teams[COORD_SCHOOL] = COLLEGE
        stranger.block_action(user_id=COORD_SCHOOL, action_id=LinkActionId.LINK, value=str(_partnership(db).id),
                              channel_id=None, view={"id": "V0STRANGER2", "type": "home", "blocks": []})
        h.settle()
        assert "not a partnership's channel" in str(h.fake.modals()[-1]["blocks"])  # as for none: not its tenant
        assert _partnership(db).install_team_id == COLLEGE
        # a button carrying another partnership's id: not theirs to accept
        other = _other_id(db)
        modals = len(h.fake.modals())
        company.block_action(user_id=COORD_ENTERPRISE, action_id=LinkActionId.ACCEPT, value=str(other),
                             channel_id=None, view={"id": "V0COMPANY", "type": "home", "blocks": []})
        h.settle()
        [notice] = h.fake.modals()[modals:]
        assert "only the enterprise's coordinators" in str(notice["blocks"])


def test_a_partnership_hosted_by_another_workspace_is_not_linked_and_the_refusal_does_not_say_which(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    done = run(["partnership", "link", "--name", NAME, "--team", STRANGER], operator_env(db), tmp_path)
    assert done.returncode == 0, done.stderr
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        refused = _text(slack_from(h, COLLEGE).command("/coop", "link", user_id=COORD_SCHOOL))
        # the college's installation is not party to it: answered as for no partnership (decision 0012, Scope)
        nothing = _text(slack_from(h, COLLEGE).command("/coop", "link", user_id=COORD_SCHOOL, channel_id="C0NONE"))
        assert refused == nothing and STRANGER not in refused
        h.deliver()
        assert h.dms_to(COORD_ENTERPRISE) == []
    after = _partnership(db)
    assert (after.install_team_id, after.partner_invited_at) == (STRANGER, None)
    assert _audited(db, "partnership.invite_partner") == []


def test_in_single_token_mode_there_is_nothing_to_link(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_app(db) as h:
        reply = h.slack.command("/coop", "link", user_id=COORD_SCHOOL)
        assert "applies only when coopbot is installed in both organizations" in _text(reply)
        assert "applies only" in _text(h.slack.command("/coop", "accept", user_id=COORD_ENTERPRISE))
        h.slack.event({"type": "app_home_opened", "user": COORD_SCHOOL, "tab": "home"})
        h.deliver()
        home = h.fake.home(COORD_SCHOOL)
        assert not _buttons(home, LinkActionId.LINK) and not _buttons(home, LinkActionId.ACCEPT)
        after = _partnership(db)
        assert (after.install_team_id, after.partner_team_id, after.partner_invited_at) == (None, None, None)


def test_an_operator_sets_the_enterprise_s_installation_and_partnership_list_shows_both(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    env = operator_env(db)
    done = run(["partnership", "link", "--name", NAME, "--team", COLLEGE, "--partner-team", COMPANY], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert COLLEGE in done.stdout and COMPANY in done.stdout
    linked = _partnership(db)
    assert (linked.install_team_id, linked.partner_team_id) == (COLLEGE, COMPANY)
    [entry] = _audited(db, "partnership.link_partner_installation")
    assert (entry.actor, entry.after) == ("cli", {"partner_team_id": COMPANY})
    listed = run(["partnership", "list"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    [line] = [row for row in listed.stdout.splitlines() if NAME in row]
    assert line.endswith(f"host={COLLEGE} enterprise={COMPANY}")
    [other] = [row for row in listed.stdout.splitlines() if "Other College" in row]
    assert other.endswith("host=- enterprise=-")

    for wrong, flag in ((["--partner-team", "C0CHANNEL"], "--partner-team"), ([], "--partner-team"),
                        (["--team", COMPANY, "--partner-team", COMPANY], "--partner-team")):
        refused = run(["partnership", "link", "--name", NAME, *wrong], env, tmp_path)
        assert refused.returncode != 0 and flag in refused.stderr, refused.stderr
    unknown = run(["partnership", "link", "--name", "Nobody", "--partner-team", COMPANY], env, tmp_path)
    assert unknown.returncode != 0 and "Nobody" in unknown.stderr
    assert _partnership(db).partner_team_id == COMPANY


def test_coop_help_tells_each_side_s_coordinator_how_to_link_and_only_in_oauth_mode(db: Database,
                                                                                   tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        install(h, COMPANY)
        college, company = slack_from(h, COLLEGE), slack_from(h, COMPANY)
        # not linked yet: this installation sees no partnership of theirs, and help says how to link one
        before = _text(college.command("/coop", "help", user_id=COORD_SCHOOL, channel_id=CHANNEL))
        assert "`/coop link`" in before and "`/coop accept`" in before
        college.command("/coop", "link", user_id=COORD_SCHOOL, channel_id=CHANNEL)
        company.command("/coop", "accept", user_id=COORD_ENTERPRISE, channel_id=CHANNEL)
        # linked: each coordinator reads their own side's line among what their roles allow
        school = _text(college.command("/coop", "help", user_id=COORD_SCHOOL, channel_id=CHANNEL))
        enterprise = _text(company.command("/coop", "help", user_id=COORD_ENTERPRISE, channel_id=CHANNEL))
        assert "`/coop link`" in school and "`/coop accept`" not in school
        assert "`/coop accept`" in enterprise and "`/coop link`" not in enterprise
        assert "`/coop link`" not in _text(college.command("/coop", "help", user_id=TEACHER, channel_id=CHANNEL))
    with running_app(db) as h:  # one bot token: nothing to link, nothing said
        assert "/coop link" not in _text(h.slack.command("/coop", "help", user_id=COORD_SCHOOL))
