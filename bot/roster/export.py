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


def iter_people_rows(db: Database) -> Iterator[Row]:
    """Every person's roles per partnership, by partnership and person (one query; rosters are small)."""
    query = (select(Person.slack_user_id, Person.name, Person.email, Person.side, Partnership.name, Membership.role,
                    Person.slack_team_id, Person.slack_enterprise_id, Person.is_external, Person.is_guest)
             .join(Membership, Membership.person_id == Person.id)
             .join(Partnership, Partnership.id == Membership.partnership_id)
             .order_by(Partnership.name, Person.slack_user_id))
    with db.session() as session:
        rows = session.execute(query).all()
    grouped: dict[tuple[str, str], list[Role]] = {}
    first: dict[tuple[str, str], Row] = {}
    for uid, name, email, side, partnership, role, team, enterprise, external, guest in rows:
        key = (partnership, uid)
        grouped.setdefault(key, []).append(Role(role))
        first.setdefault(key, [uid, name, email or "", Side(side).value, "", partnership, team or "",
                               enterprise or "", yes_no(bool(external)), yes_no(bool(guest))])
    for key, roles in grouped.items():
        row = list(first[key])
        row[4] = ";".join(r.value for r in sorted(set(roles), key=_ROLE_ORDER.__getitem__))
        yield row
