"""OAuth mode: a request sees only its tenant's partnerships, whatever code reads them (docs/decisions/0012, Scope).

The Slack edge (bot.serving.app's `ScopeToTenant`) sets the request's tenant here; every ORM statement run
while it is set is narrowed by one session event: a partnership the tenant is not party to, and everything
that belongs to one (its roster, interns, problems, meetings, exchanges, openings, ledger…), is left out of
every SELECT, UPDATE and DELETE, so `session.get`, a lookup by name or channel, a list, a count and a
relationship load all find it no more than a row that does not exist. Refusals, lists and exports then
answer as for nothing there: the code that words them never learns there was something.

Outside a request (jobs, the delivery worker, the CLI) and in single-token mode nothing is set and nothing
is narrowed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import ColumnElement, FromClause, bindparam, event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from bot.installs.tenancy import Tenant
from models.compliance import InternCompliance
from models.cooperation import Agreement, LedgerEntry
from models.delivery import HeldMessage
from models.exchange import Exchange, ExchangeAssessment, ExchangeDecision
from models.internship import EvaluationRequestItem, InternshipEvaluation
from models.meeting import ActionItem, Meeting, MeetingInvitee
from models.plan import Plan, PlanLine
from models.problem import Problem, ProblemEvent
from models.recruitment import Opening, Recommendation
from models.roster import Intern, Membership, Partnership

_current: ContextVar[Tenant | None] = ContextVar("coopbot_tenant", default=None)
# The tenant a request's middleware found, waiting on the request thread for Bolt to hand the listener to our
# executor (bot.serving.executor), which takes it once and runs the listener scoped to it.
_pending: ContextVar[Tenant | None] = ContextVar("coopbot_tenant_pending", default=None)


def current_tenant() -> Tenant | None:
    """The tenant of the request being served (None: single-token mode, or not a request)."""
    return _current.get()


@contextmanager
def scoped(tenant: Tenant | None) -> Iterator[None]:
    """Run the block as `tenant`'s request: what it reads and changes is narrowed to its partnerships."""
    token = _current.set(tenant)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def every_tenant() -> Iterator[None]:
    """Read past the tenant's scope, for a rule over all partnerships that a request must still keep: a channel
    is one partnership's (a unique index). What is read here must never be shown; only "taken" may be said."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def core_tenant() -> dict[str, str] | None:
    """For a Core statement run on a connection, which the ORM's event never sees: the bound parameter `tenant`
    when a request's tenant is set (run the statement's variant narrowed by `visible_in_core`), else None."""
    tenant = _current.get()
    return None if tenant is None else {"tenant": tenant.workspace_id}


def visible_in_core(partnership: FromClause) -> ColumnElement[bool]:
    """A Core condition on the partnership table (or an alias of it): party to the bound parameter `tenant`."""
    return or_(partnership.c.install_team_id == bindparam("tenant"),
               partnership.c.partner_team_id == bindparam("tenant"))


def hand_to_listener(tenant: Tenant | None) -> None:
    """The Slack edge: the tenant of the request this thread is dispatching (replaced by its next request's)."""
    _pending.set(tenant)


def take_pending() -> Tenant | None:
    """The tenant the listener about to be handed off must run as (once: the request thread keeps none)."""
    tenant = _pending.get()
    if tenant is not None:
        _pending.set(None)
    return tenant


@functools.lru_cache(maxsize=256)
def _criteria(ws: str) -> tuple[Any, ...]:
    """Lambdas, as SQLAlchemy asks for criteria that must also fit aliases: `ws`, used directly in each, becomes
    a bound parameter (a tracked closure variable), so statements stay cached across tenants and no tenant's
    value is baked into another's cached SQL (tests/test_tenants.py runs two tenants on one process)."""
    p = Partnership
    rules: list[Any] = [
        (Partnership, lambda cls: or_(cls.install_team_id == ws, cls.partner_team_id == ws)),
        *((model, lambda cls: cls.partnership_id.in_(
            select(p.id).where(or_(p.install_team_id == ws, p.partner_team_id == ws))))
          for model in (Membership, Intern, Problem, Meeting, Exchange, Opening, LedgerEntry, Agreement, Plan,
                        PlanLine)),
        # a held DM of no partnership is its reader's alone (bot.delivery.held checks the reader)
        (HeldMessage, lambda cls: or_(cls.partnership_id.is_(None), cls.partnership_id.in_(
            select(p.id).where(or_(p.install_team_id == ws, p.partner_team_id == ws))))),
        (ProblemEvent, lambda cls: cls.problem_id.in_(select(Problem.id).join(p, p.id == Problem.partnership_id)
                                                      .where(or_(p.install_team_id == ws, p.partner_team_id == ws)))),
        *((model, lambda cls: cls.intern_id.in_(select(Intern.id).join(p, p.id == Intern.partnership_id)
                                                .where(or_(p.install_team_id == ws, p.partner_team_id == ws))))
          for model in (InternshipEvaluation, EvaluationRequestItem, InternCompliance, Recommendation)),
        *((model, lambda cls: cls.meeting_id.in_(select(Meeting.id).join(p, p.id == Meeting.partnership_id)
                                                 .where(or_(p.install_team_id == ws, p.partner_team_id == ws))))
          for model in (ActionItem, MeetingInvitee)),
        *((model, lambda cls: cls.exchange_id.in_(select(Exchange.id).join(p, p.id == Exchange.partnership_id)
                                                  .where(or_(p.install_team_id == ws, p.partner_team_id == ws))))
          for model in (ExchangeAssessment, ExchangeDecision)),
    ]
    return tuple(with_loader_criteria(model, rule, include_aliases=True) for model, rule in rules)


@event.listens_for(Session, "do_orm_execute")
def _narrow_to_tenant(state: ORMExecuteState) -> None:
    tenant = _current.get()
    if tenant is None or state.is_column_load:  # refreshing a row already found: it was in scope
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*_criteria(tenant.workspace_id))


__all__ = ["core_tenant", "current_tenant", "every_tenant", "hand_to_listener", "scoped", "take_pending",
           "visible_in_core"]
