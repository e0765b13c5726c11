"""OAuth mode: a partnership linked to both organizations' installations (docs/decisions/0012, "Linking").

The college's coordinator links it through their own workspace's installation: that installation hosts the
partnership (`install_team_id`, when it had none) and the enterprise is invited (`partner_invited_at`). An
enterprise coordinator on its roster accepts through *their* own workspace's installation, which becomes the
partnership's `partner_team_id`. Each step is audited and tells the other side's coordinators by DM (the
outbox). A request is always checked against the installation it came through (its `Tenant`) and the acting
person's own workspace: an installation never joins a partnership on behalf of another organization's person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot import audit
from bot.delivery import outbox
from bot.errors import CoopError, NotAllowed, NotFound, NotOnRoster
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_in
from bot.installs.scope import every_tenant
from bot.installs.tenancy import Tenant, party_to
from bot.installs.views import accepted_text, invitation_text
from bot.storage.db import Database
from models.base import utcnow
from models.roster import Membership, Partnership, Person, Role, Side


class NotYourWorkspace(NotAllowed):
    """Linking through an installation that is not the acting person's own workspace's."""


class LinkedElsewhere(NotAllowed):
    """The partnership is hosted by another workspace's installation (which one is not said)."""


class AlreadyLinked(CoopError):
    """Both organizations' installations are already party to the partnership."""


class HostInstallation(NotAllowed):
    """Accepting through the host's (the college's) own installation: the enterprise accepts from its own."""


class NoInvitation(NotFound):
    """No pending invitation that this person may accept through this installation."""


class SeveralInvitations(CoopError):
    """`/coop accept` outside a partnership's channel, with several invitations pending: which one?"""


@dataclass(frozen=True)
class Invitation:
    """A pending invitation as an enterprise coordinator sees it before accepting: two names, nothing else."""

    partnership_id: int
    name: str
    college: str


@dataclass(frozen=True)
class ToLink:
    """A partnership a college coordinator may link (or invite again): not yet party to both installations."""

    partnership_id: int
    name: str
    enterprise: str
    invited_at: datetime | None


@dataclass(frozen=True)
class Links:
    """What App Home shows of linking (OAuth mode): invitations to accept, partnerships to link."""

    invitations: tuple[Invitation, ...] = ()
    to_link: tuple[ToLink, ...] = ()


@dataclass(frozen=True)
class Linked:
    partnership: str
    enterprise: str
    again: bool  # an invitation was already pending: sent again
    told: int  # enterprise coordinators told


@dataclass(frozen=True)
class Accepted:
    partnership: str
    college: str
    told: int  # college coordinators told


def _is_own(person: Person, own: tuple[str | None, str | None], workspace: str) -> bool:
    """Whether `workspace` is the person's own: what Slack says of them in this request (their team, their
    Grid organization: an interaction's `user.team_id`, a slash command's `team_id`), else what it said before.
    Someone of another organization acting through this installation (a Slack Connect channel, a view it
    opened) is not acting for it."""
    said = {i for i in own if i} or {i for i in (person.slack_team_id, person.slack_enterprise_id) if i}
    return bool(workspace) and workspace in said


def _coordinators(session: Session, partnership_id: int, side: Side) -> list[str]:
    return list(session.scalars(
        select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
        .where(Membership.partnership_id == partnership_id, Membership.role == Role.COORDINATOR,
               Person.side == side).order_by(Person.slack_user_id).distinct()))


def _coordinates(session: Session, person: Person, side: Side) -> list[Partnership]:
    """The partnerships `person` coordinates, if they are of `side`."""
    if person.side != side:
        return []
    return list(session.scalars(
        select(Partnership).join(Membership, Membership.partnership_id == Partnership.id)
        .where(Membership.person_id == person.id, Membership.role == Role.COORDINATOR)
        .order_by(Partnership.id).distinct()))


def load_links(session: Session, slack_user_id: str, workspace: str | None) -> Links:
    """App Home's linking section for a person viewing it through `workspace`'s installation (None: the one
    Slack last told us is theirs). Invitations show to the enterprise's coordinators anywhere but in the
    host's installation; partnerships to link show to the college's coordinators in their host's (or any,
    if none hosts it yet)."""
    with every_tenant():  # an invitation is to a partnership the enterprise's installation is not party to yet
        person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
        if person is None:
            return Links()
        where = workspace or person.slack_enterprise_id or person.slack_team_id
        invitations = tuple(
            Invitation(p.id, p.name, p.school) for p in _coordinates(session, person, Side.ENTERPRISE)
            if p.partner_invited_at is not None and p.partner_team_id is None and p.install_team_id != where)
        to_link = tuple(
            ToLink(p.id, p.name, p.enterprise, p.partner_invited_at)
            for p in _coordinates(session, person, Side.SCHOOL)
            if p.partner_team_id is None and p.install_team_id in (None, where))
        return Links(invitations, to_link)


def set_partner_team(db: Database, name: str, team_id: str, actor: str = "cli") -> str | None:
    """`coopbot partnership link --partner-team`: an operator sets the enterprise's installation by hand (no
    invitation needed); returns the one it had. Audited."""
    with db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.name == name))
        if partnership is None:
            raise NotFound(f"no partnership named {name!r}")
        before = partnership.partner_team_id
        partnership.partner_team_id, partnership.partner_invited_at = team_id, None
        audit.record(session, actor=actor, action="partnership.link_partner_installation",
                     entity_type="partnership", entity_id=partnership.id,
                     before={"partner_team_id": before}, after={"partner_team_id": team_id})
    return before


class LinkingService:
    def __init__(self, db: Database, locales: SlackLocales | None = None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.locales = locales
        self.clock = clock

    def link(self, slack_user_id: str, tenant: Tenant, *, own: tuple[str | None, str | None] = (None, None),
             channel_id: str | None = None, partnership_id: int | None = None) -> Linked:
        """A college coordinator links the partnership (of `channel_id`, or `partnership_id`) through
        `tenant`, their own workspace's installation, and invites the enterprise's coordinators. Reads past the
        request's scope (an unlinked partnership is no tenant's): the checks below are the tenant's."""
        with every_tenant(), self.db.transaction() as session:
            person = _person(session, slack_user_id)
            partnership = _partnership(session, channel_id, partnership_id)
            coordinates = partnership.id in {p.id for p in _coordinates(session, person, Side.SCHOOL)}
            # Past the scope, but never "exists but not yours" (decision 0012, Scope): a partnership this
            # installation is not party to is there only for its college's coordinators to claim while no
            # installation hosts it; otherwise it is answered as no partnership at all.
            if not party_to(tenant, partnership) and (partnership.install_team_id is not None or not coordinates):
                raise NotFound("no partnership here")
            if not coordinates:
                raise NotAllowed("only the college's coordinators of a partnership can link it")
            if not _is_own(person, own, tenant.workspace_id):
                raise NotYourWorkspace("link through your own workspace's coopbot")
            if (partnership.install_team_id not in (None, tenant.workspace_id)
                    or partnership.partner_team_id == tenant.workspace_id):
                raise LinkedElsewhere("the partnership is hosted by another workspace's installation")
            if partnership.partner_team_id is not None:
                raise AlreadyLinked("both installations are already linked")
            before = {"install_team_id": partnership.install_team_id,
                      "partner_invited_at": partnership.partner_invited_at}
            again = partnership.partner_invited_at is not None
            partnership.install_team_id = tenant.workspace_id
            partnership.partner_invited_at = self.clock()
            audit.record(session, actor=slack_user_id, action="partnership.invite_partner",
                         entity_type="partnership", entity_id=partnership.id, before=before,
                         after={"install_team_id": partnership.install_team_id,
                                "partner_invited_at": partnership.partner_invited_at})
            told = _coordinators(session, partnership.id, Side.ENTERPRISE)
            for user in told:
                t = self._reader(session, user, partnership)
                _dm(session, user, invitation_text(partnership.name, partnership.school, t))
            outbox.refresh_homes(session, [*told, *_coordinators(session, partnership.id, Side.SCHOOL)])
            return Linked(partnership.name, partnership.enterprise, again, len(told))

    def accept(self, slack_user_id: str, tenant: Tenant, *, own: tuple[str | None, str | None] = (None, None),
               channel_id: str | None = None, partnership_id: int | None = None) -> Accepted:
        """An enterprise coordinator accepts a pending invitation (the one of `channel_id` or
        `partnership_id`, else their only one) through `tenant`, their own workspace's installation. Reads past
        the request's scope (the invitation is to a partnership `tenant` is not party to yet)."""
        with every_tenant(), self.db.transaction() as session:
            person = _person(session, slack_user_id)
            mine = _coordinates(session, person, Side.ENTERPRISE)
            if channel_id is not None or partnership_id is not None:
                mine = [p for p in mine if p.id == partnership_id or (channel_id and p.channel_id == channel_id)]
            if not mine:
                raise NotAllowed("only the enterprise's coordinators of a partnership can accept its link")
            pending = [p for p in mine if p.partner_invited_at is not None and p.partner_team_id is None]
            if pending and all(p.install_team_id == tenant.workspace_id for p in pending):
                raise HostInstallation("accept through your own organization's coopbot, not the host's")
            pending = [p for p in pending if p.install_team_id != tenant.workspace_id]
            if not _is_own(person, own, tenant.workspace_id) or not pending:
                raise NoInvitation("no invitation to accept")  # a stranger's installation learns nothing
            if len(pending) > 1:
                raise SeveralInvitations("several invitations: accept each from App Home")
            partnership = pending[0]
            before = {"partner_team_id": partnership.partner_team_id,
                      "partner_invited_at": partnership.partner_invited_at}
            partnership.partner_team_id, partnership.partner_invited_at = tenant.workspace_id, None
            audit.record(session, actor=slack_user_id, action="partnership.accept_partner",
                         entity_type="partnership", entity_id=partnership.id, before=before,
                         after={"partner_team_id": partnership.partner_team_id})
            told = _coordinators(session, partnership.id, Side.SCHOOL)
            for user in told:
                t = self._reader(session, user, partnership)
                _dm(session, user, accepted_text(partnership.name, partnership.enterprise, t))
            outbox.refresh_homes(session, [*told, *_coordinators(session, partnership.id, Side.ENTERPRISE)])
            return Accepted(partnership.name, partnership.school, len(told))

    def _reader(self, session: Session, user: str, partnership: Partnership) -> Translator:
        return translator(language_in(session, self.locales, user, partnership.language))


def _person(session: Session, slack_user_id: str) -> Person:
    person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
    if person is None:
        raise NotOnRoster(slack_user_id)
    return person


def _partnership(session: Session, channel_id: str | None, partnership_id: int | None) -> Partnership:
    clauses = ([Partnership.id == partnership_id] if partnership_id is not None
               else [Partnership.channel_id == channel_id] if channel_id else [])
    found = session.scalar(select(Partnership).where(and_(*clauses))) if clauses else None
    if found is None:
        raise NotFound("no partnership here")
    return found


def _dm(session: Session, user: str, text: str) -> None:
    outbox.post(session, channel=user, text=text)


__all__ = ["Accepted", "AlreadyLinked", "HostInstallation", "Invitation", "Linked", "LinkedElsewhere", "LinkingService",
           "Links", "NoInvitation", "NotYourWorkspace", "SeveralInvitations", "ToLink", "load_links",
           "set_partner_team"]
