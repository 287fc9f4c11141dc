"use strict";
// The Reports page's tables: each period, the deadlines, satisfaction, traffic by weekday and
// hour, agents, and where the mail came from; every cell keeps its number in data-value.

import { el, mixedText } from "./dom.js";
import { NONE, hour, language, number, percent, period, span, weekdays } from "./format.js";
import { mailHash, reportHash } from "./report_filters.js";

const SLA_KINDS = [["first_response", "First response"], ["next_response", "Next response"],
  ["resolution", "Resolution"]];
const HEAT_LEVELS = 5;

export function sampleOf(sla) {
  return sla ? (sla.met || 0) + (sla.missed || 0) : 0;
}

function cell(label, key, value, content) {
  return el("td", { "data-label": label, "data-field": key, "data-value": value ?? "" }, content ?? NONE);
}

function linkedCount(value, href, label) {
  return value ? el("a", { href, "aria-label": label, text: number(value) }) : number(value);
}

export function periodsTable(summary, params) {
  const heads = ["Period", "Created", "Solved", "Reopened", "Mail in", "Replies", "First response (business)",
    "First response (calendar)", "First response SLA", "CSAT", "Backlog"];
  const row = (s) => {
    const name = period(s.start, s.end, summary.group);
    const fr = s.first_response || { business: {}, calendar: {} };
    const sla = (s.sla && s.sla.first_response) || {};
    return el("tr", { "data-period": s.start },
      el("th", { scope: "row", "data-label": "Period" }, el("time", { datetime: s.start, text: name })),
      cell("Created", "created", s.created, number(s.created)),
      cell("Solved", "solved", s.solved, number(s.solved)),
      cell("Reopened", "reopened", s.reopened, number(s.reopened)),
      cell("Mail in", "mails_received", s.mails_received, linkedCount(s.mails_received,
        mailHash(params, s.start, s.end, "in"), `${name}: ${number(s.mails_received)} mails received`)),
      cell("Replies", "replies_sent", s.replies_sent, linkedCount(s.replies_sent,
        mailHash(params, s.start, s.end, "out"), `${name}: ${number(s.replies_sent)} replies sent`)),
      cell("First response (business)", "first_response.business", fr.business.median,
        `${span(fr.business.median)} (n = ${number(fr.business.count || 0)})`),
      cell("First response (calendar)", "first_response.calendar", fr.calendar.median,
        `${span(fr.calendar.median)} (n = ${number(fr.calendar.count || 0)})`),
      cell("First response SLA", "sla.first_response", sla.compliance,
        `${percent(sla.compliance)} (n = ${number(sampleOf(sla))})`),
      cell("CSAT", "csat", s.csat?.rate, `${percent(s.csat?.rate)} (n = ${number(s.csat?.answers || 0)})`),
      cell("Backlog", "backlog_end", s.backlog_end, number(s.backlog_end)));
  };
  return section("periods-title", "By period", el("div", { class: "table-wrap" },
    el("table", { class: "list periods", "aria-labelledby": "periods-title" },
      el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, summary.series.map(row)))));
}

export function section(id, title, ...content) {
  return el("section", { class: "report-part", "aria-labelledby": id }, el("h2", { id, text: title }), ...content);
}

export function slaTable(totals) {
  const rows = SLA_KINDS.map(([key, label]) => {
    const s = (totals.sla && totals.sla[key]) || {};
    return el("tr", { "data-sla": key },
      el("th", { scope: "row", "data-label": "Deadline", text: label }),
      cell("Met", "met", s.met, number(s.met)),
      cell("Missed", "missed", s.missed, number(s.missed)),
      cell("Met late", "late", s.late, number(s.late)),
      cell("Within SLA", "compliance", s.compliance, el("span", { class: "load" },
        s.compliance === null || s.compliance === undefined ? null
          : el("meter", { min: 0, max: 1, low: 0.8, high: 0.95, optimum: 1, value: s.compliance, "aria-hidden": "true" }),
        `${percent(s.compliance)} (n = ${number(sampleOf(s))})`)));
  });
  const promise = totals.promise || {};
  return section("sla-title", "Deadlines (SLA)",
    el("table", { class: "list sla", "aria-labelledby": "sla-title" },
      el("thead", {}, el("tr", {}, ["Deadline", "Met", "Missed", "Met late", "Within SLA"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows)),
    el("p", { class: "muted", "data-figure": "promise" },
      `Reply times promised to customers: ${number(promise.kept || 0)} kept, ${number(promise.broken || 0)} broken.`));
}

export function csatPart(totals) {
  const c = totals.csat || {};
  return section("csat-title", "Customer satisfaction",
    el("dl", { class: "facts" },
      ...[["Answers", c.answers], ["Satisfied (yes)", c.yes], ["Not satisfied (no)", c.no], ["With a comment", c.comments]]
        .map(([label, value]) => el("div", {}, el("dt", { text: label }), el("dd", { text: number(value ?? 0) }))),
      el("div", {}, el("dt", { text: "Rate" }), el("dd", { text: percent(c.rate) }))));
}

function heatTable(title, grid, id) {
  const flat = grid.flat();
  const top = Math.max(0, ...flat);
  const days = weekdays();
  const level = (n) => (n && top ? Math.ceil((n / top) * HEAT_LEVELS) : 0);
  return el("div", { class: "heat-wrap", role: "region", tabindex: "0", "aria-labelledby": id },
    el("table", { class: "heat", "data-heat": id },
      el("caption", { id, text: `${title} · ${number(flat.reduce((a, b) => a + b, 0))} in all` }),
      el("thead", {}, el("tr", {}, el("td"), Array.from({ length: 24 }, (_, h) => el("th", { scope: "col", text: hour(h) })))),
      el("tbody", {}, grid.map((hours, d) => el("tr", {}, el("th", { scope: "row", text: days[d] }),
        hours.map((n, h) => el("td", { class: `heat-${level(n)}`, "data-value": n,
          title: `${days[d]} ${hour(h)}:00: ${number(n)}`, text: n ? number(n) : "" })))))));
}

export function trafficPart(summary) {
  const traffic = summary.traffic || {};
  const empty = Array.from({ length: 7 }, () => Array(24).fill(0));
  return section("traffic-title", "Traffic by weekday and hour",
    el("p", { class: "muted", text: `Hours in ${summary.timezone || "the desk's time zone"}; darker is busier.` }),
    heatTable("Mail received", traffic.in || empty, "heat-in"),
    heatTable("Replies sent", traffic.out || empty, "heat-out"));
}

function countsTable(id, title, counts, name) {
  const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
  return el("div", {}, el("h3", { id, text: title }),
    entries.length ? el("table", { class: "counts", "aria-labelledby": id },
      el("tbody", {}, entries.map(([key, n]) => el("tr", { "data-key": key },
        el("th", { scope: "row" }, mixedText(name(key))), cell("Mail", "count", n, number(n))))))
      : el("p", { class: "muted", text: "None." }));
}

function languageName(code) {
  try {
    return new Intl.DisplayNames([language()], { type: "language" }).of(code) || code;
  } catch (e) {
    return code;
  }
}

export function mixPart(summary) {
  return section("mix-title", "Where the mail came from",
    el("div", { class: "two" }, countsTable("languages-title", "By language", summary.languages, languageName),
      countsTable("addresses-title", "By address", summary.addresses, (a) => a)));
}

export function agentsTable(agents, params) {
  const heads = ["Agent", "Replies", "Solved", "First response (business)", "First response (calendar)", "CSAT", "Open now", "Waiting now"];
  const row = (a) => {
    const fr = a.first_response || { business: {}, calendar: {} };
    return el("tr", { "data-agent": a.agent },
      el("th", { scope: "row", "data-label": "Agent" }, el("a", { href: reportHash({ ...params, agent: a.agent }),
        "aria-label": `Report for ${a.name || a.agent}` }, mixedText(a.name || a.agent))),
      cell("Replies", "replies", a.replies, number(a.replies)),
      cell("Solved", "solved", a.solved, number(a.solved)),
      cell("First response (business)", "first_response.business", fr.business.median,
        `${span(fr.business.median)} (n = ${number(fr.business.count || 0)})`),
      cell("First response (calendar)", "first_response.calendar", fr.calendar.median,
        `${span(fr.calendar.median)} (n = ${number(fr.calendar.count || 0)})`),
      cell("CSAT", "csat", a.csat?.rate, `${percent(a.csat?.rate)} (n = ${number(a.csat?.answers || 0)})`),
      cell("Open now", "open_now", a.open_now, number(a.open_now)),
      cell("Waiting now", "waiting_now", a.waiting_now, number(a.waiting_now)));
  };
  return el("table", { class: "list agents", "aria-labelledby": "agents-title" },
    el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, agents.map(row)));
}
