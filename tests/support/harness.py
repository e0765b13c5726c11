"""The app as Slack meets it: served over HTTP, talking to a fake Slack Web API on loopback, with the demo roster.

Tests send signed requests (bot.devtools.slack_requests) and read what the fake received. Delivery of the
outbox is explicit (`deliver()`) so each test decides when Slack hears about a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.container import Services, build_services
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_requests import SlackRequests, fill
from bot.roster.importer import import_interns, import_people
from bot.roster.partnerships import add_partnership
from bot.serving.runtime import Runtime, build_runtime
from bot.serving.server import RunningServer, build_wsgi_app, start_in_thread
from bot.settings import Settings
from bot.storage.db import Database
from models.schemas import PartnershipInput
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET

CHANNEL = "C0PARTNER"
OTHER_CHANNEL = "C0OTHER"

# The people of the demo roster (Slack user ids).
TEACHER, MENTOR, COORD_SCHOOL, COORD_ENTERPRISE = "U0TEACHER", "U0MENTOR", "U0COORDS", "U0COORDE"
OTHER_TEACHER, MEMBER, OUTSIDER, NOBODY = "U0TEACHER2", "U0MEMBER", "U0OUTSIDER", "U0NOBODY"

PEOPLE_CSV = f"""slack_user_id,name,email,side,roles,partnership
{TEACHER},王芳,wangfang@szpt.edu.cn,school,teacher,深职院–华为
{OTHER_TEACHER},刘洋,liuyang@szpt.edu.cn,school,teacher,深职院–华为
{COORD_SCHOOL},陈静,chenjing@szpt.edu.cn,school,coordinator;teacher,深职院–华为
{MENTOR},李强,liqiang@huawei.com,enterprise,mentor,深职院–华为
{COORD_ENTERPRISE},张敏,zhangmin@huawei.com,enterprise,coordinator,深职院–华为
{MEMBER},赵磊,zhaolei@huawei.com,enterprise,member,深职院–华为
{OUTSIDER},Olivia Smith,olivia@example.org,school,teacher;coordinator,Other College–Acme
U0MENTOR2,Bob Lee,bob@acme.example,enterprise,mentor,Other College–Acme
"""

INTERNS_CSV = f"""student_id,name,partnership,teacher,mentor,start_date,end_date,position
S2024001,张伟,深职院–华为,{TEACHER},{MENTOR},2026-09-01,2027-06-30,软件测试
S2024002,欧阳娜娜,深职院–华为,{OTHER_TEACHER},{MENTOR},2026-09-01,2027-06-30,硬件装配
A0001,Tom Jones,Other College–Acme,{OUTSIDER},U0MENTOR2,2026-09-01,2027-06-30,Welder
"""


@dataclass(repr=False)
class Harness:
    db: Database
    fake: FakeSlack
    slack: SlackRequests
    services: Services
    runtime: Runtime
    server: RunningServer

    def __repr__(self) -> str:
        return f"Harness({self.server.url}, {self.db.url.split('?')[0]})"

    def deliver(self) -> int:
        """Let acknowledged listeners finish, then run the outbox worker until nothing is due
        (what the background thread does in production)."""
        self.settle()
        assert self.runtime.worker is not None, "the harness delivers in its own process"
        return self.runtime.worker.drain()

    def settle(self) -> None:
        """Wait until every listener has finished the work it did after ack()."""
        assert self.runtime.listeners.wait_idle(timeout=10), "listeners still busy after 10 s"

    def intern_id(self, student_id: str) -> int:
        from sqlalchemy import select

        from models.roster import Intern

        with self.db.session() as session:
            return int(session.scalar(select(Intern.id).where(Intern.student_id == student_id)) or 0)

    def open_modal(self, command: str, user: str, text: str = "") -> dict[str, Any]:
        """Run a slash command and return the modal the app opened in response."""
        before = len(self.fake.calls_to("views.open"))
        reply = self.slack.command(command, text, user_id=user)
        assert reply.status == 200, reply.text
        self.fake.wait_for("views.open", count=before + 1)
        return self.last_modal()

    def last_modal(self) -> dict[str, Any]:
        """The modal most recently opened, as Slack holds it (with its id and hash)."""
        modals = self.fake.modals()
        assert modals, "no modal was opened"
        return modals[-1]

    def channel_messages(self, channel: str = CHANNEL) -> list[dict[str, Any]]:
        """Top-level messages in a channel (not thread replies), as they look now."""
        return [m for m in self.fake.messages(channel) if not m.get("thread_ts")]

    def thread(self, ts: str, channel: str = CHANNEL) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages(channel) if m.get("thread_ts") == ts]

    def dms_to(self, user: str) -> list[str]:
        """Texts of the DMs the bot sent to `user`."""
        return [str(c.args.get("text")) for c in self.fake.calls_to("chat.postMessage")
                if c.args.get("channel") == user]

    def ephemerals(self) -> list[str]:
        """Texts of private replies (response_url posts and chat.postEphemeral)."""
        texts = [str(c.args.get("text")) for c in self.fake.calls_to("response_url")]
        return texts + [str(c.args.get("text")) for c in self.fake.calls_to("chat.postEphemeral")]

    def click(self, user: str, action_id: str, message: dict[str, Any], channel: str = CHANNEL) -> Any:
        """Click the button `action_id` on a posted message, as Slack sends it."""
        for block in message.get("blocks") or []:
            for element in block.get("elements") or []:
                if element.get("action_id") == action_id:
                    reply = self.slack.block_action(user_id=user, action_id=action_id, value=element.get("value"),
                                                    block_id=block.get("block_id", "b"), channel_id=channel,
                                                    message_ts=message["ts"])
                    assert reply.status == 200, reply.text
                    self.settle()
                    return reply
        raise AssertionError(f"no button {action_id} on the message")

    def report(self, user: str, *, student_id: str = "S2024001", category: str = "safety", severity: str = "p2",
               description: str = "右手被机器划伤，已送医。", occurred_on: str | None = None,
               actions_taken: str | None = None) -> Any:
        """Open the report modal as `user` and submit it; returns the submission's HTTP reply."""
        from datetime import datetime
        from zoneinfo import ZoneInfo

        # Today where it is earliest on Earth (UTC-12): never in the future of any partnership's timezone, whatever
        # the hour the tests run at (the other partnership is in Los Angeles, a day behind UTC's evening).
        today = datetime.now(ZoneInfo("Etc/GMT+12")).date()
        view = self.open_modal("/intern-issue", user)
        answers: dict[str, Any] = {
            "intern_id": str(self.intern_id(student_id)), "category": category, "severity": severity,
            "description": description, "occurred_on": occurred_on or today.isoformat()}
        if actions_taken is not None:
            answers["actions_taken"] = actions_taken
        return self.slack.view_submission(view, fill(view, answers), user_id=user)


def dm(h: Harness, user: str, action_id: str) -> dict[str, Any]:
    """The latest DM to `user` that carries the button `action_id`."""
    for message in reversed(h.fake.messages("D" + user)):
        if any(e.get("action_id") == action_id for b in message.get("blocks") or [] for e in b.get("elements") or []):
            return message
    raise AssertionError(f"no DM to {user} with {action_id}")


def seed_roster(db: Database, tmp_path: Path) -> None:
    """Partnerships by the service, people and interns through the real CSV importers."""
    add_partnership(db, PartnershipInput(name="深职院–华为", school="深圳职业技术大学", enterprise="华为技术有限公司",
                                         channel_id=CHANNEL, timezone="Asia/Shanghai"))
    add_partnership(db, PartnershipInput(name="Other College–Acme", school="Other College", enterprise="Acme Ltd",
                                         channel_id=OTHER_CHANNEL, timezone="America/Los_Angeles"))
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE_CSV, encoding="utf-8")
    import_people(db, people)
    interns = tmp_path / "interns.csv"
    interns.write_text(INTERNS_CSV, encoding="utf-8")
    import_interns(db, interns)


@contextmanager
def running_app(db: Database, **setting_overrides: Any) -> Iterator[Harness]:
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        # App Homes refresh after every change (production spaces a person's renders 5 s apart; that has
        # its own test in tests/test_delivery.py), so a test reads the home right after `deliver()`.
        setting_overrides.setdefault("coopbot_home_refresh_seconds", 0)
        settings = Settings(slack_bot_token=SecretStr(BOT_TOKEN), slack_signing_secret=SecretStr(SIGNING_SECRET),
                            slack_api_url=fake.url, database_url=db.url, **setting_overrides)
        services = build_services(settings, db=db)
        runtime = build_runtime(settings, services)
        server = start_in_thread(build_wsgi_app(runtime.app, runtime.health, runtime.metrics, runtime.guard,
                                                services.held.download))
        try:
            slack = SlackRequests(server.url, SIGNING_SECRET, fake=fake)
            yield Harness(db=db, fake=fake, slack=slack, services=services, runtime=runtime, server=server)
        finally:
            server.stop()
        # Outside `finally`: a test that failed already says why. One that passed must not have sent Block Kit
        # that real Slack would refuse (the fake refused it as Slack would; this says where and why).
        assert not fake.refused_blocks, f"Slack would refuse these blocks: {fake.refused_blocks[:3]}"

