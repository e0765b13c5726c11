"""Linking a partnership to both organizations' installations, as Block Kit and text: pure functions of what
`bot.installs.linking` read (docs/decisions/0012, "Linking")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n.catalog import Translator
from bot.installs.ids import LinkActionId
from bot.slack.blocks import Blocks, button, section
from bot.slack.text import escape_within

if TYPE_CHECKING:
    from bot.installs.linking import Links


def link_blocks(links: Links, t: Translator) -> Blocks:
    """App Home (OAuth mode): invitations to accept (the enterprise's coordinators: the partnership's and the
    college's names only), then partnerships to link (the college's coordinators)."""
    _ = t.gettext
    blocks: Blocks = []
    for i in links.invitations:
        text = _("*Invitation:* {college} invites your organization to link the partnership *{partnership}* "
                 "to coopbot in your workspace.").format(college=escape_within(i.college, 200),
                                                         partnership=escape_within(i.name, 200))
        blocks.append(section(text, button(LinkActionId.ACCEPT, _("Accept"), i.partnership_id, "primary"),
                              cut=True))
    for p in links.to_link:
        if p.invited_at is None:
            text = _("*{partnership}* is not linked to {enterprise}'s workspace yet: link it, and its coordinators "
                     "can accept from their own coopbot.")
            label = _("Link")
        else:
            text = _("*{partnership}*: waiting for {enterprise}'s coordinators to accept the link.")
            label = _("Invite again")
        blocks.append(section(text.format(partnership=escape_within(p.name, 200),
                                          enterprise=escape_within(p.enterprise, 200)),
                              button(LinkActionId.LINK, label, p.partnership_id), cut=True))
    return blocks


def invitation_text(partnership: str, college: str, t: Translator) -> str:
    """The DM to the enterprise's coordinators when the college's coordinator links the partnership."""
    return t.gettext(
        "{college} linked the partnership *{partnership}* to coopbot in their Slack workspace and invites your "
        "organization to link it too. Install coopbot in your own workspace (your Slack admin can), then open "
        "coopbot's App Home there and press *Accept*, or run `/coop accept` in the partnership's channel."
    ).format(college=escape_within(college, 200), partnership=escape_within(partnership, 200))


def accepted_text(partnership: str, enterprise: str, t: Translator) -> str:
    """The DM to the college's coordinators when the enterprise's coordinator accepted."""
    return t.gettext(
        "{enterprise} accepted: the partnership *{partnership}* is now linked to coopbot in both organizations' "
        "workspaces, and its people use coopbot from their own."
    ).format(enterprise=escape_within(enterprise, 200), partnership=escape_within(partnership, 200))
