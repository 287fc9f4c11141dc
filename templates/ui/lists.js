"use strict";
// Ticket lists (mine, unassigned, a queue, at risk, breached) and the quarantine.

import { get, post, query } from "./api.js";
import { announce, el, mixedText, relative, timeEl, when } from "./dom.js";
import { reportError } from "./errors.js";

export const TITLES = {
  mine: "My tickets", unassigned: "Unassigned", at_risk: "At risk", breached: "Breached",
};
const WAITING_ON_US = new Set(["new", "open"]);
const TICKET_COLUMNS = ["#", "Subject", "Requester", "Status", "Priority", "Queue", "Assignee", "Due"];
const HELD_COLUMNS = ["Received", "From", "Subject", "Reason", "Status", "Actions"];

// The deadline worked against now: as the API sorts (Ticket.response_due), else resolution.
export function dueOf(ticket) {
  if (!WAITING_ON_US.has(ticket.status)) return null;
  const response = ticket.first_responded_at ? ticket.next_response_due : ticket.first_response_due;
  return response || ticket.resolution_due;
}

export function dueEl(ticket) {
  const due = dueOf(ticket);
  if (!due) return el("span", { class: "muted", text: "—" });
  const node = timeEl(due, relative(due));
  node.className = Date.parse(due) < Date.now() ? "due overdue" : `due ${ticket.sla_state}`;
  return node;
}

export function person(party) {
  return party.name ? `${party.name} <${party.email}>` : party.email;
}

export function agentName(ctx, id) {
  if (!id) return "Unassigned";
  const agent = ctx.agents.find((a) => a.id === id);
  return agent ? agent.name : id;
}

function cell(label, ...content) {
  return el("td", { "data-label": label }, ...content);
}

function ticketRow(ticket, ctx) {
  const link = el("a", { href: `#/ticket/${ticket.number}`, "data-row": "" },
    mixedText(ticket.subject || "(no subject)"));
  return el("tr", {},
    cell("Number", `#${ticket.number}`),
    cell("Subject", link),
    cell("Requester", ticket.requester.name || ticket.requester.email),
    cell("Status", el("span", { class: `badge status-${ticket.status}`, text: ticket.status })),
    cell("Priority", el("span", { class: `badge priority-${ticket.priority}`, text: ticket.priority })),
    cell("Queue", ticket.queue),
    cell("Assignee", agentName(ctx, ticket.assignee)),
    cell("Due", dueEl(ticket)));
}

function table(caption, headers, kind) {
  const body = el("tbody");
  const node = el("table", { class: `list ${kind}` },
    el("caption", { class: "visually-hidden", text: caption }),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
    body);
  return [node, body];
}

function pageHeading(title) {
  return el("h1", { tabindex: "-1", text: title });
}

function moreButton(load) {
  const button = el("button", { type: "button", class: "more", text: "Load more" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await load();
      button.remove();
    } catch (e) {
      button.disabled = false;
      reportError(e);
    }
  });
  return button;
}

export async function showList(page, params, ctx) {
  const base = params.view === "all" ? `Queue: ${params.queue}` : TITLES[params.view];
  const title = [base, params.view !== "all" && params.queue, params.status].filter(Boolean).join(" · ");
  const [list, rows] = table(title, TICKET_COLUMNS, "tickets");
  const footer = el("div", { class: "list-footer" });
  const load = async (cursor) => {
    const data = await get(`tickets?${query({ ...params, cursor, limit: 50 })}`);
    rows.append(...data.tickets.map((t) => ticketRow(t, ctx)));
    if (data.cursor) footer.append(moreButton(() => load(data.cursor)));
    return data.tickets.length;
  };
  const count = await load(null);
  page.replaceChildren(pageHeading(title),
    count ? list : el("p", { class: "empty", text: "Nothing here right now." }), footer);
}

const DECISIONS = {
  release: { label: () => "Release", done: (held) => `Released as ticket #${held.ticket}` },
  append: { label: (mail) => `Append to #${mail.claims_ticket}`,
    done: (held) => `Added to ticket #${held.ticket} as the customer's reply` },
  spam: { label: () => "Confirm spam", done: () => "Confirmed as spam" },
};

function decide(mail, action, row) {
  const label = DECISIONS[action].label(mail);
  const button = el("button", { type: "button", class: action === "spam" ? "danger" : "", text: label,
    "aria-label": `${label}: ${mail.subject || mail.sender}` });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const held = await post(`quarantine/${encodeURIComponent(mail.mail_id)}/${action}`);
      row.replaceWith(heldRow(held));
      announce(DECISIONS[action].done(held));
    } catch (e) {
      button.disabled = false;
      reportError(e);
    }
  });
  return button;
}

function heldRow(mail) {
  const row = el("tr");
  const outcome = mail.ticket
    ? el("a", { href: `#/ticket/${mail.ticket}`, "data-row": "", text: `ticket #${mail.ticket}` })
    : mail.status;
  row.append(
    cell("Received", timeEl(mail.received_at, when(mail.received_at))),
    cell("From", mail.sender),
    cell("Subject", mixedText(mail.subject || "(no subject)")),
    cell("Reason", mail.reason),
    cell("Status", outcome),
    cell("Actions", mail.status === "held"
      ? el("div", { class: "actions" },
        ...(mail.claims_ticket ? [decide(mail, "append", row)] : []),
        decide(mail, "release", row), decide(mail, "spam", row))
      : `by ${mail.decided_by || "—"}`));
  return row;
}

export async function showQuarantine(page) {
  const [list, rows] = table("Quarantined mail", HELD_COLUMNS, "held");
  const footer = el("div", { class: "list-footer" });
  const load = async (cursor) => {
    const data = await get(`quarantine?${query({ cursor, limit: 50 })}`);
    rows.append(...data.mail.map(heldRow));
    if (data.cursor) footer.append(moreButton(() => load(data.cursor)));
    return data.mail.length;
  };
  const count = await load(null);
  page.replaceChildren(pageHeading("Quarantine"),
    el("p", { class: "muted", text: "Mail held back as spam, virus, a mail loop, or a reply whose sender could not be authenticated. Nothing is deleted." }),
    count ? list : el("p", { class: "empty", text: "No quarantined mail." }), footer);
}
