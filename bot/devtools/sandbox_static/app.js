// The sandbox page: polls /sandbox/api/state and draws a small Slack client from it.
import { el, renderBlocks, renderMessage } from "./blocks.js";
import { renderModal } from "./modal.js";

const $ = (id) => document.getElementById(id);
let state = null;
let current = { kind: "channel", id: null, tab: "messages" };
let openThread = null; // {channel, ts}
let drawnModal = "";
let drawnHome = "";
let reading = false; // telling the sandbox the person has read the conversation shown

async function post(path, body) {
  const response = await fetch(`/sandbox/api/${path}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) toast(answer.error || `request failed (${response.status})`);
  return answer;
}

function toast(text) {
  const node = $("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 4000);
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $("confirm-layer");
    const done = (answer) => { layer.hidden = true; layer.replaceChildren(); resolve(answer); };
    const style = confirm.style === "danger" ? "danger" : "primary";
    layer.replaceChildren(el("div", { class: "confirm", role: "alertdialog" },
      el("h3", { text: confirm.title?.text || "Are you sure?" }),
      el("div", { text: confirm.text?.text || "" }),
      el("div", { class: "row" },
        el("button", { type: "button", class: "btn", text: confirm.deny?.text || "Cancel", onclick: () => done(false) }),
        el("button", { type: "button", class: `btn ${style}`, "data-testid": "confirm-yes",
          text: confirm.confirm?.text || "Yes", onclick: () => done(true) }))));
    layer.hidden = false;
  });
}

const ctx = {
  names: {}, channelNames: {}, people: [], channels: [],
  post,
  confirm: confirmDialog,
  refresh: () => refresh(),
  openThread: (channel, ts) => { openThread = { channel, ts }; draw(); },
  act: async (where) => {
    const body = { ...where };
    if (body.view_id) { delete body.channel; delete body.ts; }
    await post("action", body);
    refresh();
  },
};

function conversationMessages(id) {
  const posted = (state.messages[id] || []).map((m) => ({ ...m, channel: id }));
  const mine = state.ephemerals.filter((e) => e.channel === id).map((e) => ({ ...e, channel: id }));
  return [...posted, ...mine].sort((a, b) => Number(a.ts) - Number(b.ts));
}

const rolesOf = (person) => person.roles.join(", ") || "no role";

// `coopbot sandbox --oauth`: each organization has its own workspace, with coopbot installed or not (else null)
const workspaceOf = (team) => state.workspaces && state.workspaces.workspaces.find((w) => w.id === team);
const myWorkspace = () => state.workspaces && workspaceOf(state.workspaces.me);
const addToSlack = (w) => el("a", { class: "btn primary add-to-slack", href: w.install_url, "data-testid": `add-to-slack-${w.id}`,
  title: "Install coopbot in this workspace: the app's /slack/install, Slack's Allow page, and back" }, "Add to Slack");

// The person picker: names only (a name and its roles on one line do not fit the sidebar, and a select cuts
// them off), grouped under their roles; the chosen person's roles in full beneath it.
function drawPicker() {
  const picker = $("person");
  if (picker.options.length !== state.people.length) {
    const groups = new Map();
    for (const p of state.people) {
      if (!groups.has(rolesOf(p))) groups.set(rolesOf(p), []);
      // People of another Slack organization carry Slack's external badge (⇄)
      const shown = p.external ? `⇄ ${p.name}` : p.name;
      groups.get(rolesOf(p)).push(el("option", { value: p.id, text: shown, title: `${p.name} — ${rolesOf(p)}` }));
    }
    picker.replaceChildren(...[...groups].map(([roles, options]) => el("optgroup", { label: roles }, options)));
  }
  picker.value = state.me;
  const me = state.people.find((p) => p.id === state.me);
  const own = me && me.team ? workspaceOf(me.team) : null;
  $("person-roles").textContent = me ? rolesOf(me) + (own ? ` · ${own.name}` : me.external ? " · ⇄ external" : "") : "";
  $("person-roles").title = own
    ? `Of ${own.name}'s own Slack workspace; in the shared channel they are of another organization (Slack Connect).`
    : me && me.external ? "External: another Slack organization (Slack Connect). They start everything from the coopbot panel." : "";
}

function drawWorkspaces() {
  const box = $("workspaces");
  box.hidden = !state.workspaces;
  if (!state.workspaces) return;
  const mine = myWorkspace();
  document.querySelector(".workspace").textContent = mine ? mine.name : "coopbot sandbox";
  $("workspace-list").replaceChildren(...state.workspaces.workspaces.map((w) => el("li", { class: "workspace-item" },
    el("span", { text: w.name }), " ",
    w.installed ? el("span", { class: "meta installed", text: "✓ coopbot installed" }) : addToSlack(w))));
}

function drawSidebar() {
  drawPicker();
  drawWorkspaces();
  const item = (label, active, onclick, badge) => el("li", {}, el("button", { type: "button", class: active ? "active" : "", onclick },
    label, badge ? el("span", { class: "badge", text: badge }) : null));
  $("channels").replaceChildren(...state.channels.map((c) => item("# " + c.name,
    current.kind === "channel" && current.id === c.id, () => go({ kind: "channel", id: c.id, tab: "messages" }))));
  const dm = state.dms[0];
  const unread = state.unread[dm.id] || 0; // what came since the person last looked at the DM
  $("apps").replaceChildren(item("coopbot", current.kind === "app", () => go({ kind: "app", id: dm.id, tab: "home" }),
    unread ? String(unread) : null));
  const jobs = $("job-name");
  if (jobs.options.length !== state.jobs.names.length) jobs.replaceChildren(...state.jobs.names.map((n) => el("option", { value: n, text: n })));
  const run = $("run-job");
  run.disabled = !state.jobs.available;
  run.title = state.jobs.available ? "Run the selected scheduled job now" : state.jobs.reason;
  jobs.disabled = !state.jobs.available;
}

function drawHeader() {
  const tools = $("conv-tools");
  tools.replaceChildren();
  $("conv-tabs").replaceChildren();
  if (current.kind === "app") {
    $("conv-title").textContent = "coopbot";
    $("conv-tabs").replaceChildren(...["home", "messages"].map((tab) => el("button", {
      type: "button", class: current.tab === tab ? "active" : "", "data-tab": tab,
      text: tab === "home" ? "Home" : "Messages", onclick: () => go({ ...current, tab }) })));
    return;
  }
  const channel = state.channels.find((c) => c.id === current.id);
  $("conv-title").textContent = "# " + (channel ? channel.name : current.id);
  if (channel && !channel.member) {
    tools.append(el("span", { class: "meta", text: "coopbot is not in this channel. " }),
      el("button", { type: "button", class: "btn", text: "Invite @coopbot", onclick: async () => { await post("invite", { channel: channel.id }); refresh(); } }));
  }
}

function drawMessages() {
  const showHome = current.kind === "app" && current.tab === "home";
  $("home").hidden = !showHome;
  $("messages").hidden = showHome;
  $("composer").hidden = showHome;
  const mine = myWorkspace();
  if (showHome && mine && !mine.installed) { // no coopbot in their workspace yet: nothing to open but the install
    drawnHome = "";
    $("home").replaceChildren(el("div", { class: "empty" }, `coopbot is not installed in ${mine.name} yet. `, addToSlack(mine)));
    return;
  }
  if (showHome) {
    const home = state.home;
    const key = home ? `${home.id}:${home.hash}` : "none";
    if (key !== drawnHome) {
      drawnHome = key;
      $("home").replaceChildren(home ? renderBlocks(home.blocks, ctx, { view_id: home.id })
        : el("div", { class: "empty", text: "Loading your Home tab…" }));
    }
    return;
  }
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const all = conversationMessages(current.id);
  const top = all.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const replies = (ts) => all.filter((m) => m.thread_ts === ts && m.ts !== ts);
  box.replaceChildren(...(top.length ? top.map((m) => renderMessage(m, ctx, { replies: replies(m.ts) }))
    : [el("div", { class: "empty", text: "No messages yet. Try /intern-issue or /coop help in the box below." })]));
  if (atBottom) box.scrollTop = box.scrollHeight;
  if (state.unread[current.id] && !reading) {
    reading = true;
    post("read", { channel: current.id }).then(() => { reading = false; refresh(); });
  }
  const channelName = current.kind === "app" ? "coopbot" : "#" + (ctx.channelNames[current.id] || current.id);
  $("composer-input").placeholder = `Message ${channelName} — try ${state.commands.map((c) => c.command).join(", ")}`;
}

function drawThread() {
  const pane = $("thread");
  if (!openThread) { pane.hidden = true; return; }
  const all = conversationMessages(openThread.channel);
  const parent = all.find((m) => m.ts === openThread.ts);
  pane.hidden = false;
  $("thread-messages").replaceChildren(...(parent ? [parent] : []).concat(all.filter((m) => m.thread_ts === openThread.ts && m.ts !== openThread.ts))
    .map((m) => renderMessage(m, ctx, { inThread: true })));
}

function drawModal() {
  const layer = $("modal-layer");
  const view = state.modal;
  const key = view ? `${view.id}:${view.hash}` : "";
  if (key === drawnModal) return;
  drawnModal = key;
  if (!view) { layer.hidden = true; layer.replaceChildren(); return; }
  renderModal(layer, view, state.modal_depth, ctx);
  layer.querySelector("input,select,textarea")?.focus();
}

function draw() {
  if (!state) return;
  ctx.names = state.names;
  ctx.people = state.people;
  ctx.channels = state.channels;
  ctx.channelNames = Object.fromEntries(state.channels.map((c) => [c.id, c.name]));
  if (!current.id) current = { kind: "channel", id: state.channels[0]?.id || state.dms[0].id, tab: "messages" };
  if (current.kind === "app") current.id = state.dms[0].id;
  drawSidebar();
  drawHeader();
  drawMessages();
  drawThread();
  drawModal();
}

function go(where) {
  current = where;
  openThread = null;
  draw();
  if (where.kind === "app" && where.tab === "home") post("home").then(refresh);
}

async function refresh(wait = 0) {
  const since = state && wait ? state.version : -1;
  const response = await fetch(`/sandbox/api/state?since=${since}&wait=${wait}`);
  if (!response.ok) throw new Error(`state ${response.status}`);
  state = await response.json();
  draw();
}

async function poll() {
  for (;;) {
    try { await refresh(20); } catch { await new Promise((r) => setTimeout(r, 1000)); }
  }
}

function hints(input) {
  const box = $("command-hints");
  const text = input.value;
  // typed before the page's first state arrived: no hints yet (there is nothing to hint from)
  const matches = state && text.startsWith("/") && !text.includes(" ")
    ? state.commands.filter((c) => c.command.startsWith(text)) : [];
  box.hidden = !matches.length;
  box.replaceChildren(...matches.map((c) => el("button", { type: "button", onclick: () => { input.value = c.command + " "; box.hidden = true; input.focus(); } },
    el("strong", { text: c.command }), " ", c.usage_hint ? el("code", { text: c.usage_hint }) : null, " ",
    el("span", { class: "meta", text: c.description }))));
}

function send(input, threadTs) {
  return async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!state) await refresh(); // sent before the page's first state: learn the channel first
    input.value = "";
    $("command-hints").hidden = true;
    const channel = threadTs ? openThread.channel : current.id;
    await post("command", { channel, text, thread_ts: threadTs ? openThread.ts : undefined });
    refresh();
  };
}

$("composer").addEventListener("submit", (e) => send($("composer-input"), false)(e));
$("thread-composer").addEventListener("submit", (e) => send($("thread-input"), true)(e));
$("composer-input").addEventListener("input", (e) => hints(e.target));
$("thread-close").addEventListener("click", () => { openThread = null; draw(); });
$("person").addEventListener("change", async (e) => {
  await post("as", { user: e.target.value });
  drawnHome = "";
  await refresh();
  if (current.kind === "app" && current.tab === "home") post("home").then(refresh);
});
$("run-job").addEventListener("click", async () => {
  const answer = await post("jobs", { name: $("job-name").value });
  if (answer.ok) toast(`Ran ${$("job-name").value}: ${answer.count} done`);
  refresh();
});

post("session").then(() => refresh()).then(poll); // a new client session: the last one's ephemeral replies are gone
