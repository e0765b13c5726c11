"""OAuth mode: tenants. Each installation (a college's workspace, a company's) sees only the partnerships
it is party to: the one that hosts the partnership (`install_team_id`, the college's) and the one whose
coordinator accepted the link (`partner_team_id`, the enterprise's). docs/decisions/0012.

A *workspace id* is how a partnership records an installation: a team id (`T…`), or the enterprise id (`E…`)
of an org-wide install. In single-token mode there are no tenants: `Tenant` is None and everything is seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.roster import Partnership


@dataclass(frozen=True)
class Tenant:
    """The installation a request came through: its workspace id (as partnerships record it)."""

    workspace_id: str


def party_to(tenant: Tenant | None, partnership: Partnership) -> bool:
    """Whether `tenant` may see `partnership` (always, in single-token mode)."""
    return tenant is None or (bool(tenant.workspace_id)
                              and tenant.workspace_id in (partnership.install_team_id, partnership.partner_team_id))




def tenant_of(authorized_enterprise_id: str | None, authorized_team_id: str | None,
              is_enterprise_install: bool | None, *, oauth: bool) -> Tenant | None:
    """The tenant of a request, from what Bolt's authorize found (`context.authorize_result`): the
    installation's enterprise id for an org-wide install, else its team id. None in single-token mode."""
    if not oauth:
        return None
    return Tenant((authorized_enterprise_id if is_enterprise_install else authorized_team_id) or "")


__all__ = ["Tenant", "party_to", "tenant_of"]
