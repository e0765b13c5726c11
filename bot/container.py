"""Wiring: the one place where services are built, from settings, and handed to handlers and jobs.

Every service of the process is a field of `Services`; nothing else constructs one, and no service module
imports this one back (handlers and jobs receive it; tests/test_import_graph.py checks for cycles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.admin.service import AdminService
from bot.compliance.service import ComplianceService
from bot.cooperation.service import CooperationService
from bot.delivery.held import HeldMessageService
from bot.digests.service import DigestService
from bot.exchanges.notify import SlackExchangeNotifier
from bot.exchanges.service import ExchangeService
from bot.exports.scoped import ExportService
from bot.home.service import HomeService
from bot.i18n.catalog import LazyTranslator, Translator, translator
from bot.i18n.language import SlackLocales, language_in, pick_language, resolve_language
from bot.installs.linking import LinkingService
from bot.installs.routing import InstallationRouter
from bot.installs.tokens import Installations
from bot.internships.notify import SlackInternshipNotifier
from bot.internships.service import InternshipService
from bot.meetings.notify import SlackMeetingNotifier
from bot.meetings.quarterly import PromptResult
from bot.meetings.service import MeetingService
from bot.panel.service import PanelService, post_panel
from bot.plans.notify import SlackPlanNotifier
from bot.plans.service import PlanService
from bot.problems.notify import SlackProblemNotifier
from bot.problems.service import ProblemService
from bot.recruitment.notify import SlackRecruitmentNotifier
from bot.recruitment.service import RecruitmentService
from bot.reviews.service import ReviewService
from bot.roster.channels import ChannelService
from bot.roster.organizations import Organizations, from_user_info
from bot.roster.partnerships import add_partnership
from bot.settings import Settings
from bot.storage.db import Database
from models.base import utcnow
from models.roster import Partnership
from models.schemas import PartnershipInput


@dataclass
class Services:
    settings: Settings
    db: Database
    client: WebClient
    problems: ProblemService
    meetings: MeetingService
    exchanges: ExchangeService
    internships: InternshipService
    digests: DigestService
    compliance: ComplianceService
    admin: AdminService
    home: HomeService
    held: HeldMessageService
    plans: PlanService
    recruitment: RecruitmentService
    reviews: ReviewService
    cooperation: CooperationService
    exports: ExportService
    organizations: Organizations
    panels: PanelService
    channels: ChannelService
    linking: LinkingService
    clock: Callable[[], datetime] = field(default=utcnow)
    locales: SlackLocales = field(default_factory=lambda: SlackLocales(None))
    # OAuth mode only (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set): every workspace's installation and token.
    installations: Installations | None = None

    def add_partnership(self, data: PartnershipInput, actor: str = "cli") -> tuple[Partnership, PromptResult]:
        """A new partnership and, in the same transaction, this quarter's prompt to schedule its review in
        its channel: one added in the middle of a quarter is asked now, not at the next quarter's start
        (delivered by a running server, once the bot is in the channel). The channel's coopbot panel comes
        first."""
        prompted: list[PromptResult] = []

        def then(session: Session, added: Partnership) -> None:
            post_panel(session, added)  # first, so it is the channel's first message (and pinned)
            prompted.append(self.meetings.prompt_added(session, added.id, self.clock()))

        partnership = add_partnership(self.db, data, actor, then=then)
        return partnership, prompted[0]

    def lazy_translator_for(self, slack_user_id: str) -> Translator:
        """A translator resolved only if something is actually translated: a valid form submission
        answers with an empty ack and never pays for the language lookup (which may ask Slack)."""
        return cast(Translator, LazyTranslator(lambda: self.translator_for(slack_user_id)))

    def translator_with(self, slack_user_id: str, chosen: str | None, default: str | None) -> Translator:
        """`translator_for` when the caller has already read the person's language settings."""
        return translator(pick_language(self.locales, slack_user_id, chosen, default))

    def cached_translator_for(self, slack_user_id: str) -> Translator:
        """`translator_for` without asking Slack (the Slack locale only if already cached): for answers whose
        whole work runs before the ack, such as an options list, which must not wait for `users.info`."""
        with self.db.session() as session:
            return translator(language_in(session, self.locales, slack_user_id))

    def translator_for(self, slack_user_id: str) -> Translator:
        """The language a person reads: their own choice, else their Slack locale (cached), else their
        partnership's language, else English (see bot.i18n.language)."""
        return translator(resolve_language(self.db, self.locales, slack_user_id))


def make_client(settings: Settings) -> WebClient:
    """The Web API client, pointed at SLACK_API_URL (Bolt does not read that variable itself).

    No retry handlers: the outbox owns retries, so a failure is never retried twice over.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[])


def make_installations(settings: Settings, db: Database,
                       clock: Callable[[], datetime] = utcnow) -> Installations | None:
    """OAuth mode's installation store on coopbot's database; None in single-token mode."""
    if not (settings.oauth_mode and settings.slack_client_id and settings.slack_client_secret):
        return None
    key = settings.coopbot_token_key.get_secret_value().strip() if settings.coopbot_token_key else ""
    return Installations(db, client_id=settings.slack_client_id,
                         client_secret=settings.slack_client_secret.get_secret_value(), api_url=settings.slack_api_url,
                         refresh_before=timedelta(minutes=settings.coopbot_token_refresh_minutes), clock=clock,
                         token_key=key or None)


def build_services(settings: Settings, *, db: Database | None = None, client: WebClient | None = None,
                   clock: Callable[[], datetime] = utcnow) -> Services:
    database = db or Database(settings.database_url)
    web = client or make_client(settings)
    installations = make_installations(settings, database, clock)
    organizations = Organizations(database)
    # OAuth mode: a person is looked up (users.info: their locale, their organization) with a token that can see
    # them, their own organization's installation first (bot.installs.routing); what Slack says of their
    # organization is relative to that installation.
    locales = SlackLocales(web, token_for=None if installations is None
                           else InstallationRouter(database, installations).lookup_for,
                           on_user=lambda user, info, lookup: organizations.learn(user, from_user_info(info),
                                                                                  lookup.installed))
    zone, holidays = settings.coopbot_timezone, settings.coopbot_holidays
    return Services(
        settings=settings, db=database, client=web, clock=clock, locales=locales,
        installations=installations,
        problems=ProblemService(database, SlackProblemNotifier(locales), default_timezone=zone, clock=clock),
        meetings=MeetingService(database, SlackMeetingNotifier(locales), default_timezone=zone, holidays=holidays,
                                clock=clock),
        exchanges=ExchangeService(database, SlackExchangeNotifier(locales), default_timezone=zone, clock=clock,
                                  letter_fonts=settings.coopbot_letter_fonts),
        internships=InternshipService(database, SlackInternshipNotifier(locales), default_timezone=zone,
                                      clock=clock),
        digests=DigestService(database, default_timezone=zone, holidays=holidays, clock=clock),
        compliance=ComplianceService(database, default_timezone=zone, clock=clock),
        admin=AdminService(database, default_timezone=zone, clock=clock),
        home=HomeService(database, locales, default_timezone=zone, clock=clock, linking=installations is not None),
        held=HeldMessageService(database, key=_file_link_key(settings), public_url=settings.coopbot_public_url,
                                clock=clock),
        plans=PlanService(database, SlackPlanNotifier(locales), default_timezone=zone, clock=clock),
        recruitment=RecruitmentService(database, SlackRecruitmentNotifier(locales), clock=clock),
        reviews=ReviewService(database, locales, letter_fonts=settings.coopbot_letter_fonts, default_timezone=zone,
                              clock=clock),
        cooperation=CooperationService(database, locales, default_timezone=zone, clock=clock),
        exports=ExportService(database, default_timezone=zone, clock=clock),
        organizations=organizations,
        panels=PanelService(database),
        channels=ChannelService(database),
        linking=LinkingService(database, locales, clock=clock),
    )


def _file_link_key(settings: Settings) -> bytes:
    secret = settings.coopbot_file_link_secret or settings.slack_signing_secret
    return secret.get_secret_value().encode() if secret else b""
