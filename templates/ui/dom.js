"use strict";
// DOM building without HTML strings: text always goes in as text (textContent), never markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

let nextId = 0;
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

export function field(label, control, hint) {
  control.id = control.id || uid("f");
  return el("div", { class: "field" }, el("label", { for: control.id, text: label }), control,
    hint ? el("p", { class: "hint", text: hint }) : null);
}

export function select(name, options, selected) {
  const node = el("select", { name });
  for (const option of options) {
    const [value, label] = Array.isArray(option) ? option : [option, option];
    node.append(el("option", { value, selected: value === selected, text: label }));
  }
  return node;
}

export function duration(seconds) {
  const minutes = Math.round(Math.abs(seconds) / 60);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 && hours < 10 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

export function relative(iso, now = Date.now()) {
  const seconds = (Date.parse(iso) - now) / 1000;
  return seconds >= 0 ? `in ${duration(seconds)}` : `overdue ${duration(seconds)}`;
}

export function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function timeEl(iso, text) {
  return el("time", { datetime: iso, title: when(iso), text: text ?? when(iso) });
}

export function announce(message) {
  const status = byId("status");
  status.textContent = "";
  window.setTimeout(() => { status.textContent = message; }, 50);
}

export function showNotice(message, kind = "error", actions = []) {
  const box = byId("notice");
  box.className = `notice notice-${kind}`;
  box.replaceChildren(el("p", { text: message }), ...actions,
    el("button", { type: "button", class: "quiet", onclick: hideNotice, text: "Dismiss" }));
  box.hidden = false;
}

export function hideNotice() {
  const box = byId("notice");
  box.hidden = true;
  box.replaceChildren();
}

// Text mixing scripts (a Persian subject with "Re:" and a "[#1001]" tag): each ticket tag is
// isolated left to right, so the bidi algorithm cannot turn it into "[1001#]" beside an
// right-to-left run; the rest is isolated too, its direction from its own first letter.
const TAG = /(\[#\d+\])/;
export function mixedText(text) {
  return el("bdi", {}, ...String(text).split(TAG).filter((part) => part !== "").map((part) =>
    TAG.test(part) ? el("bdi", { dir: "ltr", text: part }) : el("bdi", { text: part })));
}
