"use strict";
// A day's mail (#/mail?date=…&to=…&direction=…): what came in and went out, each with its
// ticket; Next reads on with the API's cursor, the address keeps the page.

import { download, get, isMissingRoute, query } from "./api.js";
import { el, field, mixedText, select } from "./dom.js";
import { reportError } from "./errors.js";
import { clock, moment, number, period } from "./format.js";
import { filterSelects, isoDay, missingApi, pageHeading } from "./report_filters.js";

const DIRECTIONS = [["", "All mail"], ["in", "Received"], ["out", "Replies sent"], ["auto", "Automatic"]];
const LABELS = { in: "Received", out: "Reply", auto: "Automatic" };
const COLUMNS = ["Time", "Direction", "Ticket", "Subject", "From", "To", "Queue", "Agent"];
const PAGE_SIZE = 50;

function readParams(search) {
  const given = Object.fromEntries(new URLSearchParams(search || ""));
  const date = given.date || isoDay();
  return { date, to: given.to && given.to !== date ? given.to : "", direction: given.direction || "",
    queue: given.queue || "", agent: given.agent || "", cursor: given.cursor || "" };
}

function mailHash(params) {
  return `#/mail?${query(params)}`;
}

function form(params, ctx) {
  const date = el("input", { type: "date", name: "date", value: params.date, required: true });
  const to = el("input", { type: "date", name: "to", value: params.to });
  const node = el("form", { class: "filters", "aria-label": "Which mail" },
    el("div", { class: "row" }, field("Day", date), field("Up to (optional)", to),
      field("Direction", select("direction", DIRECTIONS, params.direction)),
      ...filterSelects(params, ctx, { priority: false }),
      el("button", { type: "submit", text: "Show mail" })));
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    window.location.hash = mailHash({ ...params, ...Object.fromEntries(new FormData(node)), cursor: "" });
  });
  return node;
}

function cell(label, ...content) {
  return el("td", { "data-label": label }, ...content);
}

function row(mail, ctx, oneDay) {
  const agent = ctx.agents.find((a) => a.id === mail.agent);
  const ticket = mail.ticket ? `#/ticket/${mail.ticket}` : null;
  return el("tr", { "data-direction": mail.direction },
    cell("Time", el("time", { datetime: mail.at, text: oneDay ? clock(mail.at) : moment(mail.at) })),
    cell("Direction", el("span", { class: `badge kind-${mail.direction === "in" ? "inbound" : mail.direction === "out" ? "outbound" : "auto"}`,
      text: LABELS[mail.direction] || mail.direction })),
    cell("Ticket", ticket ? el("a", { href: ticket, text: `#${mail.ticket}` }) : "—"),
    cell("Subject", ticket ? el("a", { href: ticket, "data-row": "" }, mixedText(mail.subject || "(no subject)"))
      : mixedText(mail.subject || "(no subject)")),
    cell("From", mixedText(mail.from || "")),
    cell("To", mixedText(Array.isArray(mail.to) ? mail.to.join(", ") : mail.to || "")),
    cell("Queue", mixedText(mail.queue || "—")),
    cell("Agent", mail.agent ? mixedText(agent ? agent.name : mail.agent) : "—"));
}

function csvButton(params, from, to) {
  const button = el("button", { type: "button", class: "secondary", text: "Download CSV" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await download(`reports/mail?${query({ ...params, cursor: "", format: "csv" })}`, `mail-${from}-${to}.csv`);
    } catch (e) {
      reportError(e);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export async function showMailDay(page, search, ctx) {
  const params = readParams(search);
  let data;
  try {
    data = await get(`reports/mail?${query({ ...params, limit: PAGE_SIZE })}`);
  } catch (e) {
    if (!isMissingRoute(e)) throw e;
    return page.replaceChildren(pageHeading("Mail"), form(params, ctx), missingApi("Mail reports"));
  }
  const from = data.from || params.date;
  const to = data.to || params.to || params.date;
  const oneDay = from === to;
  const title = `Mail · ${period(from, to, "range")}`;
  const table = el("table", { class: "list mail-day" },
    el("caption", { class: "visually-hidden", text: title }),
    el("thead", {}, el("tr", {}, COLUMNS.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, data.mails.map((m) => row(m, ctx, oneDay))));
  const pager = el("nav", { class: "pager", "aria-label": "Pages" },
    params.cursor ? el("a", { href: mailHash({ ...params, cursor: "" }), text: "First page" }) : null,
    data.next ? el("a", { href: mailHash({ ...params, cursor: data.next }), rel: "next", text: "Next page" }) : null);
  page.replaceChildren(pageHeading(title), form(params, ctx),
    el("div", { class: "report-head" },
      el("p", { class: "muted", text: `${number(data.mails.length)} shown${data.next ? ", more on the next page" : ""}` }),
      el("div", { class: "actions" }, csvButton(params, from, to))),
    data.mails.length ? table : el("p", { class: "empty", text: "No mail in this period." }), pager);
  return undefined;
}
