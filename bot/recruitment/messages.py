"""Block Kit for recruitment: pure functions of snapshots and a translator. People's text is escaped."""

from __future__ import annotations

from bot.i18n.catalog import N_, Translator
from bot.recruitment.forms import evaluation_words
from bot.recruitment.ids import RecruitmentActionId
from bot.recruitment.snapshot import OpeningSnapshot, RecommendationSnapshot
from bot.slack.blocks import Blocks, actions, button, context, header, section
from bot.slack.text import escape, escape_within, mention
from models.recruitment import RecommendationStatus

STATUS_WORDS = {RecommendationStatus.RECOMMENDED: N_("Recommended"), RecommendationStatus.OFFERED: N_("Offer made"),
                RecommendationStatus.HIRED: N_("Hired"), RecommendationStatus.DECLINED: N_("Declined")}


def opening_post(opening: OpeningSnapshot, t: Translator) -> tuple[str, Blocks]:
    """The opening in the partnership's channel, with the button the college recommends interns by."""
    _ = t.gettext
    text = _("New opening for our interns: {title} ({post}), {number} posts, apply by {deadline}. "
             "Posted by {who}.").format(title=escape(opening.title), post=escape(opening.post),
                                        number=opening.number, deadline=t.date(opening.deadline),
                                        who=mention(opening.posted_by))
    blocks: Blocks = [header(_("Job opening: {title}").format(title=opening.title)), section(text, cut=True)]
    if opening.description:
        blocks.append(section(escape_within(opening.description, 2900)))
    blocks += [context(_("The college recommends its best interns first; the enterprise records offers and "
                         "hires.")),
               actions([button(RecruitmentActionId.RECOMMEND, _("Recommend interns"), str(opening.id), "primary")],
                       block_id=f"opening:{opening.id}")]
    return text, blocks


def recommendation_dm(rec: RecommendationSnapshot, t: Translator) -> tuple[str, Blocks]:
    """An enterprise coordinator's DM about one recommended intern: the evaluation result, the state, and
    the buttons for what may follow."""
    _ = t.gettext
    intern = rec.intern
    text = _("{who} recommends {intern} for {title} ({partnership}).").format(
        who=mention(rec.recommended_by), intern=escape(t.aside(intern.name, intern.student_id)),
        title=escape(rec.opening.title), partnership=escape(rec.opening.partnership))
    details = _("*Evaluation:* {evaluation}\n*Position during the internship:* {position}\n*Status:* {status}").format(
        evaluation=evaluation_words(intern.evaluation, t), position=escape(intern.position),
        status=_(STATUS_WORDS[rec.status]))
    blocks: Blocks = [section(text, cut=True), section(details, cut=True)]
    buttons = []
    if rec.status == RecommendationStatus.RECOMMENDED:
        buttons.append(button(RecruitmentActionId.OFFER, _("Offer made"), str(rec.id)))
    if rec.status in (RecommendationStatus.RECOMMENDED, RecommendationStatus.OFFERED):
        buttons += [button(RecruitmentActionId.HIRE, _("Hired"), str(rec.id), "primary"),
                    button(RecruitmentActionId.DECLINE, _("Declined"), str(rec.id))]
    if buttons:
        blocks.append(actions(buttons, block_id=f"recommendation:{rec.id}"))
    return text, blocks
