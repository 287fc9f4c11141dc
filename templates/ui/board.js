"use strict";
// The live board on the start page: per queue what waits now, each number a link to the list
// behind it; agents' open load. Read every 30 s while the tab is visible, and on coming back.

import { get, isMissingRoute } from "./api.js";
import { el, mixedText } from "./dom.js";
import { reportError } from "./errors.js";
import { NONE, clock, number, span } from "./format.js";

export const REFRESH_MS = 30_000;
let stopActive = () => {};

// On a stage without GET /api/board, the queue overview stands in (older ones: waiting and
// unassigned only).
async function readBoard() {
  try {
    return { live: true, ...(await get("board")) };
  } catch (e) {
    if (!isMissingRoute(e)) throw e;
  }
  const { queues } = await get("queues");
  return {
    live: false, at: new Date().toISOString(), agents: null,
    queues: queues.map((q) => ({ at_risk: null, breached: null, pending: null, ...q, queue: q.name })),
  };
}

function linked(value, href, label) {
  if (value === null || value === undefined) return el("span", { class: "muted", text: NONE });
  if (!value || !href) return el("span", { class: "zero", text: number(value) });
  return el("a", { href, "data-key": href, "aria-label": label, text: number(value) });
}

const COLUMNS = [
  ["waiting", "Waiting", (q) => `#/queue/${encodeURIComponent(q)}`],
  ["unassigned", "Unassigned", (q) => `#/unassigned${q ? `?queue=${encodeURIComponent(q)}` : ""}`],
  ["at_risk", "At risk", (q) => `#/at_risk${q ? `?queue=${encodeURIComponent(q)}` : ""}`],
  ["breached", "Breached", (q) => `#/breached${q ? `?queue=${encodeURIComponent(q)}` : ""}`],
  ["pending", "Pending", (q) => `#/queue/${encodeURIComponent(q)}?status=pending`],
];

function oldest(q) {
  if (!q.oldest_wait_seconds) return el("span", { class: "muted", text: NONE });
  const text = span(q.oldest_wait_seconds);
  const since = q.oldest_waiting_since ? `, waiting since ${clock(q.oldest_waiting_since)}` : "";
  return q.oldest_ticket
    ? el("a", { href: `#/ticket/${q.oldest_ticket}`, "data-key": `oldest-${q.queue}`,
      "aria-label": `${q.queue}: oldest wait ${text}, ticket #${q.oldest_ticket}${since}`, text })
    : el("span", { title: since.slice(2), text });
}

function queueRow(q) {
  return el("tr", { "data-queue": q.queue },
    el("th", { scope: "row", "data-label": "Queue" }, mixedText(q.queue)),
    COLUMNS.map(([key, label, href]) => el("td", { "data-label": label, "data-field": key },
      linked(q[key], href(q.queue), `${q.queue}: ${number(q[key])} ${label.toLowerCase()}`))),
    el("td", { "data-label": "Oldest wait", "data-field": "oldest" }, oldest(q)));
}

function totalRow(queues) {
  const sum = (key) => (queues.some((q) => q[key] === null || q[key] === undefined) ? null
    : queues.reduce((total, q) => total + q[key], 0));
  const longest = Math.max(0, ...queues.map((q) => q.oldest_wait_seconds || 0));
  return el("tr", { class: "total" },
    el("th", { scope: "row", "data-label": "Queue", text: "All queues" }),
    COLUMNS.map(([key, label, href]) => el("td", { "data-label": label, "data-field": key },
      linked(sum(key), key === "unassigned" || key === "at_risk" || key === "breached" ? href("") : null,
        `All queues: ${number(sum(key))} ${label.toLowerCase()}`))),
    el("td", { "data-label": "Oldest wait", "data-field": "oldest" },
      longest ? span(longest) : el("span", { class: "muted", text: NONE })));
}

function queueTable(board) {
  return el("table", { class: "list board-queues" },
    el("caption", { class: "visually-hidden", text: "Queues now" }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Queue" }),
      [...COLUMNS.map(([, label]) => label), "Oldest wait"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, board.queues.map(queueRow)),
    board.queues.length > 1 ? el("tfoot", {}, totalRow(board.queues)) : null);
}

function agentTable(agents) {
  const top = Math.max(1, ...agents.map((a) => a.open));
  return el("table", { class: "list board-agents" },
    el("caption", { class: "visually-hidden", text: "Agents' open tickets" }),
    el("thead", {}, el("tr", {}, ["Agent", "Open", "Waiting on us"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, agents.map((a) => el("tr", { "data-agent": a.agent },
      el("th", { scope: "row", "data-label": "Agent" }, mixedText(a.name || a.agent)),
      el("td", { "data-label": "Open", "data-field": "open" },
        el("span", { class: "load" }, el("meter", { min: 0, max: top, value: a.open, "aria-hidden": "true" }),
          number(a.open))),
      el("td", { "data-label": "Waiting on us", "data-field": "waiting", text: number(a.waiting) })))));
}

function render(section, board) {
  const key = document.activeElement?.closest?.(".board") === section
    ? document.activeElement.dataset.key : null;
  section.replaceChildren(
    el("div", { class: "board-head" },
      el("h2", { id: "board-title", text: "The desk now" }),
      el("p", { class: "muted" }, "Updated ", el("time", { datetime: board.at, text: clock(board.at) }),
        board.live ? " · every 30 s" : " · the live board is not available here: waiting and unassigned only")),
    board.queues.length ? queueTable(board) : el("p", { class: "empty", text: "No queues." }),
    board.agents && board.agents.length
      ? el("div", {}, el("h3", { text: "Open tickets per agent" }), agentTable(board.agents)) : null);
  if (key) section.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

function keepLive(section) {
  stopActive();
  let timer = null;
  const refresh = async () => {
    if (!section.isConnected) return stop();
    try {
      render(section, await readBoard());
    } catch (e) {
      if (e.status === 401) reportError(e);
    }
  };
  const pause = () => { window.clearInterval(timer); timer = null; };
  const resume = () => { pause(); timer = window.setInterval(refresh, REFRESH_MS); };
  const onVisibility = () => {
    if (document.hidden) return pause();
    refresh();
    return resume();
  };
  const stop = () => { pause(); document.removeEventListener("visibilitychange", onVisibility); };
  document.addEventListener("visibilitychange", onVisibility);
  if (!document.hidden) resume();
  stopActive = stop;
}

export async function boardSection() {
  const section = el("section", { class: "board", "aria-labelledby": "board-title" });
  render(section, await readBoard());
  keepLive(section);
  return section;
}
