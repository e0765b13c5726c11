"""The roster as export rows (`coopbot export people`): one row per person and partnership, in the columns of
`coopbot people import` (so the file can be edited and imported again), then what Slack told coopbot of the
person's organization — their Slack team and Grid enterprise, and whether they are external to the
organization coopbot is installed in (Slack Connect) or a guest. Those three are never imported."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from bot.exports.cells import Row, yes_no
from bot.storage.db import Database
from models.roster import Membership, Partnership, Person, Role, Side

HEADER = ("slack_user_id", "name", "email", "side", "roles", "partnership", "slack_team_id", "slack_enterprise_id",
          "external", "guest")
MOMENTS: frozenset[str] = frozenset()
_ROLE_ORDER = {role: n for n, role in enumerate(Role)}
_BATCH = 500


def iter_people_rows(db: Database) -> Iterator[Row]:
    """Every person's roles per partnership, by partnership and person, fetched in batches (a server-side cursor
    on PostgreSQL): a person's roles in a partnership are consecutive rows, joined into one."""
    query = (select(Partnership.name, Person.slack_user_id, Person.name, Person.email, Person.side, Membership.role,
                    Person.slack_team_id, Person.slack_enterprise_id, Person.is_external, Person.is_guest)
             .join(Membership, Membership.person_id == Person.id)
             .join(Partnership, Partnership.id == Membership.partnership_id)
             .order_by(Partnership.name, Person.slack_user_id, Membership.role)
             .execution_options(yield_per=_BATCH))
    with db.session() as session:
        current: Row | None = None
        roles: set[Role] = set()
        for partnership, uid, name, email, side, role, team, enterprise, external, guest in session.execute(query):
            if current is None or (current[5], current[0]) != (partnership, uid):
                if current is not None:
                    yield _with_roles(current, roles)
                current, roles = [uid, name, email or "", Side(side).value, "", partnership, team or "",
                                  enterprise or "", yes_no(bool(external)), yes_no(bool(guest))], set()
            roles.add(Role(role))
        if current is not None:
            yield _with_roles(current, roles)


def _with_roles(row: Row, roles: set[Role]) -> Row:
    return [*row[:4], ";".join(r.value for r in sorted(roles, key=_ROLE_ORDER.__getitem__)), *row[5:]]
