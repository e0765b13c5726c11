"""The fake Slack server, exercised through the real slack_sdk WebClient the app uses."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.fake_slack import FakeSlack
from tests.support.slack import modal, section

# -- Web API round trips ---------------------------------------------------------------------------


def test_auth_test_identifies_the_bot(client: WebClient) -> None:
    resp = client.auth_test()
    assert (resp["user_id"], resp["team_id"], resp["bot_id"]) == ("UBOT", "T0001", "BBOT")


def test_post_and_update_round_trip_chinese(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="实习生问题", blocks=[section("*紧急* 问题")])
    second = client.chat_postMessage(channel="C1", text="回复", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["text"] == "实习生问题"

    updated = client.chat_update(channel="C1", ts=first["ts"], text="已解决 ✅", blocks=[section("已解决")])
    assert updated["ts"] == first["ts"]
    msgs = fake.messages("C1")
    assert [m["text"] for m in msgs] == ["已解决 ✅", "回复"]
    assert msgs[0]["edited"] is True and msgs[1]["edited"] is False
    assert msgs[0]["blocks"][0]["text"]["text"] == "已解决"
    assert msgs[1]["thread_ts"] == first["ts"] and msgs[1]["user"] == "UBOT"
    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == [section("*紧急* 问题")]


def test_update_of_unknown_message_fails(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"


def test_post_to_user_lands_in_dm(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U7")["channel"]["id"]
    resp = client.chat_postMessage(channel="U7", text="hi")
    assert resp["channel"] == dm == "DU7"
    assert fake.message(dm, resp["ts"])["text"] == "hi"


def test_ephemeral_permalink_and_not_in_channel(fake: FakeSlack, client: WebClient) -> None:
    assert client.chat_postEphemeral(channel="C1", user="U1", text="只有你能看到")["message_ts"]
    link = client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")["permalink"]
    assert link == "https://example.slack.com/archives/C1/p1700000000000100"
    fake.not_in_channel.add("C9")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C9", text="x")
    assert err.value.response["error"] == "not_in_channel"
    assert client.conversations_info(channel="C9")["channel"]["is_member"] is False


def test_views_open_update_push_publish(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="1337.42.abc", view=modal())["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    assert (opened["callback_id"], opened["private_metadata"]) == ("report", "p1")
    assert opened["title"]["text"] == "报告问题"

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("第二步"))["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert fake.views[opened["id"]]["title"]["text"] == "第二步"
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert err.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id="VNOPE", view=modal())
    assert err.value.response["error"] == "not_found"

    pushed = client.views_push(trigger_id="t2", view={**modal("确认"), "external_id": "ext-1"})["view"]
    assert pushed["id"] != opened["id"]
    assert client.views_update(external_id="ext-1", view=modal("确认 2"))["view"]["id"] == pushed["id"]

    home = {"type": "home", "blocks": [section("主页")]}
    published = client.views_publish(user_id="U1", view=home)["view"]
    assert fake.home("U1")["blocks"] == [section("主页")]
    assert client.views_publish(user_id="U1", view=home)["view"]["id"] == published["id"]
    # Kept by its id like every view: what an action on App Home names, and what views.update takes.
    assert fake.views[published["id"]]["type"] == "home"
    again = client.views_update(view_id=published["id"], view={**home, "blocks": [section("主页 2")]})["view"]
    assert again["id"] == published["id"] and fake.home("U1")["blocks"] == [section("主页 2")]
    assert [v["id"] for v in fake.modals()] == [opened["id"], pushed["id"]]


def test_a_message_is_stamped_with_the_time_it_was_posted(fake: FakeSlack, client: WebClient) -> None:
    """Its ts says when it came (as the sandbox page shows it), each later than the last even within a tick."""
    fake.clock_ns = lambda: 1_800_000_000_123_456_000
    first = client.chat_postMessage(channel="C1", text="one")["ts"]
    second = client.chat_postMessage(channel="C1", text="two")["ts"]
    fake.clock_ns = lambda: 1_800_003_600_000_000_000  # an hour later
    third = client.chat_postMessage(channel="C1", text="three")["ts"]
    assert [first, second, third] == ["1800000000.123456", "1800000000.123457", "1800003600.000000"]


def test_views_open_requires_trigger(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("views.open", json={"view": modal()})
    assert err.value.response["error"] == "invalid_arguments"


def test_users_info(fake: FakeSlack, client: WebClient) -> None:
    fake.users["U1"] = {"id": "U1", "name": "li.lei", "real_name": "李雷", "tz": "Asia/Shanghai",
                        "locale": "zh-CN"}
    user = client.users_info(user="U1")["user"]
    assert (user["real_name"], user["tz"], user["locale"], user["profile"]["real_name"]) == (
        "李雷", "Asia/Shanghai", "zh-CN", "李雷")
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U404")
    assert err.value.response["error"] == "user_not_found"


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("reactions.add", params={"name": "x"})
    assert err.value.response["error"] == "unknown_method"


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    data = "季度评审,分数\n张三,5\n".encode()
    resp = client.files_upload_v2(content=data, filename="review.csv", title="季度评审", channel="C1",
                                  initial_comment="请查收")
    file_id = resp["file"]["id"]
    stored = fake.files[file_id]
    assert stored["content"] == data and stored["title"] == "季度评审"
    assert (stored["channel_id"], stored["initial_comment"], stored["name"]) == ("C1", "请查收", "review.csv")
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"]


# -- validation ------------------------------------------------------------------------------------


def test_message_limits(client: WebClient) -> None:
    assert client.chat_postMessage(channel="C1", text="ok", blocks=[section("x")] * 50)["ok"]
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x", blocks=[section("x")] * 51)
    assert err.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="字" * 40_001)
    assert err.value.response["error"] == "msg_too_long"
    with pytest.raises(SlackApiError) as err, pytest.warns(UserWarning):
        client.chat_postMessage(channel="C1")
    assert err.value.response["error"] == "no_text"


def test_view_limits(client: WebClient) -> None:
    assert client.views_open(trigger_id="t", view=modal(blocks=[section("x")] * 100))["ok"]
    for view in (modal(blocks=[section("x")] * 101), modal(title="x" * 25)):
        with pytest.raises(SlackApiError) as err:
            client.views_open(trigger_id="t", view=view)
        assert err.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as err:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 101})
    assert err.value.response["error"] == "invalid_arguments"


def test_bad_or_missing_token(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=fake.url, retry_handlers=[]).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    with urllib.request.urlopen(urllib.request.Request(fake.url + "auth.test", data=b"")) as resp:
        assert json.loads(resp.read()) == {"ok": False, "error": "not_authed"}


# -- injected failures -----------------------------------------------------------------------------


def test_rate_limit_exposes_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2 and len(fake.messages("C1")) == 1


def test_server_error_then_recovery(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("views.open", status=503)
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="t", view=modal())
    assert err.value.response.status_code == 503
    assert client.views_open(trigger_id="t", view=modal())["ok"]


def test_error_any_method_times(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("*", error="fatal_error", times=2)
    for call in (client.auth_test, lambda: client.chat_postMessage(channel="C1", text="x")):
        with pytest.raises(SlackApiError) as err:
            call()
        assert err.value.response["error"] == "fatal_error"
    assert client.auth_test()["ok"]
    assert fake.messages("C1") == []


def test_outage_drops_connections_until_back(fake: FakeSlack, client: WebClient) -> None:
    fake.set_down(True)
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        client.chat_postMessage(channel="C1", text="x")
    fake.set_down(False)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(fake.messages("C1")) == 1


def test_reset_forgets_everything(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    fake.fail("auth.test", error="boom")
    fake.reset()
    assert fake.calls == [] and fake.messages("C1") == []
    assert client.auth_test()["ok"]


# -- waiting ---------------------------------------------------------------------------------------


def test_wait_for_sees_background_calls(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        client.chat_postMessage(channel="C1", text="one")
        client.chat_postMessage(channel="C2", text="two")

    threading.Thread(target=later).start()
    found = fake.wait_for("chat.postMessage", where=lambda c: c.args["channel"] == "C2")
    assert [c.args["text"] for c in found] == ["two"]


def test_a_call_is_seen_only_with_what_it_did(fake: FakeSlack, client: WebClient) -> None:
    """A test that waited for a call reads its effect, however late the fake's thread gets to it."""

    class SlowToAct:  # the fake's thread held up between taking the call and acting on it
        def check(self, method: str, args: dict[str, Any]) -> None:
            time.sleep(0.3)

    fake.rate_limits = SlowToAct()  # type: ignore[assignment]
    poster = threading.Thread(target=client.chat_postMessage, kwargs={"channel": "C1", "text": "one"})
    poster.start()
    try:
        fake.wait_for("chat.postMessage")
        assert [m["text"] for m in fake.messages("C1")] == ["one"]
    finally:
        poster.join(5)


def test_wait_for_timeout_lists_calls(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError) as err:
        fake.wait_for("chat.postMessage", count=1, timeout=0.1)
    assert "auth.test" in str(err.value) and "chat.postMessage" in str(err.value)


def test_block_kit_that_slack_would_refuse_is_refused_and_noted(fake: FakeSlack, client: WebClient) -> None:
    """The fake refuses what Slack refuses, so every test that posts proves its blocks fit."""
    too_much = [
        [section("字" * 3001)],
        [{"type": "header", "text": {"type": "plain_text", "text": "标" * 151}}],
        [section("a"), {**section("b"), "block_id": "x"}, {**section("c"), "block_id": "x"}],
        [{"type": "actions", "elements": [{"type": "button", "action_id": "go",
                                           "text": {"type": "plain_text", "text": "按" * 76}, "value": "1"}]}],
        [{"type": "section", "text": {"type": "mrkdwn", "text": "选"}, "accessory": {
            "type": "static_select", "action_id": "pick",
            "options": [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(101)]}}],
        [section("")],
    ]
    for blocks in too_much:
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="x", blocks=blocks)
        assert err.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="1.2", view=modal(blocks=[section("x")] * 101))
    assert err.value.response["error"] == "invalid_arguments"
    assert len(fake.refused_blocks) == len(too_much) + 1 and fake.messages("C1") == []
    client.chat_postMessage(channel="C1", text="x", blocks=[section("字" * 3000)])  # at the limit: taken


def test_an_installations_token_acts_as_its_own_bot_in_its_own_workspace(fake: FakeSlack, client: WebClient) -> None:
    """OAuth: what a workspace's installation posts or opens is its own bot's; the fake's own token acts as before.
    Each call keeps its token."""
    fake.oauth.add_workspace("T0COMPANY", "Company", bot_user_id="U0BOTCOMP")
    fake.oauth.remember("xoxb-company-1", "T0COMPANY")  # a token issued before a restart (the sandbox's)
    company = WebClient(token="xoxb-company-1", base_url=fake.url, retry_handlers=[])
    posted = company.chat_postMessage(channel="C0SHARED", text="hi")["message"]
    assert (posted["user"], posted["bot_id"], posted["team"]) == ("U0BOTCOMP", "B0BOTCOMP", "T0COMPANY")
    view = company.views_open(trigger_id="t", view=modal())["view"]
    assert (view["team_id"], view["bot_id"]) == ("T0COMPANY", "B0BOTCOMP")
    own = client.chat_postMessage(channel="C0SHARED", text="hello")["message"]
    assert (own["user"], own["team"]) == (fake.bot_user_id, fake.team_id)
    assert [c.token for c in fake.calls_to("chat.postMessage")] == ["xoxb-company-1", client.token]


def test_the_authorize_page_asks_the_installer_when_told_to(fake: FakeSlack) -> None:
    """`oauth.ask` (the sandbox): Slack's Allow page with a workspace picker; Allow sends the installer back with a
    code and the app's state, Cancel with `error=access_denied`."""
    fake.oauth.ask = True
    fake.oauth.redirect_url = "http://127.0.0.1:1/slack/oauth_redirect"
    fake.oauth.add_workspace("T0COLLEGE", "College & Co")
    fake.oauth.add_workspace("T0COMPANY", "Company")
    fake.oauth.next_workspace = "T0COMPANY"
    base = f"{fake.base}/oauth/v2/authorize?client_id={fake.oauth.client_id}&state=s1&scope=commands"

    def get(url: str) -> tuple[int, str, str]:
        request = urllib.request.Request(url)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Location", ""), err.read().decode()

    status, _, page = get(base)
    assert status == 200 and "College &amp; Co" in page and "Allow" in page and "Cancel" in page
    assert '<option value="T0COMPANY" selected>' in page and 'name="state" value="s1"' in page
    assert not fake.oauth._codes, "nothing is approved by showing the page"
    status, location, _ = get(base + "&team=T0COLLEGE&allow=1")
    assert status == 302 and location.startswith(fake.oauth.redirect_url + "?code=") and "state=s1" in location
    status, location, _ = get(base + "&team=T0COLLEGE&allow=cancel")
    assert (status, location) == (302, fake.oauth.redirect_url + "?error=access_denied&state=s1")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
