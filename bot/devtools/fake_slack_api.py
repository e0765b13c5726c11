"""The Web API methods the fake Slack answers, with Slack's response shapes and error codes.

Each implementation runs with the fake's lock held and returns the fields after `"ok": true`, or raises
SlackError with the code real Slack would answer, so our code meets the same failures it will in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.devtools.fake_blocks import block_problems, utf16_units, view_problems

if TYPE_CHECKING:
    from bot.devtools.fake_slack import FakeSlack

MAX_MESSAGE_BLOCKS, MAX_TEXT = 50, 40_000  # the rest of Block Kit's limits: bot.devtools.fake_blocks


class SlackError(Exception):
    """An `{"ok": false, "error": args[0]}` answer, raised from inside a method implementation."""


def _need(args: dict[str, Any], *names: str, error: str = "invalid_arguments") -> None:
    if any(not args.get(n) for n in names):
        raise SlackError(error)


def _check_message(fake: FakeSlack, args: dict[str, Any], channel: str) -> None:
    if channel in fake.not_in_channel:
        raise SlackError("not_in_channel")
    if channel in fake.frozen:  # a shared channel disconnected from this organization
        raise SlackError("restricted_action")
    blocks = args.get("blocks")
    if blocks is not None:
        problems = block_problems(blocks, most=MAX_MESSAGE_BLOCKS)
        if problems:
            fake.refused_blocks.append((channel, problems))
            raise SlackError("invalid_blocks")
    if utf16_units(str(args.get("text") or "")) > MAX_TEXT:
        raise SlackError("msg_too_long")


def _refused_dm(fake: FakeSlack, conversation: str) -> None:
    """A DM Slack will not deliver to this person (FakeSlack.refuse_dms: e.g. invalid_user_combination when the
    bot shares no channel with someone of another organization)."""
    user = conversation.removeprefix("D") if conversation[:1] == "D" else conversation
    error = fake.refuse_dms.get(user)
    if error:
        raise SlackError(error)


def _dm_channel(channel: str) -> str:
    return "D" + channel if channel[:1] in ("U", "W") else channel


def _auth_test(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    return {"url": "https://example.slack.com/", "team": "Example", "user": "coopbot",
            "team_id": fake.team_id, "user_id": fake.bot_user_id, "bot_id": fake.bot_id,
            "is_enterprise_install": False}


def _post_message(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", error="channel_not_found")
    if not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise SlackError("no_text")
    _refused_dm(fake, str(args["channel"]))
    channel = _dm_channel(str(args["channel"]))
    _check_message(fake, args, channel)
    team, bot_user, bot = fake.caller
    message: dict[str, Any] = {
        "type": "message", "ts": fake._next_ts(), "user": bot_user, "bot_id": bot, "team": team,
        "text": args.get("text") or "", "blocks": args.get("blocks") or [],
        "thread_ts": args.get("thread_ts"), "edited": False}
    if args.get("attachments"):
        message["attachments"] = args["attachments"]
    if isinstance(args.get("metadata"), dict):
        message["metadata"] = args["metadata"]
    fake._messages.setdefault(channel, []).append(message)
    return {"channel": channel, "ts": message["ts"], "message": dict(message)}


def _listed(messages: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """A page of messages as conversations.history/replies answer it (metadata only when asked for)."""
    oldest = float(args.get("oldest") or 0)
    with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    found = [{k: v for k, v in m.items() if k != "metadata" or with_metadata}
             for m in messages if float(m["ts"]) > oldest]
    return {"messages": found, "has_more": False, "response_metadata": {"next_cursor": ""}}


def _history(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", error="channel_not_found")
    channel = str(args["channel"])
    if channel in fake.not_in_channel:
        raise SlackError("not_in_channel")
    top = [m for m in fake._messages.get(channel, []) if m.get("thread_ts") in (None, m["ts"])]
    return _listed(list(reversed(top)), args)


def _replies(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", "ts", error="thread_not_found")
    ts = str(args["ts"])
    thread = [m for m in fake._messages.get(str(args["channel"]), []) if ts in (m["ts"], m.get("thread_ts"))]
    if not thread:
        raise SlackError("thread_not_found")
    return _listed(thread, args)


def _update(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", "ts", error="message_not_found")
    channel = _dm_channel(str(args["channel"]))
    _check_message(fake, args, channel)
    message = fake._find(channel, str(args["ts"]))
    for key in ("text", "blocks", "attachments"):
        if key in args and args[key] is not None:
            message[key] = args[key]
    message["edited"] = True
    return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": dict(message)}


def _ephemeral(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", "user")
    channel = _dm_channel(str(args["channel"]))
    _check_message(fake, args, channel)
    return {"message_ts": fake._next_ts()}


def _permalink(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", "message_ts")
    link = f"https://example.slack.com/archives/{args['channel']}/p{str(args['message_ts']).replace('.', '')}"
    return {"channel": args["channel"], "permalink": link}


def _open_conversation(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        return {"channel": {"id": args["channel"]}}
    _need(args, "users", error="users_list_not_supplied")
    users = str(args["users"]).split(",")
    _refused_dm(fake, users[0])
    return {"channel": {"id": "D" + users[0] if len(users) == 1 else "G" + "".join(users)}}


def _conversation_info(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", error="channel_not_found")
    c = str(args["channel"])
    return {"channel": {"id": c, "name": c.lower(), "is_channel": c.startswith("C"),
                        "is_im": c.startswith("D"), "is_private": not c.startswith("C"),
                        "is_member": c not in fake.not_in_channel}}


def _check_view(fake: FakeSlack, view: Any) -> dict[str, Any]:
    if not isinstance(view, dict) or "type" not in view:
        raise SlackError("invalid_arguments")
    problems = view_problems(view)
    if problems:
        fake.refused_blocks.append((f"view {view.get('callback_id') or view['type']}", problems))
        raise SlackError("invalid_arguments")
    return view


def _new_view(fake: FakeSlack, submitted: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
    view_id = view_id or fake._next_id("V")
    team, _bot_user, bot = fake.caller
    defaults: dict[str, Any] = {"callback_id": "", "private_metadata": "", "external_id": "", "blocks": [],
                                "title": None, "submit": None, "close": None,
                                "notify_on_close": False, "clear_on_close": False}
    return {**defaults, **submitted, "id": view_id, "team_id": team, "state": {"values": {}},
            "hash": f"{time.time():.6f}.{next(fake._ids):08x}", "root_view_id": view_id,
            "app_id": "A0APP", "bot_id": bot, "previous_view_id": None}


def _views_open(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "trigger_id", "view")
    view = _new_view(fake, _check_view(fake, args["view"]))
    fake.views[view["id"]] = view
    return {"view": view}


def _views_update(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "view")
    submitted = _check_view(fake, args["view"])
    external = args.get("external_id")
    view_id = args.get("view_id") or next(
        (k for k, v in fake.views.items() if external and v.get("external_id") == external), None)
    if not view_id or view_id not in fake.views:
        raise SlackError("not_found")
    old = fake.views[view_id]
    if args.get("hash") and args["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    view = _new_view(fake, submitted, view_id)
    view["root_view_id"], view["previous_view_id"] = old["root_view_id"], old["previous_view_id"]
    fake.views[view_id] = view
    return {"view": view}


def _views_publish(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    """A person's App Home: one view per person, kept by its id like every view (the actions on it carry
    that id), and published again under the same id."""
    _need(args, "user_id", "view")
    user = str(args["user_id"])
    view = _new_view(fake, _check_view(fake, args["view"]), fake.homes.get(user))
    fake.views[view["id"]] = view
    fake.homes[user] = view["id"]
    return {"view": view}


def _users_info(fake: FakeSlack, args: dict[str, Any], home_team: str | None = None) -> dict[str, Any]:
    """`home_team`: the workspace of the token asking (an OAuth installation's; the fake's own by default)."""
    home = home_team or fake.team_id
    user = fake.users.get(str(args.get("user", "")))
    if user is None:
        raise SlackError("user_not_found")
    name = user.get("name", user["id"].lower())
    profile = {"real_name": user.get("real_name", name), "display_name": name, **user.get("profile", {})}
    found = {"team_id": home, "name": name, "real_name": profile["real_name"],
             "tz": "Asia/Shanghai", "locale": "zh-CN", "is_bot": False, "deleted": False,
             "is_restricted": False, "is_ultra_restricted": False, **user, "profile": profile}
    if found["team_id"] != home:  # someone of another organization (Slack Connect): Slack gives no
        found.pop("locale", None)  # locale for them, even with include_locale
    return {"user": found}


def _get_upload_url(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "filename", "length")
    file_id = fake._next_id("F")
    fake.files[file_id] = {"id": file_id, "name": args["filename"], "length": int(args["length"]),
                           "content": None, "completed": False}
    return {"upload_url": f"{fake.base}/upload/{file_id}", "file_id": file_id}


def _complete_upload(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    entries = args.get("files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments")
    if any(e.get("id") not in fake.files or fake.files[e["id"]]["content"] is None for e in entries):
        raise SlackError("file_not_found")
    channels = [c for c in str(args.get("channels") or "").split(",") if c]
    done = []
    for entry in entries:
        record = fake.files[entry["id"]]
        record.update(title=entry.get("title") or record["name"], channel_id=args.get("channel_id"),
                      channels=channels, initial_comment=args.get("initial_comment"),
                      thread_ts=args.get("thread_ts"), completed=True)
        done.append({"id": record["id"], "name": record["name"], "title": record["title"],
                     "size": len(record["content"])})
    channel = args.get("channel_id") or (channels[0] if channels else None)
    if channel:  # shared into a conversation: Slack shows it there as a file_share message
        _team, bot_user, bot = fake.caller
        message = {"type": "message", "subtype": "file_share", "ts": fake._next_ts(), "user": bot_user,
                   "bot_id": bot, "text": args.get("initial_comment") or "", "blocks": [],
                   "files": [{k: f[k] for k in ("id", "name", "title")} for f in done],
                   "thread_ts": args.get("thread_ts"), "edited": False}
        fake._messages.setdefault(_dm_channel(str(channel)), []).append(message)
    return {"files": done}


def _pins_add(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", error="channel_not_found")
    _need(args, "timestamp", error="no_item_specified")
    channel = str(args["channel"])
    if channel in fake.not_in_channel:
        raise SlackError("not_in_channel")
    message = fake._find(channel, str(args["timestamp"]))
    if message.get("pinned_to"):
        raise SlackError("already_pinned")
    message["pinned_to"] = [channel]
    return {}


def _delete(fake: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    _need(args, "channel", "ts", error="message_not_found")
    channel = _dm_channel(str(args["channel"]))
    message = fake._find(channel, str(args["ts"]))
    fake._messages[channel].remove(message)
    return {"channel": channel, "ts": message["ts"]}


METHODS: dict[str, Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": _auth_test, "chat.postMessage": _post_message, "chat.update": _update,
    "chat.delete": _delete, "pins.add": _pins_add,
    "chat.postEphemeral": _ephemeral, "chat.getPermalink": _permalink,
    "conversations.open": _open_conversation, "conversations.info": _conversation_info,
    "conversations.history": _history, "conversations.replies": _replies,
    "views.open": _views_open, "views.push": _views_open, "views.update": _views_update,
    "views.publish": _views_publish, "users.info": _users_info,
    "files.getUploadURLExternal": _get_upload_url, "files.completeUploadExternal": _complete_upload,
}
