"""The sandbox's JSON API without a browser: each page action reaches the real app as Slack would send it."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.devtools.sandbox_seed import COORD_SCHOOL, DEMO_CHANNEL, MEMBER, MENTOR, TEACHER
from tests.support.sandbox import PageApi

DM_TEACHER = "D" + TEACHER


def _channel(state: dict[str, Any]) -> list[dict[str, Any]]:
    return list(state["messages"][DEMO_CHANNEL])


def _open_report(api: PageApi) -> dict[str, Any]:
    api.post("command", {"channel": DEMO_CHANNEL, "text": "/intern-issue"})
    return dict(api.until(lambda s: s["modal"])["modal"])


def _click(api: PageApi, message: dict[str, Any], action_id: str) -> None:
    """Click a button as the page does: with the block and value the message drew."""
    for block in message["blocks"]:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                api.post("action", {"channel": DEMO_CHANNEL, "ts": message["ts"], "block_id": block["block_id"],
                                    "action_id": action_id, "value": element["value"]})
                return
    raise AssertionError(f"no {action_id} button")


def _report(api: PageApi) -> dict[str, Any]:
    modal = _open_report(api)
    options = api.post("options", {"view_id": modal["id"], "block_id": "intern_id",
                                   "action_id": "problem_intern_select", "value": "Zhang"})["options"]
    answers = {"intern_id": options[0], "category": "safety", "severity": "p2",
               "description": "Cut <b>hand</b> & <!channel>", "occurred_on": date.today().isoformat()}
    assert api.post("submit", {"view_id": modal["id"], "values": answers}) == {"result": "closed"}
    state = api.until(lambda s: _channel(s) and s["modal"] is None)
    return dict(_channel(state)[0])


def test_state_shows_the_demo_roster_and_the_apps_commands(page_api: PageApi) -> None:
    state = page_api.state()
    assert state["me"] == TEACHER
    names = {p["id"]: p for p in state["people"]}
    assert {TEACHER, MENTOR, COORD_SCHOOL, MEMBER} <= set(names)
    assert all("(demo)" in p["name"] for p in state["people"])
    assert "coordinator" in names[COORD_SCHOOL]["roles"]
    # a Slack Connect channel: the enterprise's people are external (the page badges them), the college's not
    assert names[MENTOR]["external"] and names[MEMBER]["external"]
    assert not names[TEACHER]["external"] and not names[COORD_SCHOOL]["external"]
    assert state["channels"] == [{"id": DEMO_CHANNEL, "name": "Demo College – Demo Works", "member": True}]
    commands = {c["command"] for c in state["commands"]}
    assert {"/intern-issue", "/coop"} <= commands
    assert state["names"][state["bot_user_id"]] == "coopbot"


def test_report_through_the_modal_with_inline_errors(page_api: PageApi) -> None:
    modal = _open_report(page_api)
    assert modal["title"]["text"] == "Log intern problem"
    assert page_api.post("as", {"user": MENTOR}) == {"ok": True}
    assert page_api.state()["modal"] is None, "a modal belongs to the person who opened it"
    page_api.post("as", {"user": TEACHER})

    errors = page_api.post("submit", {"view_id": modal["id"], "values": {"description": "   "}})
    assert errors["result"] == "errors"
    assert {"intern_id", "category", "severity", "description"} <= set(errors["errors"])
    assert page_api.state()["modal"]["id"] == modal["id"], "the modal stays open with its errors"

    message = _report(page_api)
    assert message["blocks"][0]["type"] == "header"
    assert "Cut &lt;b&gt;hand&lt;/b&gt; &amp; &lt;!channel&gt;" in str(message["blocks"])
    page_api.post("as", {"user": MENTOR})
    dm = page_api.until(lambda s: s["messages"].get("D" + MENTOR))["messages"]["D" + MENTOR]
    assert "reported a problem" in dm[0]["text"]


def test_buttons_acknowledge_and_refuse_privately(page_api: PageApi) -> None:
    message = _report(page_api)
    page_api.post("as", {"user": MEMBER})
    _click(page_api, message, "problem_acknowledge")
    refused = page_api.until(lambda s: s["ephemerals"])["ephemerals"]
    assert refused[0]["channel"] == DEMO_CHANNEL and "role does not allow" in refused[0]["text"]

    page_api.post("as", {"user": MENTOR})
    assert page_api.state()["ephemerals"] == [], "an ephemeral reply is only for its recipient"
    _click(page_api, message, "problem_acknowledge")
    state = page_api.until(lambda s: "Acknowledged by" in str(_channel(s)[0]["blocks"])
                           and any(m.get("thread_ts") == message["ts"] for m in _channel(s)))  # a note in the thread
    assert _channel(state)[0]["edited"] is True


def test_slash_command_ack_is_shown_to_the_caller_only(page_api: PageApi) -> None:
    page_api.post("command", {"channel": DEMO_CHANNEL, "text": "/coop help"})
    state = page_api.until(lambda s: s["ephemerals"])
    assert "/intern-issue" in state["ephemerals"][0]["text"]
    assert page_api.post("command", {"channel": DEMO_CHANNEL, "text": "/nope"})["error"] == "unknown_command"
    page_api.post("command", {"channel": DEMO_CHANNEL, "text": "hello <everyone>"})
    typed = page_api.until(lambda s: _channel(s))
    assert _channel(typed)[0]["text"] == "hello <everyone>" and _channel(typed)[0]["user"] == TEACHER
    page_api.post("as", {"user": MENTOR})
    assert page_api.state()["ephemerals"] == []


def test_app_home_is_published_when_opened(page_api: PageApi) -> None:
    page_api.post("home")
    home = page_api.until(lambda s: s["home"])["home"]
    assert home["type"] == "home" and home["blocks"]


def test_parked_report_goes_out_when_the_bot_is_invited(page_api: PageApi) -> None:
    page_api.sandbox.fake.not_in_channel.add(DEMO_CHANNEL)
    assert page_api.state()["channels"][0]["member"] is False
    modal = _open_report(page_api)
    options = page_api.post("options", {"view_id": modal["id"], "block_id": "intern_id",
                                        "action_id": "problem_intern_select", "value": ""})["options"]
    page_api.post("submit", {"view_id": modal["id"], "values": {
        "intern_id": options[0], "category": "conduct", "severity": "p3", "description": "Late twice",
        "occurred_on": date.today().isoformat()}})
    page_api.until(lambda s: s["messages"][DM_TEACHER] or s["ephemerals"])  # told how to invite the bot
    assert _channel(page_api.state()) == []
    page_api.post("invite", {"channel": DEMO_CHANNEL})
    state = page_api.until(lambda s: _channel(s))
    assert state["channels"][0]["member"] is True


def test_uploaded_files_appear_and_download(page_api: PageApi) -> None:
    fake = page_api.sandbox.fake
    client = WebClient(token=fake.bot_token, base_url=fake.url)
    client.files_upload_v2(content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", filename="meeting.ics",
                           title="Meeting", channel=DEMO_CHANNEL)
    message = _channel(page_api.until(lambda s: _channel(s)))[0]
    file = message["files"][0]
    assert file["name"] == "meeting.ics"
    status, headers, body = page_api.raw(file["url"])
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    assert "attachment" in headers["Content-Disposition"]
    assert page_api.raw("/sandbox/files/F_missing")[0] == 404


def test_page_and_static_files_are_served_safely(page_api: PageApi) -> None:
    status, headers, body = page_api.raw("/")
    assert status == 200 and b"coopbot sandbox" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for name in ("app.js", "blocks.js", "modal.js", "sandbox.css"):
        assert page_api.raw(f"/static/{name}")[0] == 200
    for bad in ("/static/../sandbox_api.py", "/static/__init__.py", "/static/%2e%2e/x.js", "/nope"):
        assert page_api.raw(bad)[0] == 404
    assert page_api.post("as", {"user": "U0NOBODY99"}, status=400)["error"]
    assert page_api.post("submit", {"view_id": "V404"}, status=400)["error"]
    assert page_api.post("unknown", status=404)


def test_scheduled_jobs_button(page_api: PageApi) -> None:
    jobs = page_api.state()["jobs"]
    assert jobs["available"] is True
    assert {"quarterly-prompt", "digest", "reminders"} <= set(jobs["names"])
    assert page_api.post("jobs", {"name": "digest"})["ok"] is True
    assert page_api.post("jobs", {"name": "not-a-job"}, status=400)


def test_running_a_job_shows_what_it_did_per_partnership(page_api: PageApi) -> None:
    """The "Run job" button runs the job by hand, as `coopbot jobs run` does, and shows the same report."""
    first = page_api.post("jobs", {"name": "quarterly-prompt"})
    assert first["count"] == 1
    [line] = first["report"]
    assert line["partnership"] == "Demo College – Demo Works"
    assert line["what"].startswith("posted Q") and line["what"].endswith("'s prompt to schedule the review")
    state = page_api.until(lambda s: _channel(s))
    [prompt] = _channel(state)
    assert any(b.get("block_id", "").startswith("quarterly_prompt:") for b in prompt["blocks"])
    again = page_api.post("jobs", {"name": "quarterly-prompt"})
    assert again["count"] == 0 and "prompt already posted on" in again["report"][0]["what"]
    notes = [e["text"] for e in page_api.state()["ephemerals"]]
    assert notes[-1].startswith("Ran the scheduled job `quarterly-prompt` now: 0 done.")
    assert f"• Demo College – Demo Works: {again['report'][0]['what']}" in notes[-1]
    assert len(_channel(page_api.state())) == 1  # once per partnership and quarter


def _send(api: PageApi, path: str, body: bytes | None, headers: dict[str, str]) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(api.base + path, data=body, method="POST" if body is not None else "GET",
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_other_web_pages_cannot_drive_or_read_the_sandbox(page_api: PageApi) -> None:
    """The page acts as anyone on the roster: a page from elsewhere in the same browser must not. A simple
    cross-site POST (no preflight: text/plain or a form), a JSON POST from another origin and a read through
    a DNS-rebound name are all refused, and change nothing."""
    act_as = json.dumps({"user": MENTOR}).encode()
    refused = [
        ("/sandbox/api/as", act_as, {"Content-Type": "text/plain"}),
        ("/sandbox/api/as", act_as, {"Content-Type": "application/x-www-form-urlencoded"}),
        ("/sandbox/api/as", act_as, {"Content-Type": "application/json", "Origin": "https://evil.example"}),
        ("/sandbox/api/state", None, {"Host": "evil.example"}),
        ("/sandbox/api/as", act_as, {"Content-Type": "application/json", "Host": "rebound.evil.example:3000"}),
    ]
    for path, body, headers in refused:
        assert _send(page_api, path, body, headers) == 403, (path, headers)
    assert page_api.state()["me"] == TEACHER
    own_origin = page_api.base
    assert _send(page_api, "/sandbox/api/as", act_as, {"Content-Type": "application/json",
                                                      "Origin": own_origin}) == 200
    assert page_api.state()["me"] == MENTOR
    localhost = page_api.base.replace("127.0.0.1", "localhost")
    assert _send(page_api, "/sandbox/api/state", None, {"Host": localhost.removeprefix("http://")}) == 200


def test_the_sandbox_never_uses_the_configured_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` starts the sandbox where .env may already name the production database: the sandbox's
    demo people, its page acting as anyone, and its jobs' ledger must not reach it."""
    from bot.devtools.sandbox import SANDBOX_DATABASE, database_url_configured, sandbox_database_url

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://coop@db.example/production")
    assert sandbox_database_url() == SANDBOX_DATABASE
    assert database_url_configured()


def _home_element(home: dict[str, Any], action_id: str) -> tuple[str, dict[str, Any]]:
    for block in home["blocks"]:
        for element in [block.get("accessory") or {}, *(block.get("elements") or [])]:
            if element.get("action_id") == action_id:
                return block.get("block_id") or "b", element
    raise AssertionError(f"no {action_id} on the home")


def test_app_home_controls_act_on_the_home_view(page_api: PageApi) -> None:
    """An action on App Home names the home's view id, as Slack's do; the sandbox finds the view by it."""
    page_api.post("home")
    home = page_api.until(lambda s: s["home"])["home"]
    block_id, picker = _home_element(home, "home_language")
    chinese = next(o for o in picker["options"] if o["value"] == "zh_CN")
    page_api.post("action", {"view_id": home["id"], "block_id": block_id, "action_id": "home_language",
                             "selected_option": chinese})
    again = page_api.until(lambda s: s["home"]["hash"] != home["hash"])["home"]
    assert again["id"] == home["id"] and "语言" in json.dumps(again, ensure_ascii=False)
    block_id, log = _home_element(again, "home_log_problem")
    page_api.post("action", {"view_id": again["id"], "block_id": block_id, "action_id": "home_log_problem",
                             "value": log.get("value")})
    assert page_api.until(lambda s: s["modal"])["modal"]["callback_id"] == "problem_report"


def test_unread_counts_what_others_posted_since_the_person_read_it(page_api: PageApi) -> None:
    _report(page_api)  # the mentor is told in a DM
    page_api.post("as", {"user": MENTOR})
    dm = "D" + MENTOR
    assert page_api.until(lambda s: s["unread"][dm] == 1)
    page_api.post("read", {"channel": dm})
    assert page_api.state()["unread"] == {dm: 0}
    page_api.post("as", {"user": TEACHER})
    page_api.post("as", {"user": MENTOR})
    assert page_api.state()["unread"] == {dm: 0}, "read stays read"


def test_ephemeral_replies_end_with_the_session(page_api: PageApi) -> None:
    page_api.post("command", {"channel": DEMO_CHANNEL, "text": "/coop help"})
    page_api.until(lambda s: s["ephemerals"])
    page_api.post("session")  # the page was reloaded
    assert page_api.state()["ephemerals"] == []
    page_api.post("command", {"channel": DEMO_CHANNEL, "text": "/coop help"})
    page_api.until(lambda s: s["ephemerals"])
    page_api.post("as", {"user": MENTOR})  # acting as someone else: another client
    page_api.post("as", {"user": TEACHER})
    assert page_api.state()["ephemerals"] == []


def test_messages_carry_the_time_they_were_posted(page_api: PageApi) -> None:
    page_api.post("command", {"channel": DEMO_CHANNEL, "text": "first"})
    time.sleep(1.1)
    page_api.post("command", {"channel": DEMO_CHANNEL, "text": "a second later"})
    first, second = _channel(page_api.until(lambda s: len(_channel(s)) == 2))
    assert float(second["ts"]) - float(first["ts"]) >= 1.0
    assert abs(float(second["ts"]) - time.time()) < 30
