"use strict";
// The agent UI: sign-in, the queue glance, hash routes to the views, keyboard shortcuts.

import { forgetToken, get, saveToken, token } from "./api.js";
import { byId, duration, el, hideNotice, showNotice } from "./dom.js";
import { SIGNED_OUT, reportError } from "./errors.js";
import { boardSection } from "./board.js";
import { TITLES, showList, showQuarantine } from "./lists.js";
import { showMailDay } from "./mailday.js";
import { showReports } from "./reports.js";
import { focusComposer, showTicket } from "./ticket.js";

const HOME = "#/unassigned";
const ctx = {
  me: null, agents: [], queues: [], list: HOME,
  lastList: () => ctx.list,
  templates: async () => (await get("templates")).templates,
};
const ROUTES = [ // [hash, show it, is a list]; "?queue=…&status=…" narrows a list (the board's links)
  [/^#\/unassigned$/, (page) => showStart(page), true],
  [/^#\/(mine|unassigned|at_risk|breached)(?:\?(.*))?$/,
    (page, m) => showList(page, { ...narrowing(m[2]), view: m[1] }, ctx), true],
  [/^#\/queue\/([^/?]+)(?:\?(.*))?$/,
    (page, m) => showList(page, { ...narrowing(m[2]), view: "all", queue: decodeURIComponent(m[1]) }, ctx), true],
  [/^#\/quarantine$/, (page) => showQuarantine(page), true],
  [/^#\/ticket\/(\d{1,9})$/, (page, m) => showTicket(page, Number(m[1]), ctx), false],
  [/^#\/reports(?:\?(.*))?$/, (page, m) => showReports(page, m[1], ctx), false],
  [/^#\/mail(?:\?(.*))?$/, (page, m) => showMailDay(page, m[1], ctx), false],
];
let routing = 0;
let glanceTimer = null;
let pendingG = false;

function narrowing(search) {
  const given = new URLSearchParams(search || "");
  return { queue: given.get("queue") || undefined, status: given.get("status") || undefined };
}

// The start page: the live board above the unassigned tickets; a board that fails to load
// leaves the list usable.
async function showStart(page) {
  const [board] = await Promise.all([
    boardSection().catch((e) => { reportError(e); return null; }),
    showList(page, { view: "unassigned" }, ctx),
  ]);
  if (board) page.querySelector("h1").after(board);
}

async function route() {
  if (!ctx.me) return;
  const hash = window.location.hash || HOME;
  const found = ROUTES.map(([pattern, show, isList]) => [hash.match(pattern), show, isList]).find(([m]) => m);
  if (!found) return window.location.replace(HOME);
  const [match, show, isList] = found;
  const seq = ++routing;
  if (isList) ctx.list = hash;
  hideNotice();
  markCurrent(hash);
  refreshGlance();
  const page = el("div", { id: "page" });
  byId("page").setAttribute("aria-busy", "true");
  try {
    await show(page, match);
    if (seq !== routing) return;
    byId("page").replaceWith(page);
    page.querySelector("h1")?.focus();
  } catch (e) {
    if (seq === routing) reportError(e);
  } finally {
    if (seq === routing) byId("page").removeAttribute("aria-busy");
  }
}

function markCurrent(hash) {
  const path = hash.split("?")[0];
  for (const link of byId("view-links").querySelectorAll("a")) {
    if (link.getAttribute("href") === path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function buildNav() {
  const views = Object.entries(TITLES).map(([view, title]) => [`#/${view}`, title]);
  const queues = ctx.queues.map((q) => [`#/queue/${encodeURIComponent(q.name)}`, q.name, q.name]);
  byId("view-links").replaceChildren(...[...views, ...queues, ["#/quarantine", "Quarantine"], ["#/reports", "Reports"], ["#/mail", "Mail"]].map(
    ([href, label, queue]) => el("li", {}, el("a", { href, "data-queue": queue }, label,
      queue ? el("span", { class: "count" }) : null))));
}

async function refreshGlance() {
  try {
    ctx.queues = (await get("queues")).queues;
  } catch (e) {
    if (e.status === 401) reportError(e);
    return;
  }
  const waiting = ctx.queues.reduce((sum, q) => sum + q.waiting, 0);
  const oldest = Math.max(0, ...ctx.queues.map((q) => q.oldest_wait_seconds || 0));
  const customers = `customer${waiting === 1 ? "" : "s"}`;
  byId("glance").replaceChildren(...(waiting
    ? [el("strong", { text: String(waiting) }), ` ${customers} waiting · oldest wait `,
      el("strong", { text: duration(oldest) })]
    : ["No customers waiting"]));
  for (const link of byId("view-links").querySelectorAll("a[data-queue]")) {
    const queue = ctx.queues.find((q) => q.name === link.dataset.queue);
    link.querySelector(".count").textContent = queue ? String(queue.waiting) : "";
    link.setAttribute("aria-label", `${link.dataset.queue}, ${queue ? queue.waiting : 0} waiting`);
  }
}

function showChrome(signedIn) {
  for (const id of ["glance", "who", "views"]) byId(id).hidden = !signedIn;
  byId("sign-in").hidden = signedIn;
}

async function enter() {
  try {
    ctx.me = await get("me");
    [ctx.agents] = await Promise.all([get("agents").then((d) => d.agents), refreshGlance()]);
  } catch (e) {
    ctx.me = null;
    if (e.status === 401) return signOut("That token was not accepted. Check it and sign in again.");
    showSignIn();
    return reportError(e);
  }
  byId("me").textContent = ctx.me.name || ctx.me.email;
  buildNav();
  showChrome(true);
  window.clearInterval(glanceTimer);
  glanceTimer = window.setInterval(refreshGlance, 60_000);
  await route();
}

function showSignIn(message, kind = "error") {
  showChrome(false);
  if (message) showNotice(message, kind);
  byId("token").focus();
}

function signOut(message, kind = "error") {
  forgetToken();
  ctx.me = null;
  window.clearInterval(glanceTimer);
  byId("page").replaceChildren();
  hideNotice();
  showSignIn(message, kind);
}

function signIn(event) {
  event.preventDefault();
  const input = byId("token");
  saveToken(input.value.trim());
  input.value = "";
  hideNotice();
  enter();
}

function moveRow(step) {
  const rows = [...document.querySelectorAll("#page [data-row]")];
  if (!rows.length) return;
  const at = rows.indexOf(document.activeElement);
  const next = at < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + step));
  rows[next].focus();
  rows[next].scrollIntoView({ block: "nearest" });
}

function goTo(hash) {
  window.location.hash = hash;
}

const KEYS = {
  j: () => moveRow(1),
  k: () => moveRow(-1),
  r: () => focusComposer("reply-body"),
  n: () => focusComposer("note-body"),
  t: () => byId("take")?.click(),
  "?": () => byId("help").showModal(),
  g: () => { pendingG = true; window.setTimeout(() => { pendingG = false; }, 1500); },
  Escape: () => { if (window.location.hash.startsWith("#/ticket/")) goTo(ctx.list); },
};
const GO = { m: "#/mine", u: "#/unassigned", q: "#/quarantine", r: "#/reports" };

function typing(target) {
  return target instanceof Element && target.closest("input, textarea, select, [contenteditable]");
}

function onKey(event) {
  if (!ctx.me || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (byId("help").open) return;
  if (typing(event.target)) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  const action = pendingG ? () => GO[event.key] && goTo(GO[event.key]) : KEYS[event.key];
  pendingG = false;
  if (!action) return;
  event.preventDefault();
  action();
}

function start() {
  byId("sign-in-form").addEventListener("submit", signIn);
  byId("sign-out").addEventListener("click", () => signOut("You are signed out.", "info"));
  byId("help-open").addEventListener("click", () => byId("help").showModal());
  byId("skip").addEventListener("click", (event) => { event.preventDefault(); byId("main").focus(); });
  window.addEventListener(SIGNED_OUT, (event) => signOut(event.detail));
  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", onKey);
  if (token()) enter();
  else showSignIn();
}

start();
