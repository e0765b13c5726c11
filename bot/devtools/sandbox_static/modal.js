// Modals rendered from the views the app opens, and their values collected the way Slack submits them.
import { el, renderBlock, textObject } from "./blocks.js";

const plain = (obj) => (obj && obj.text) || "";
const allOptions = (e) => e.options || (e.option_groups || []).flatMap((g) => g.options || []);

function selectOf(element, options, multiple = false) {
  const select = el("select", { multiple, "data-action-id": element.action_id });
  if (!multiple) select.append(el("option", { value: "", text: plain(element.placeholder) || "Choose…" }));
  const groups = element.option_groups;
  const add = (parent, o) => parent.append(el("option", { value: o.value, text: plain(o.text) }));
  if (groups) groups.forEach((g) => { const og = el("optgroup", { label: plain(g.label) }); g.options.forEach((o) => add(og, o)); select.append(og); });
  else options.forEach((o) => add(select, o));
  return select;
}

function peopleSelect(element, ctx, multiple) {
  const select = el("select", { multiple, "data-action-id": element.action_id });
  if (!multiple) select.append(el("option", { value: "", text: plain(element.placeholder) || "Choose a person" }));
  ctx.people.forEach((p) => select.append(el("option", { value: p.id, text: p.name })));
  const initial = multiple ? element.initial_users || [] : [element.initial_user].filter(Boolean);
  [...select.options].forEach((o) => { if (initial.includes(o.value)) o.selected = true; });
  return select;
}

// An external_select: what the person types goes to the app as a signed block_suggestion.
function externalSelect(element, block, ctx, view) {
  let chosen = element.initial_option || null;
  let timer = null;
  const input = el("input", { type: "text", role: "combobox", "data-action-id": element.action_id,
    placeholder: plain(element.placeholder) || "Type to search" });
  if (chosen) input.value = plain(chosen.text);
  const list = el("div", { class: "ext-options", role: "listbox", hidden: true });
  const load = async () => {
    if (input.value.length < (element.min_query_length ?? 3) && input.value) return;
    const answer = await ctx.post("options", { view_id: view.id, block_id: block.block_id,
      action_id: element.action_id, value: input.value });
    const options = answer.options.length ? answer.options : answer.option_groups.flatMap((g) => g.options || []);
    list.replaceChildren(...(options.length ? options.map((o) => el("button", {
      type: "button", role: "option", text: plain(o.text),
      onmousedown: (ev) => ev.preventDefault(),
      onclick: () => { chosen = o; input.value = plain(o.text); list.hidden = true; },
    })) : [el("div", { class: "hint", text: "No matches" })]));
    list.hidden = false;
  };
  input.addEventListener("focus", load);
  input.addEventListener("input", () => { chosen = null; clearTimeout(timer); timer = setTimeout(load, 200); });
  input.addEventListener("blur", () => setTimeout(() => { list.hidden = true; }, 150));
  const wrapper = el("div", { class: "ext-select" }, input, list);
  wrapper.valueOf = () => chosen;
  return wrapper;
}

function choices(element, type) {
  const initial = new Set((element.initial_options || [element.initial_option]).filter(Boolean).map((o) => o.value));
  const name = `${element.action_id}-${Math.random().toString(36).slice(2)}`;
  return el("div", { "data-action-id": element.action_id }, (element.options || []).map((o) => el("label", { class: "choice" },
    el("input", { type, name, value: o.value, checked: initial.has(o.value) }), " ", plain(o.text),
    o.description ? el("span", { class: "hint", text: " " + plain(o.description) }) : null)));
}

function pad(n) { return String(n).padStart(2, "0"); }

// The control for one input element, and a function reading the answer `fill()` expects (undefined: untouched).
function control(element, block, ctx, view) {
  const t = element.type;
  if (t === "plain_text_input" || t === "email_text_input" || t === "url_text_input" || t === "number_input") {
    const type = { email_text_input: "email", url_text_input: "url", number_input: "number" }[t] || "text";
    const node = element.multiline ? el("textarea") : el("input", { type });
    if (element.max_length) node.maxLength = element.max_length;
    if (t === "number_input") { node.step = element.is_decimal_allowed ? "any" : "1"; if (element.min_value) node.min = element.min_value; if (element.max_value) node.max = element.max_value; }
    node.placeholder = plain(element.placeholder);
    node.value = element.initial_value ?? "";
    node.dataset.actionId = element.action_id;
    return [node, () => (node.value === "" ? undefined : node.value)];
  }
  if (t === "static_select") {
    const node = selectOf(element, allOptions(element));
    if (element.initial_option) node.value = element.initial_option.value;
    return [node, () => node.value || undefined];
  }
  if (t === "multi_static_select") {
    const node = selectOf(element, allOptions(element), true);
    const initial = (element.initial_options || []).map((o) => o.value);
    [...node.options].forEach((o) => { o.selected = initial.includes(o.value); });
    return [node, () => [...node.selectedOptions].map((o) => o.value)];
  }
  if (t === "external_select") { const node = externalSelect(element, block, ctx, view); return [node, () => node.valueOf() || undefined]; }
  if (t === "users_select") { const node = peopleSelect(element, ctx, false); return [node, () => node.value || undefined]; }
  if (t === "multi_users_select") { const node = peopleSelect(element, ctx, true); return [node, () => [...node.selectedOptions].map((o) => o.value)]; }
  if (t === "conversations_select" || t === "channels_select") {
    const node = el("select", { "data-action-id": element.action_id }, el("option", { value: "", text: "Choose a channel" }),
      ctx.channels.map((c) => el("option", { value: c.id, text: "#" + c.name })));
    node.value = element.initial_conversation || element.initial_channel || "";
    return [node, () => node.value || undefined];
  }
  if (t === "datepicker") { const node = el("input", { type: "date", "data-action-id": element.action_id }); node.value = element.initial_date || ""; return [node, () => node.value || undefined]; }
  if (t === "timepicker") { const node = el("input", { type: "time", "data-action-id": element.action_id }); node.value = element.initial_time || ""; return [node, () => node.value || undefined]; }
  if (t === "datetimepicker") {
    const node = el("input", { type: "datetime-local", "data-action-id": element.action_id });
    if (element.initial_date_time) {
      const d = new Date(element.initial_date_time * 1000);
      node.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }
    return [node, () => (node.value ? Math.floor(new Date(node.value).getTime() / 1000) : undefined)];
  }
  if (t === "checkboxes") { const node = choices(element, "checkbox"); return [node, () => [...node.querySelectorAll("input:checked")].map((i) => i.value)]; }
  if (t === "radio_buttons") { const node = choices(element, "radio"); return [node, () => node.querySelector("input:checked")?.value]; }
  return [el("div", { class: "hint", text: `(${t} is not drawn by the sandbox)` }), () => undefined];
}

// Draw `view` into the modal layer. Returns nothing; submit/close go through ctx.
export function renderModal(layer, view, depth, ctx) {
  const readers = {};
  const errorSlots = {};
  const where = { view_id: view.id };
  const body = el("div", { class: "modal-body" });
  for (const block of view.blocks || []) {
    if (block.type !== "input") { body.append(renderBlock(block, ctx, where)); continue; }
    const [node, read] = control(block.element, block, ctx, view);
    const id = `in-${block.block_id}`;
    (node.matches("input,select,textarea") ? node : node.querySelector("input,select") || node).id = id;
    readers[block.block_id] = read;
    errorSlots[block.block_id] = el("div", { class: "error", role: "alert", hidden: true });
    body.append(el("div", { class: "input-block", "data-block-id": block.block_id },
      el("label", { for: id }, plain(block.label), block.optional ? el("span", { class: "optional", text: " (optional)" }) : null),
      node, block.hint ? el("div", { class: "hint", text: plain(block.hint) }) : null, errorSlots[block.block_id]));
  }
  const general = el("div", { class: "error", role: "alert", hidden: true });
  const showErrors = (errors) => {
    for (const [blockId, slot] of Object.entries(errorSlots)) {
      const message = errors[blockId];
      slot.hidden = !message;
      slot.textContent = message || "";
      slot.parentElement.classList.toggle("invalid", Boolean(message));
    }
  };
  const submit = async () => {
    const values = {};
    for (const [blockId, read] of Object.entries(readers)) {
      const answer = read();
      if (answer !== undefined) values[blockId] = answer;
    }
    general.hidden = true;
    const result = await ctx.post("submit", { view_id: view.id, values });
    if (result.result === "errors") showErrors(result.errors || {});
    else if (result.result === "failed" || result.error) { general.textContent = result.error; general.hidden = false; }
    else showErrors({});
    ctx.refresh();
  };
  const close = async () => { await ctx.post("close", { view_id: view.id }); ctx.refresh(); };
  const modal = el("div", { class: "modal", role: "dialog", "aria-modal": "true", "data-view-id": view.id, "data-callback-id": view.callback_id },
    el("header", {}, el("h2", { text: plain(view.title) }), depth > 1 ? el("span", { class: "meta", text: `${depth} views` }) : null),
    body, general,
    el("footer", {}, el("button", { type: "button", class: "btn", text: plain(view.close) || "Cancel", onclick: close }),
      view.submit ? el("button", { type: "button", class: "btn primary", "data-testid": "modal-submit", text: plain(view.submit), onclick: submit }) : null));
  layer.replaceChildren(modal);
  layer.hidden = false;
}

export { textObject };
