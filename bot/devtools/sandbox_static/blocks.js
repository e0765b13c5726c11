// Block Kit and mrkdwn to DOM. Every piece of text goes in with textContent or as a text node:
// nothing the app (or a person, through the app) sent is ever parsed as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&" };
export const unescapeSlack = (text) => String(text).replace(/&(lt|gt|amp);/g, (m) => ENTITIES[m]);

const INLINE = /(?<![\w*_~`])(`[^`\n]+`|\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~)(?![\w*_~`])/;

function inline(text, parent) {
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) { parent.append(document.createTextNode(rest)); return; }
    if (match.index) parent.append(document.createTextNode(rest.slice(0, match.index)));
    const token = match[0], inner = token.slice(1, -1);
    if (token[0] === "`") parent.append(el("code", { text: inner }));
    else {
      const tag = { "*": "strong", "_": "em", "~": "s" }[token[0]];
      const node = el(tag);
      inline(inner, node);
      parent.append(node);
    }
    rest = rest.slice(match.index + token.length);
  }
}

function special(token, ctx) {
  const [target, label] = token.split("|", 2);
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return el("span", { class: "mention", "data-user": id, text: "@" + (ctx.names[id] || label || id) });
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return el("span", { class: "mention", text: "#" + (ctx.channelNames[id] || label || id) });
  }
  if (target.startsWith("!")) {
    const word = target.slice(1).split("^")[0];
    return el("span", { class: "mention", text: "@" + (label || word) });
  }
  if (/^(https?:|mailto:)/i.test(target)) {
    return el("a", { href: target, target: "_blank", rel: "noopener noreferrer", text: unescapeSlack(label || target) });
  }
  return document.createTextNode(unescapeSlack("<" + token + ">"));
}

function spans(text, parent, ctx) {
  text.split(/<([^<>\n]+)>/).forEach((piece, j) => {
    if (j % 2 === 1) parent.append(special(piece, ctx));
    else if (piece) inline(unescapeSlack(piece), parent);
  });
}

// mrkdwn: <@U…> as @name, <#C…> as #channel, links, *bold*, _italic_, ~strike~, `code`, ```blocks```,
// and "> " quotes (lines starting with a literal ">"; a ">" a person typed arrives escaped, as "&gt;").
export function mrkdwn(text, ctx, tag = "div") {
  const root = el(tag, { class: "mrkdwn" });
  const parts = String(text || "").split(/```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) { root.append(el("pre", { text: unescapeSlack(part) })); return; }
    const lines = part.split("\n");
    for (let k = 0; k < lines.length;) {
      const quoted = lines[k].startsWith(">");
      let end = k;
      while (end < lines.length && lines[end].startsWith(">") === quoted) end += 1;
      const group = lines.slice(k, end);
      if (quoted) {
        const quote = el("blockquote");
        spans(group.map((line) => line.replace(/^> ?/, "")).join("\n"), quote, ctx);
        root.append(quote);
      } else {
        spans(group.join("\n"), root, ctx);
      }
      k = end;
    }
  });
  return root;
}

export function textObject(obj, ctx, tag = "div") {
  if (!obj) return el(tag);
  if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx, tag);
  return el(tag, { class: "plain", text: obj.text || "" });
}

const plainText = (obj) => (obj && obj.text) || "";

export function button(element, ctx, where) {
  const node = el("button", {
    type: "button", class: "btn " + (element.style || ""), "data-action-id": element.action_id,
    text: plainText(element.text),
    onclick: async () => {
      if (element.url) window.open(element.url, "_blank", "noopener");
      if (element.confirm && !(await ctx.confirm(element.confirm))) return;
      ctx.act({ ...where, action_id: element.action_id, value: element.value ?? null });
    },
  });
  return node;
}

function interactive(element, ctx, where) {
  if (element.type === "button") return button(element, ctx, where);
  if (element.type === "static_select" || element.type === "overflow") {
    const options = element.options || (element.option_groups || []).flatMap((g) => g.options);
    const select = el("select", { "data-action-id": element.action_id },
      el("option", { value: "", text: plainText(element.placeholder) || "Choose…" }),
      options.map((o, i) => el("option", { value: String(i), text: plainText(o.text) })));
    // Slack shows the element's initial option, chosen, not its placeholder (App Home's language picker).
    const initial = options.findIndex((o) => o.value === element.initial_option?.value);
    if (initial >= 0) select.value = String(initial);
    select.addEventListener("change", () => {
      const option = options[Number(select.value)];
      if (option) ctx.act({ ...where, action_id: element.action_id, selected_option: option });
    });
    return select;
  }
  if (element.type === "image") return el("span", { class: "meta", text: `[image: ${element.alt_text || ""}]` });
  return el("span", { class: "meta", text: `[${element.type}]` });
}

function richText(block) {
  const texts = [];
  const walk = (node) => {
    if (typeof node.text === "string") texts.push(node.text);
    if (node.type === "user") texts.push(`<@${node.user_id}>`);
    if (node.type === "channel") texts.push(`<#${node.channel_id}>`);
    if (node.type === "link") texts.push(node.url);
    (node.elements || []).forEach(walk);
  };
  walk(block);
  return texts.join("");
}

// One block. `where` says where an action came from ({channel, ts} or {view_id}).
export function renderBlock(block, ctx, where) {
  const extra = { "data-block-id": block.block_id };
  switch (block.type) {
    case "header": return el("div", { class: "blk-header", ...extra }, textObject(block.text, ctx, "span"));
    case "divider": return el("hr", { class: "blk-divider" });
    case "context":
      return el("div", { class: "blk-context", ...extra }, (block.elements || []).map((e) =>
        e.type === "image" ? el("span", { text: `[${e.alt_text || "image"}] ` }) : textObject(e, ctx, "span")));
    case "section": {
      const main = el("div", { class: "main" });
      if (block.text) main.append(textObject(block.text, ctx));
      if (block.fields) main.append(el("div", { class: "fields" }, block.fields.map((f) => textObject(f, ctx))));
      const blockWhere = { ...where, block_id: block.block_id };
      return el("div", { class: "blk-section", ...extra }, main,
        block.accessory ? interactive(block.accessory, ctx, blockWhere) : null);
    }
    case "actions": {
      const blockWhere = { ...where, block_id: block.block_id };
      return el("div", { class: "blk-actions", ...extra },
        (block.elements || []).map((e) => interactive(e, ctx, blockWhere)));
    }
    case "image": return el("div", { class: "meta", text: `[image: ${block.alt_text || ""}]` });
    case "rich_text": return mrkdwn(richText(block), ctx);
    default: return el("div", { class: "meta", text: `[${block.type} block]` });
  }
}

export function renderBlocks(blocks, ctx, where) {
  return el("div", { class: "blocks" }, (blocks || []).map((b) => renderBlock(b, ctx, where)));
}

function legacyAttachments(attachments, ctx) {
  return (attachments || []).map((a) => el("div", { class: "attachment" },
    a.blocks ? renderBlocks(a.blocks, ctx, {}) : mrkdwn(a.text || a.fallback || "", ctx)));
}

// A message as Slack shows it: author, time, blocks (or text), files, "edited", thread replies.
export function renderMessage(m, ctx, { replies = [], inThread = false } = {}) {
  const fromBot = Boolean(m.bot_id);
  const author = fromBot ? "coopbot" : (ctx.names[m.user] || m.user);
  const when = new Date(Number(String(m.ts).split(".")[0]) * 1000);
  const meta = el("div", { class: "meta" }, el("strong", { text: author }),
    fromBot ? el("span", { class: "app-tag", text: "APP" }) : null,
    el("span", { text: when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
    m.edited ? el("span", { class: "edited", text: "(edited)" }) : null);
  const where = { channel: m.channel, ts: m.ts, ephemeral: Boolean(m.ephemeral) };
  const content = m.blocks && m.blocks.length ? renderBlocks(m.blocks, ctx, where) : mrkdwn(m.text, ctx);
  const files = (m.files || []).map((f) => el("div", { class: "file" }, el("span", { text: "📄" }),
    el("a", { href: f.url, download: f.name, "data-file": f.name, text: f.title || f.name })));
  const thread = !inThread && replies.length
    ? el("div", { class: "replies" }, el("button", {
      type: "button", class: "link", text: `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`,
      onclick: () => ctx.openThread(m.channel, m.ts) }))
    : null;
  return el("div", { class: "message" + (m.ephemeral ? " ephemeral" : ""), "data-ts": m.ts },
    el("div", { class: "avatar" + (fromBot ? "" : " person"), text: author.slice(0, 1) }),
    el("div", { class: "body" }, meta,
      m.ephemeral ? el("div", { class: "only-you", text: "Only visible to you" }) : null,
      content, legacyAttachments(m.attachments, ctx), files, thread));
}
