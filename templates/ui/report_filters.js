"use strict";
// What the Reports and the day's-mail pages share: the filters, and the addresses that carry them.

import { query } from "./api.js";
import { el, field, select } from "./dom.js";

const PRIORITIES = ["low", "normal", "high", "urgent"];

export function isoDay(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function filterSelects(params, ctx, { priority = true } = {}) {
  const queues = [["", "All queues"], ...ctx.queues.map((q) => [q.name, q.name])];
  const agents = [["", "All agents"], ...ctx.agents.map((a) => [a.id, a.name || a.id])];
  return [
    field("Queue", select("queue", queues, params.queue)),
    field("Agent", select("agent", agents, params.agent)),
    priority ? field("Priority", select("priority", [["", "Any priority"], ...PRIORITIES.map((p) => [p, p])], params.priority)) : null,
  ];
}

export function reportQuery(params) {
  const { from, to, group, queue, agent, priority } = params;
  return { from, to, group, queue, agent, priority };
}

export function pageHeading(title) {
  return el("h1", { tabindex: "-1", text: title });
}

export function missingApi(what) {
  return el("p", { class: "empty", text: `${what} are not available on this helpdesk yet (this stage has no route for them).` });
}

export function reportHash(params) {
  const { preset, ...rest } = params;
  return `#/reports?${query(preset === "custom" ? rest : { preset, ...rest, from: "", to: "" })}`;
}

export function mailHash(params, start, end, direction) {
  return `#/mail?${query({ date: start, to: end, direction, queue: params.queue, agent: params.agent })}`;
}
