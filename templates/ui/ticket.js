"use strict";
// One ticket: its thread, the reply and note boxes, and the controls that change it.

import { get, idempotencyKey, patch, post } from "./api.js";
import { announce, el, field, hideNotice, select, showNotice, timeEl, uid, when } from "./dom.js";
import { reportError } from "./errors.js";
import { agentName, dueEl, person } from "./lists.js";
import { attachmentOrigins, mailView } from "./mail.js";

const KINDS = {
  inbound: "Customer", outbound: "Reply", note: "Internal note", auto: "Automatic mail",
};
const WATCHED = ["status", "priority", "queue", "assignee", "subject"];
const DRAFTS = ["reply-body", "note-body", "transfer-note"];
const STATUSES = ["open", "pending", "solved", "closed"];
const PRIORITIES = ["low", "normal", "high", "urgent"];
let shown = null; // { ticket, ctx, page }: the ticket as this page last read it

export async function showTicket(page, number, ctx) {
  const detail = await get(`tickets/${number}`);
  const templates = await ctx.templates();
  const drafts = shown && shown.ticket.number === number ? keepDrafts() : {};
  const ticket = detail.ticket;
  shown = { ticket, ctx, page };
  page.replaceChildren(el("div", { class: "ticket" },
    heading(ticket, ctx),
    el("div", { class: "work" }, thread(detail.thread), replyForm(ticket, templates), noteForm()),
    el("aside", { class: "side", "aria-label": "Ticket controls" },
      detailsForm(ticket, ctx), transferForm(ticket, ctx), history(detail.events))));
  restoreDrafts(drafts);
}

function keepDrafts() {
  return Object.fromEntries(DRAFTS.map((id) => [id, document.getElementById(id)?.value || ""]));
}

function restoreDrafts(drafts) {
  for (const [id, value] of Object.entries(drafts)) {
    const box = document.getElementById(id);
    if (box && value) box.value = value;
  }
}

async function reload() {
  hideNotice();
  try {
    await showTicket(shown.page, shown.ticket.number, shown.ctx);
    announce(`Ticket #${shown.ticket.number} reloaded`);
  } catch (e) {
    reportError(e);
  }
}

// Every change: send it, then show the ticket as it is now (with a new version).
async function act(form, work, done) {
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  hideNotice();
  try {
    await work();
    await reload();
    announce(done);
  } catch (e) {
    if (e.status === 409 && e.current) conflict(e.current);
    else reportError(e, form);
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

function shownValue(name, value) {
  if (name === "assignee") return agentName(shown.ctx, value);
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

function conflict(current) {
  const before = shown.ticket;
  const changed = WATCHED.filter((name) => (before[name] ?? null) !== (current[name] ?? null))
    .map((name) => `${name} ${shownValue(name, before[name])} → ${shownValue(name, current[name])}`);
  const what = changed.length ? ` Changed: ${changed.join("; ")}.` : "";
  const again = el("button", { type: "button", onclick: reload, text: "Reload ticket" });
  showNotice(`Ticket #${before.number} was changed by someone else while you had it open.${what}`
    + " Your change was not saved.", "conflict", [again]);
  again.focus();
}

function takeButton(ticket, ctx) {
  if (ticket.assignee === ctx.me.id) return null;
  const label = ticket.assignee ? "Take over" : "Take";
  const take = el("button", { type: "submit", id: "take", "aria-keyshortcuts": "t", text: label });
  const form = el("form", { class: "actions" }, take);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = keyFor(form, { take: ticket.number });
    act(form, async () => {
      await post(`tickets/${ticket.number}/take`, undefined, { "Idempotency-Key": key });
      forgetKey(form);
    }, "Taken: the ticket is yours");
  });
  return form;
}

function heading(ticket, ctx) {
  const facts = [
    ["Requester", person(ticket.requester)], ["Status", ticket.status],
    ["Priority", ticket.priority], ["Queue", ticket.queue],
    ["Assignee", agentName(ctx, ticket.assignee)], ["Due", dueEl(ticket)],
  ];
  const promise = promiseEl(ticket);
  if (promise) facts.push(["Promised", promise]);
  return el("header", { class: "ticket-head" },
    el("p", { class: "crumbs" }, el("a", { href: ctx.lastList(), text: "← Back to the list" })),
    el("h1", { tabindex: "-1" }, el("span", { class: "number", text: `#${ticket.number} ` }),
      ticket.subject || "(no subject)"),
    el("dl", { class: "facts" },
      facts.map(([name, value]) => el("div", {}, el("dt", { text: name }), el("dd", {}, value)))),
    takeButton(ticket, ctx));
}

// The first reply the acknowledgement promised; when a priority change moved the deadline since,
// both show: the promise is what the customer was told, and what the report counts against.
function promiseEl(ticket) {
  const promised = ticket.promised_first_response;
  if (!promised) return null;
  const node = el("span", { class: "promise" }, timeEl(promised));
  const due = ticket.first_response_due;
  if (due && Date.parse(due) !== Date.parse(promised)) {
    node.append(" ", el("span", { class: "muted promise-moved" }, "(deadline moved to ", timeEl(due), ")"));
  }
  if (ticket.first_responded_at) {
    const kept = Date.parse(ticket.first_responded_at) <= Date.parse(promised);
    node.append(" ", el("span", { class: kept ? "promise-kept" : "promise-broken",
      text: kept ? "kept" : "broken" }));
  }
  return node;
}

function thread(messages) {
  return el("section", { class: "thread", "aria-label": "Conversation" },
    el("h2", { class: "visually-hidden", text: "Conversation" }), messages.map(messageCard));
}

function messageCard(m) {
  const author = person(m.author);
  const kind = KINDS[m.kind] || m.kind;
  const body = m.html && m.kind === "inbound"
    ? mailView(m.html, `Message from ${author}, ${when(m.created_at)}`,
      attachmentOrigins(m.attachments))
    : textBody(m);
  return el("article", { class: `msg msg-${m.kind}`, "aria-label": `${kind} from ${author}` },
    el("header", { class: "msg-head" },
      el("span", { class: `badge kind-${m.kind}`, text: kind }),
      el("strong", { text: author }), timeEl(m.created_at)),
    warnings(m), body, attachments(m));
}

// What the desk could not be sure of, said on the message itself.
const WARNINGS = {
  delivery_unknown: "SES did not confirm this mail: it may not have reached the customer. Check with them before sending it again.",
  unauthenticated: "The sender could not be authenticated (SPF, DKIM, DMARC): the From address may be forged.",
  "left-in-raw-mail": "Too large to keep whole here: part of it is only in the raw mail.",
  "reused-message-id": "This mail reuses the Message-ID of an earlier, different mail.",
};

function warnings(m) {
  const said = (m.flags || []).filter((flag) => WARNINGS[flag]);
  return said.length
    ? el("ul", { class: "msg-warnings" }, said.map((flag) => el("li", { text: WARNINGS[flag] })))
    : null;
}

function textBody(m) {
  const quoted = m.quoted && el("details", { class: "quoted" },
    el("summary", { text: "Show quoted text" }), el("div", { class: "text", text: m.quoted }));
  return el("div", { class: "msg-body" }, el("div", { class: "text", text: m.text || "" }), quoted);
}

function link(href, text) {
  return el("a", { href, rel: "noopener noreferrer", text });
}

function attachments(m) {
  const files = m.attachments.map((a) => {
    const name = a.filename || "attachment";
    return el("li", {}, a.url ? link(a.url, name) : `${name} (not stored: ${a.skipped || "—"})`,
      ` ${Math.ceil(a.size / 1024)} KB`);
  });
  if (m.raw_url) files.push(el("li", {}, link(m.raw_url, "Original mail (.eml)")));
  return files.length ? el("ul", { class: "attachments", "aria-label": "Attachments" }, files) : null;
}

function box(id, label, rows) {
  return field(label, el("textarea", { id, name: "body", rows, required: true }));
}

function statusChoice() {
  const choices = [["pending", "Pending (waiting on the customer)"], ["solved", "Solved"],
    ["open", "Open"]];
  return el("fieldset", { class: "choice" }, el("legend", { text: "Then set the status to" }),
    choices.map(([value, label]) => {
      const id = uid("status");
      const radio = el("input", { type: "radio", name: "status", id, value,
        checked: value === "pending" });
      return el("span", {}, radio, el("label", { for: id, text: label }));
    }));
}

async function insertTemplate(form, picker, number) {
  if (!picker.value) return picker.focus();
  try {
    const id = encodeURIComponent(picker.value);
    const { text } = await post(`templates/${id}/render`, { ticket: number });
    const body = form.elements.namedItem("body");
    body.value = body.value.trim() ? `${body.value.trimEnd()}\n\n${text}` : text;
    form.dataset.templateId = picker.value;
    body.focus();
    announce("Template inserted into the reply");
  } catch (e) {
    reportError(e, form);
  }
}

function templatePicker(ticket, templates, form) {
  const none = templates.length ? "Choose a template…" : "No templates yet";
  const picker = select("template",
    [["", none], ...templates.map((t) => [t.id, `${t.name} (${t.language})`])], "");
  const insert = el("button", { type: "button", class: "quiet", text: "Insert template" });
  insert.addEventListener("click", () => insertTemplate(form, picker, ticket.number));
  return el("div", { class: "row" }, field("Template", picker), insert);
}

function replyForm(ticket, templates) {
  const form = el("form", { class: "compose reply", "aria-labelledby": "reply-title" });
  form.append(el("h2", { id: "reply-title", text: `Reply to ${person(ticket.requester)}` }),
    templatePicker(ticket, templates, form), box("reply-body", "Message to the customer", 8),
    statusChoice(), el("button", { type: "submit", text: "Send reply" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = {
      body: form.elements.namedItem("body").value,
      status: form.elements.namedItem("status").value,
      template_id: form.dataset.templateId,
    };
    const key = keyFor(form, data);
    act(form, async () => {
      await post(`tickets/${ticket.number}/replies`, data, { "Idempotency-Key": key });
      forgetKey(form);
      form.reset();
    }, "Reply sent");
  });
  return form;
}

// The same request sent again (a lost answer, a double click) keeps its key: the server answers
// with what the first one did and acts once. A changed request gets a new key.
function keyFor(form, data) {
  const asked = JSON.stringify(data);
  if (form.dataset.asked !== asked || !form.dataset.key) {
    form.dataset.asked = asked;
    form.dataset.key = idempotencyKey();
  }
  return form.dataset.key;
}

function forgetKey(form) {
  delete form.dataset.asked;
  delete form.dataset.key;
}

function noteForm() {
  const form = el("form", { class: "compose note", "aria-labelledby": "note-title" },
    el("h2", { id: "note-title", text: "Internal note" }),
    box("note-body", "Note for colleagues (never emailed)", 3),
    el("button", { type: "submit", class: "secondary", text: "Add note" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = form.elements.namedItem("body").value;
    const key = keyFor(form, { body });
    act(form, async () => {
      await post(`tickets/${shown.ticket.number}/notes`, { body }, { "Idempotency-Key": key });
      forgetKey(form);
      form.reset();
    }, "Note added");
  });
  return form;
}

function detailsForm(ticket, ctx) {
  const controls = {
    status: select("status", ticket.status === "new" ? ["new", ...STATUSES] : STATUSES,
      ticket.status),
    priority: select("priority", PRIORITIES, ticket.priority),
    queue: select("queue", ctx.queues.map((q) => q.name), ticket.queue),
    assignee: select("assignee", [["", "Unassigned"], ...ctx.agents.map((a) => [a.id, a.name])],
      ticket.assignee || ""),
  };
  const form = el("form", { class: "panel", "aria-labelledby": "details-title" },
    el("h2", { id: "details-title", text: "Ticket" }),
    Object.entries(controls).map(([name, control]) =>
      field(name[0].toUpperCase() + name.slice(1), control)),
    el("button", { type: "submit", text: "Save changes" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = Object.fromEntries(Object.entries(controls)
      .filter(([name, control]) => control.value !== (ticket[name] || ""))
      .map(([name, control]) => [name, control.value || null]));
    if (!Object.keys(changes).length) return announce("Nothing to save: nothing changed");
    const body = { version: ticket.version, ...changes };
    return act(form, () => patch(`tickets/${ticket.number}`, body), "Changes saved");
  });
  return form;
}

function transferForm(ticket, ctx) {
  const others = ctx.queues.map((q) => q.name).filter((name) => name !== ticket.queue);
  const form = el("form", { class: "panel", "aria-labelledby": "transfer-title" },
    el("h2", { id: "transfer-title", text: "Transfer or escalate" }),
    field("To queue", select("queue", others, others[0])),
    field("Note (why)", el("textarea", { id: "transfer-note", name: "note", rows: 2,
      required: true })),
    el("button", { type: "submit", class: "secondary", text: "Transfer" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const queue = form.elements.namedItem("queue").value;
    const note = form.elements.namedItem("note").value;
    const key = keyFor(form, { queue, note });
    act(form, async () => {
      await post(`tickets/${ticket.number}/transfer`, { queue, note }, { "Idempotency-Key": key });
      forgetKey(form);
      form.reset();
    }, `Transferred to ${queue}`);
  });
  return form;
}

function history(events) {
  const items = events.map((e) =>
    el("li", {}, timeEl(e.at), ` ${e.kind.replaceAll("_", " ")} · ${e.actor}`,
      // a sentence for the agent, e.g. "reply to x@y bounced: …" (appended as text, not markup)
      e.data && typeof e.data.text === "string" ? `: ${e.data.text}` : null,
      e.data && typeof e.data.text !== "string" && typeof e.data.reason === "string"
        ? `: ${e.data.reason}` : null));
  return el("details", { class: "panel history" },
    el("summary", { text: `History (${events.length})` }), el("ol", {}, items));
}

export function focusComposer(id) {
  const target = document.getElementById(id);
  if (!target) return;
  target.scrollIntoView({ block: "center" });
  target.focus();
}
