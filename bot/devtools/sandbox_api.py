"""The sandbox page's HTTP side: static files, downloads, and a small JSON API under /sandbox/api/.

Every action on the page becomes what Slack would send the app — a signed slash command, block action,
block suggestion, view submission or event (bot.devtools.slack_requests) — and the app's answers come
back through its real WebClient into the fake Slack, which SandboxState watches.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from bot.container import Services
from bot.devtools.sandbox_seed import roster
from bot.devtools.sandbox_state import SandboxState
from bot.devtools.sandbox_workspaces import BOT_USERS, INSTALL_START, SandboxWorkspaces
from bot.devtools.slack_requests import Reply, SlackRequests, fill
from bot.roster.partnerships import list_partnerships
from bot.slack.manifest import INSTALL_PATH
from bot.slack.surface import SLASH_COMMANDS
from bot.slack.text import escape
from bot.storage.db import Database
from scheduler.jobs import run_by_hand
from scheduler.spec import JobName

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
else:
    StartResponse = WSGIApplication = WSGIEnvironment = Any

log = logging.getLogger(__name__)

STATIC_PACKAGE = "bot.devtools.sandbox_static"
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
MAX_BODY = 256 * 1024


class BadRequest(Exception):
    """A request the page should not have sent; answered 400 with the message."""




@dataclass
class SandboxApi:
    state: SandboxState
    slack: SlackRequests
    services: Services
    workspaces: SandboxWorkspaces | None = None  # `--oauth`: two workspaces, each with its own installation

    @property
    def db(self) -> Database:
        return self.services.db

    # -- reading ----------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Everything the page draws, as the current person sees it."""
        fake, me = self.state.fake, self.state.me
        people = roster(self.db)
        names = {p.slack_user_id: p.name for p in people} | {bot: "coopbot" for bot in (fake.bot_user_id,
                                                                                      *BOT_USERS.values())}
        team_of = self.workspaces.team_of if self.workspaces else None
        channels: list[dict[str, Any]] = [
            {"id": p.channel_id, "name": p.name, "member": p.channel_id not in fake.not_in_channel}
            for p in list_partnerships(self.db)]
        dm = "D" + me
        messages = {str(c["id"]): [self._message(m) for m in fake.messages(str(c["id"]))] for c in channels}
        messages[dm] = [self._message(m) for m in fake.messages(dm)]
        modal, depth = self.state.modal_of(me)
        home = fake.home(me) if me in fake.homes else None
        return {
            "version": self.state.version, "me": me, "bot_user_id": fake.bot_user_id, "names": names,
            "people": [{"id": p.slack_user_id, "name": p.name, "roles": list(p.roles), "external": p.external,
                        **({"team": team_of(p.slack_user_id)} if team_of else {})} for p in people],
            # `--oauth`: the person's own workspace, and where coopbot is installed (else None: one workspace)
            "workspaces": self.workspaces.summary(me) if self.workspaces else None,
            "channels": channels, "dms": [{"id": dm, "name": "coopbot"}], "messages": messages,
            "ephemerals": [self._message(e) for e in self.state.ephemerals if e["user"] == me],
            "unread": {dm: self.state.unread(me, dm)},
            "home": home, "modal": modal, "modal_depth": depth, "notices": self.state.notices[-5:],
            "commands": [{"command": c.command, "description": c.description, "usage_hint": c.usage_hint}
                         for c in SLASH_COMMANDS],
            "jobs": {"available": True, "reason": "", "names": list(JobName)},
        }

    def _message(self, m: dict[str, Any]) -> dict[str, Any]:
        out = dict(m)
        out["files"] = [{**f, "url": f"/sandbox/files/{quote(str(f['id']))}"} for f in m.get("files") or []]
        return out

    # -- acting -----------------------------------------------------------------------------------
    def act_as(self, body: dict[str, Any]) -> dict[str, Any]:
        user = _text(body, "user")
        if user not in {p.slack_user_id for p in roster(self.db)}:
            raise BadRequest(f"{user} is not on the demo roster")
        if user != self.state.me:
            self.state.end_session(self.state.me)  # acting as someone else: another person's client
        self.state.me = user
        self.state.bump()
        return {"ok": True}

    def session(self, body: dict[str, Any]) -> dict[str, Any]:
        """The page was (re)loaded: a new client session, without the ephemeral replies of the last one."""
        self.state.end_session()
        return {"ok": True}

    def read(self, body: dict[str, Any]) -> dict[str, Any]:
        """The person is looking at a conversation: all of it is read now (the unread badge clears)."""
        self.state.mark_read(self.state.me, _text(body, "channel"))
        return {"ok": True}

    def command(self, body: dict[str, Any]) -> dict[str, Any]:
        """The message box: a slash command goes to the app; anything else is a message in the channel."""
        me, channel, text = self.state.me, _text(body, "channel"), _text(body, "text").strip()
        if not text:
            raise BadRequest("nothing to send")
        if not text.startswith("/"):
            self.state.fake.add_user_message(channel, me, text, body.get("thread_ts") or None)
            return {"ok": True}
        command, _, rest = text.partition(" ")
        if command not in {c.command for c in SLASH_COMMANDS}:
            self.state.add_ephemeral(me, channel, {"text": f"`{command}` is not a valid command."})
            return {"ok": False, "error": "unknown_command"}
        slack = self._slack_for(me, channel=channel)
        if slack is None:
            return self._not_installed(me, channel, f"`{command}` is not a valid command. ")
        reply = slack.command(command, rest.strip(), user_id=me, channel_id=channel,
                              response_url=self.state.response_url_for(me, channel),
                              trigger_id=self.state.trigger_for(me))
        self._check(reply, channel)
        ack = _json_or_empty(reply)
        if ack.get("text") or ack.get("blocks"):
            if ack.get("response_type") == "in_channel":
                self.state.post_as_bot(channel, ack)
            else:
                self.state.add_ephemeral(me, channel, ack)
        return {"ok": True}

    def action(self, body: dict[str, Any]) -> dict[str, Any]:
        """A button (or select) in a message, in App Home, or in a modal."""
        me = self.state.me
        kwargs: dict[str, Any] = {"user_id": me, "action_id": _text(body, "action_id"),
                                  "block_id": str(body.get("block_id") or "b"), "value": body.get("value"),
                                  "selected_option": body.get("selected_option"),
                                  "trigger_id": self.state.trigger_for(me)}
        if body.get("view_id"):
            view = self.state.fake.views.get(str(body["view_id"]))
            if view is None:
                raise BadRequest("that view is gone")
            slack = self._slack_for(me, view=view)
            if slack is None:
                return self._not_installed(me, None)
            reply = slack.block_action(**kwargs, view=view, channel_id=None)
        else:
            channel, ts = _text(body, "channel"), _text(body, "ts")
            slack = self._slack_for(me, channel=channel)
            if slack is None:
                return self._not_installed(me, channel)
            found = [m for m in self.state.fake.messages(channel) + self.state.ephemerals if m.get("ts") == ts]
            message = {k: v for k, v in found[0].items() if k not in ("user", "ephemeral")} if found else None
            reply = slack.block_action(**kwargs, channel_id=channel, message_ts=ts, message=message,
                                       response_url=self.state.response_url_for(me, channel, ts))
        self._check(reply, body.get("channel"))
        return {"ok": True}

    def options(self, body: dict[str, Any]) -> dict[str, Any]:
        """An external_select asks the app for options (a signed block_suggestion)."""
        view = self.state.fake.views.get(_text(body, "view_id"))
        if view is None:
            raise BadRequest("that view is gone")
        slack = self._slack_for(self.state.me, view=view)
        if slack is None:
            return {"options": [], "option_groups": []}
        reply = slack.block_suggestion(user_id=self.state.me, action_id=_text(body, "action_id"),
                                            block_id=_text(body, "block_id"), value=str(body.get("value") or ""),
                                            view=view)
        answer = _json_or_empty(reply) if reply.status == 200 else {}
        return {"options": answer.get("options") or [], "option_groups": answer.get("option_groups") or []}

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        """The modal's submit button: a view_submission in Slack's state shape, and its response_action."""
        me, view_id = self.state.me, _text(body, "view_id")
        view = self.state.fake.views.get(view_id)
        if view is None:
            raise BadRequest("that view is gone")
        answers = body.get("values") or {}
        if not isinstance(answers, dict):
            raise BadRequest("values must be an object")
        try:
            values = fill(view, answers)
        except (KeyError, ValueError, TypeError) as exc:
            raise BadRequest(str(exc)) from exc
        slack = self._slack_for(me, view=view)
        reply = None if slack is None else slack.view_submission(view, values, user_id=me,
                                                                 trigger_id=self.state.trigger_for(me))
        if reply is None or reply.status != 200:
            return {"result": "failed", "error": "We had some trouble connecting. Try again?"}
        answer = _json_or_empty(reply)
        action = answer.get("response_action")
        if action == "errors":
            return {"result": "errors", "errors": answer.get("errors") or {}}
        if action == "update":
            self.state.replace_view(view_id, answer["view"])
        elif action == "push":
            self.state.push_view(me, answer["view"])
        elif action == "clear":
            self.state.clear(me)
        else:
            self.state.close_top(me)
        return {"result": action or "closed"}

    def close(self, body: dict[str, Any]) -> dict[str, Any]:
        view = self.state.fake.views.get(_text(body, "view_id"))
        slack = None if view is None else self._slack_for(self.state.me, view=view)
        if view is not None and slack is not None and view.get("notify_on_close"):
            slack.view_closed(view, user_id=self.state.me)
        self.state.close_top(self.state.me)
        return {"ok": True}

    def home(self, body: dict[str, Any]) -> dict[str, Any]:
        """The Home tab was opened: Slack sends app_home_opened."""
        me = self.state.me
        slack = self._slack_for(me)
        if slack is None:  # no coopbot in their workspace yet: the page offers "Add to Slack" instead
            return {"ok": False, "error": "not_installed"}
        reply = slack.event({"type": "app_home_opened", "user": me, "channel": "D" + me, "tab": "home"})
        self._check(reply, None)
        return {"ok": True}

    def invite(self, body: dict[str, Any]) -> dict[str, Any]:
        """`/invite @coopbot`: the bot joins, and Slack tells the app with member_joined_channel."""
        channel, fake = _text(body, "channel"), self.state.fake
        slack = self._slack_for(self.state.me, channel=channel)
        if slack is None:
            return self._not_installed(self.state.me, channel)
        fake.not_in_channel.discard(channel)
        reply = slack.event({"type": "member_joined_channel", "user": slack.bot_user_id, "channel": channel,
                             "channel_type": "C", "team": slack.team_id, "inviter": self.state.me})
        self._check(reply, channel)
        self.state.bump()
        return {"ok": True}

    def run_job(self, body: dict[str, Any]) -> dict[str, Any]:
        name = _text(body, "name")
        if name not in JobName._value2member_map_:
            raise BadRequest(f"unknown job {name}")
        report = run_by_hand(name, self.services)
        lines = [f"• {escape(line.partnership)}: {escape(line.what)}" if line.partnership is not None
                 else f"• {escape(line.what)}" for line in report.lines]
        self.state.add_ephemeral(self.state.me, "D" + self.state.me, {"text": "\n".join(
            [f"Ran the scheduled job `{name}` now: {report.done} done.", *lines])})
        return {"ok": True, "count": report.done,
                "report": [{"partnership": line.partnership, "what": line.what} for line in report.lines]}

    def _slack_for(self, me: str, *, channel: str | None = None,
                   view: dict[str, Any] | None = None) -> SlackRequests | None:
        """Who sends `me`'s request: the one workspace's Slack, or (`--oauth`) the installation of the view acted
        on, else of their own workspace, else in a conversation (the shared channel, or a DM the host's coopbot
        sent them) the host's, as someone of another organization. None: no coopbot for them there."""
        if self.workspaces is None:
            return self.slack
        through = str(view["team_id"]) if view and view.get("team_id") else None
        return self.workspaces.requests(me, through=through, shared=channel is not None)

    def _not_installed(self, me: str, channel: str | None, prefix: str = "") -> dict[str, Any]:
        """What Slack's client shows someone whose workspace has no coopbot yet (the sidebar's "Add to Slack")."""
        assert self.workspaces is not None
        name = self.workspaces.workspace(self.workspaces.team_of(me)).name
        self.state.add_ephemeral(me, channel or "D" + me, {"text": f"{prefix}coopbot is not installed in {name} "
                                                                   "yet: *Add to Slack* is in the sidebar."})
        return {"ok": False, "error": "not_installed"}

    def install(self, query: dict[str, list[str]]) -> str:
        """The page's "Add to Slack" for a workspace: the installer starts at the app's own /slack/install, which
        sends them to Slack's Allow page (for this workspace) and back to the app's /slack/oauth_redirect."""
        team = (query.get("team") or [""])[0]
        if self.workspaces is None or team not in self.state.fake.oauth.workspaces:
            raise BadRequest("no such workspace (the sandbox runs with --oauth to install coopbot)")
        self.state.fake.oauth.next_workspace = team
        return self.workspaces.bot_url + INSTALL_PATH

    def _check(self, reply: Reply, channel: Any) -> None:
        if reply.status != 200:
            note = f"The app answered HTTP {reply.status}; see the terminal for its log."
            self.state.notices.append(note)
            if channel:
                self.state.add_ephemeral(self.state.me, str(channel), {"text": note})

    # -- HTTP -------------------------------------------------------------------------------------
    def wsgi(self) -> WSGIApplication:
        posts: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "as": self.act_as, "command": self.command, "action": self.action, "options": self.options,
            "submit": self.submit, "close": self.close, "home": self.home, "invite": self.invite,
            "jobs": self.run_job, "session": self.session, "read": self.read}

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET").upper()
            refused = _foreign(environ, method)
            if refused:
                return _send(start_response, "403 Forbidden", {"error": refused})
            try:
                if path.startswith("/sandbox/api/") and method == "POST":
                    handler = posts.get(path.removeprefix("/sandbox/api/"))
                    if handler is None:
                        return _send(start_response, "404 Not Found", {"error": "not found"})
                    return _send(start_response, "200 OK", handler(_read_json(environ)))
                if method not in ("GET", "HEAD"):
                    return _send(start_response, "405 Method Not Allowed", {"error": "method not allowed"})
                if path == "/sandbox/api/state":
                    query = parse_qs(environ.get("QUERY_STRING", ""))
                    since, wait = _int(query, "since", -1), min(_int(query, "wait", 0), 25)
                    if since == self.state.version and wait:
                        self.state.wait_newer(since, wait)
                    return _send(start_response, "200 OK", self.snapshot())
                if path == INSTALL_START:
                    target = self.install(parse_qs(environ.get("QUERY_STRING", "")))
                    start_response("302 Found", [("Location", target), ("Content-Length", "0"),
                                                 ("Cache-Control", "no-store")])
                    return []
                if path == "/favicon.ico":
                    start_response("204 No Content", [])
                    return []
                if path.startswith("/sandbox/files/"):
                    return self._download(path.removeprefix("/sandbox/files/"), start_response)
                return _static("index.html" if path == "/" else path.removeprefix("/static/"), start_response)
            except BadRequest as exc:
                return _send(start_response, "400 Bad Request", {"error": str(exc)})
            except Exception:
                log.exception("sandbox request failed")
                return _send(start_response, "500 Internal Server Error", {"error": "sandbox error; see the log"})

        return app

    def _download(self, file_id: str, start_response: StartResponse) -> list[bytes]:
        record = self.state.fake.files.get(file_id)
        if not record or record.get("content") is None:
            return _send(start_response, "404 Not Found", {"error": "no such file"})
        name = quote(str(record["name"]))
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Disposition", f"attachment; filename*=UTF-8''{name}"),
                                  ("Content-Length", str(len(record["content"])))])
        return [bytes(record["content"])]


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def _foreign(environ: WSGIEnvironment, method: str) -> str | None:
    """Why a request does not come from the sandbox's own page, or None. The page acts as anyone on the
    roster, so another web page open in the same browser must not drive it: a Host that is not a loopback
    name is a DNS-rebinding page (it could read the state); a POST must be JSON (which a cross-site form or
    simple request cannot send without the browser asking first, and we never answer yes) from no other
    origin."""
    host = str(environ.get("HTTP_HOST") or "")
    if _hostname(host) not in LOOPBACK_NAMES:
        return "the sandbox answers only to 127.0.0.1 and localhost"
    if method != "POST":
        return None
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return "the sandbox's API takes application/json from its own page"
    origin = str(environ.get("HTTP_ORIGIN") or "")
    if origin and urlsplit(origin).netloc != host:
        return "the sandbox's API takes requests from its own page only"
    return None


def _hostname(host: str) -> str:
    """"127.0.0.1:3000" → "127.0.0.1", "[::1]:3000" → "[::1]"."""
    if host.startswith("["):
        return host[:host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{key} is required")
    return value


def _int(query: dict[str, list[str]], key: str, default: int) -> int:
    try:
        return int(query.get(key, [default])[0])
    except ValueError:
        return default


def _json_or_empty(reply: Reply) -> dict[str, Any]:
    try:
        answer = reply.json() if reply.text.strip() else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _read_json(environ: WSGIEnvironment) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise BadRequest("bad content-length") from exc
    if length > MAX_BODY:
        raise BadRequest("request too large")
    try:
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError as exc:
        raise BadRequest("body must be JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def _send(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    start_response(status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


def _static(name: str, start_response: StartResponse) -> list[bytes]:
    """A file shipped in sandbox_static/; only plain names listed there, so no path can escape it."""
    folder = resources.files(STATIC_PACKAGE)
    known = {entry.name for entry in folder.iterdir() if entry.is_file()}
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if name not in known or suffix not in STATIC_TYPES:
        return _send(start_response, "404 Not Found", {"error": "not found"})
    data = folder.joinpath(name).read_bytes()
    start_response("200 OK", [("Content-Type", STATIC_TYPES[suffix]), ("Content-Length", str(len(data))),
                              ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                              ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")])
    return [data]
