"""OAuth mode: telling the other organization of a partnership that one side's coopbot stopped, or resumed.

When a workspace uninstalls coopbot or revokes its tokens (bot.installs.tokens `uninstalled`), what would go
through its installation waits in the outbox (bot.installs.routing). The people of the *other* side of each
partnership that installation is party to (as its host, `install_team_id`, or as the partner,
`partner_team_id`) would otherwise see the other organization fall silent: their coordinators are told, by
DM through their own side's installation (the outbox routes it), in their language. When the workspace
installs coopbot again, they are told it resumed.

Each change is audited (`installation.removed`, `installation.added`, entity the workspace id); the last one
says whether a workspace is removed, so Slack's two events for one uninstall (`app_uninstalled`, then
`tokens_revoked`) tell people once, and a first install tells nobody anything.
"""

from __future__ import annotations

import zlib

from sqlalchemy import or_, select, text

from bot import audit
from bot.delivery import outbox
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_in
from bot.slack.text import escape
from bot.storage.db import Database
from models.audit import AuditEntry
from models.roster import Membership, Partnership, Person, Role, Side

REMOVED, ADDED = "installation.removed", "installation.added"
_LOCK = 0x696E7374  # "inst": a PostgreSQL advisory lock key the app uses for nothing else, with the workspace


def installation_notice(t: Translator, organization: str, partnership: str, *, stopped: bool) -> str:
    """The DM to a coordinator of the other side (`organization` is the side whose coopbot changed)."""
    if stopped:
        return t.gettext(
            "coopbot was removed from the Slack of {organization} (or its access was revoked). Until their Slack "
            "admin installs coopbot again, what coopbot sends for the partnership {partnership} through their "
            "installation waits: it is kept, not lost, and goes out as soon as coopbot is back."
        ).format(organization=escape(organization), partnership=escape(partnership))
    return t.gettext(
        "coopbot is installed again in the Slack of {organization}: what waited for the partnership "
        "{partnership} is being sent now."
    ).format(organization=escape(organization), partnership=escape(partnership))


def workspace_changed(db: Database, locales: SlackLocales | None, workspace_id: str, *, installed: bool,
                      actor: str = "slack") -> int:
    """Record that `workspace_id` (a team id, or the enterprise id of an org-wide install) installed or removed
    coopbot, and tell the other side of its partnerships when that changes what reaches them. Returns how many
    coordinators were told."""
    if not workspace_id:
        return 0
    told = 0
    with db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":  # Slack's two events for one uninstall come at once:
            # the second waits here and reads what the first recorded (SQLite's writer lock serialises them)
            session.execute(text("SELECT pg_advisory_xact_lock(:key, :workspace)"),
                            {"key": _LOCK, "workspace": zlib.crc32(workspace_id.encode()) - 2**31})
        last = session.scalar(select(AuditEntry.action)
                              .where(AuditEntry.entity_type == "installation", AuditEntry.entity_id == workspace_id)
                              .order_by(AuditEntry.id.desc()).limit(1))
        action = ADDED if installed else REMOVED
        if last == action or (installed and last is None):
            if last is None:
                audit.record(session, actor=actor, action=action, entity_type="installation", entity_id=workspace_id)
            return 0  # a second event for the same uninstall, or a first install: nothing new to tell
        audit.record(session, actor=actor, action=action, entity_type="installation", entity_id=workspace_id)
        partnerships = session.scalars(select(Partnership).where(
            or_(Partnership.install_team_id == workspace_id, Partnership.partner_team_id == workspace_id))
            .order_by(Partnership.id)).all()
        for partnership in partnerships:
            if partnership.install_team_id == workspace_id:  # the host (the college) changed: tell the enterprise
                other_side, other_workspace, organization = Side.ENTERPRISE, partnership.partner_team_id, \
                    partnership.school
            else:
                other_side, other_workspace, organization = Side.SCHOOL, partnership.install_team_id, \
                    partnership.enterprise
            if not other_workspace or other_workspace == workspace_id:
                continue  # the other side has no installation of its own to be told through
            coordinators = session.scalars(
                select(Person.slack_user_id).join(Membership)
                .where(Membership.partnership_id == partnership.id, Membership.role == Role.COORDINATOR,
                       Person.side == other_side).order_by(Person.id)).all()
            for user in coordinators:
                t = translator(language_in(session, locales, user, partnership.language))
                outbox.post(session, channel=user,
                            text=installation_notice(t, organization, partnership.name, stopped=not installed))
                told += 1
    return told


__all__ = ["installation_notice", "workspace_changed"]
