"use strict";
// The Reports page: a period and filters in the address (#/reports?from=…), figures against the
// previous period, charts with their numbers in tables, drill-down to the mail behind a period.

import { download, get, isMissingRoute, query } from "./api.js";
import { chartFigure } from "./charts.js";
import { el, field, mixedText, select } from "./dom.js";
import { reportError } from "./errors.js";
import { NONE, change, hour, language, number, percent, period, shortPeriod, span, weekdays } from "./format.js";
import { filterSelects, missingApi, pageHeading, reportQuery, today } from "./report_filters.js";

const PRESETS = [["7", "Last 7 days"], ["30", "Last 30 days"], ["90", "Last 90 days"],
  ["month", "This month"], ["last-month", "Last month"], ["custom", "Custom dates"]];
const GROUPS = [["day", "By day"], ["week", "By week"], ["month", "By month"]];
const SLA_KINDS = [["first_response", "First response"], ["next_response", "Next response"],
  ["resolution", "Resolution"]];
const HEAT_LEVELS = 5;

function iso(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

export function presetDates(preset, now = new Date()) {
  const days = Number(preset);
  if (days) return { from: iso(new Date(now.getFullYear(), now.getMonth(), now.getDate() - days + 1)), to: iso(now) };
  if (preset === "month") return { from: iso(new Date(now.getFullYear(), now.getMonth(), 1)), to: iso(now) };
  if (preset === "last-month") {
    return { from: iso(new Date(now.getFullYear(), now.getMonth() - 1, 1)),
      to: iso(new Date(now.getFullYear(), now.getMonth(), 0)) };
  }
  return null;
}

function readParams(search) {
  const given = Object.fromEntries(new URLSearchParams(search || ""));
  const preset = given.preset || (given.from && given.to ? "custom" : "30");
  const dates = presetDates(preset) || { from: given.from || today(), to: given.to || today() };
  return { preset, group: given.group || "day", queue: given.queue || "", agent: given.agent || "",
    priority: given.priority || "", ...dates };
}

function reportHash(params) {
  const { preset, ...rest } = params;
  return `#/reports?${query(preset === "custom" ? rest : { preset, ...rest, from: "", to: "" })}`;
}

function filtersForm(params, ctx) {
  const preset = select("preset", PRESETS, params.preset);
  const from = el("input", { type: "date", name: "from", value: params.from, required: true });
  const to = el("input", { type: "date", name: "to", value: params.to, required: true });
  preset.addEventListener("change", () => {
    const dates = presetDates(preset.value);
    if (dates) [from.value, to.value] = [dates.from, dates.to];
  });
  for (const input of [from, to]) input.addEventListener("input", () => { preset.value = "custom"; });
  const form = el("form", { class: "filters", "aria-label": "Report period and filters" },
    el("div", { class: "row" }, field("Period", preset), field("From", from), field("To", to),
      field("Group", select("group", GROUPS, params.group))),
    el("div", { class: "row" }, ...filterSelects(params, ctx),
      el("button", { type: "submit", text: "Show report" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    window.location.hash = reportHash({ ...params, ...values });
  });
  return form;
}

// A figure against the previous period: "+3 (+12 %)"; for times and rates, lower or higher is
// better, said with a word for screen readers and a colour for the eye.
function delta(now, before, kind, better) {
  const moved = change(now, before, kind);
  if (!moved) return el("span", { class: "delta muted", text: "no previous figure" });
  const good = better === "up" ? moved.diff > 0 : better === "down" ? moved.diff < 0 : null;
  const tone = !moved.diff || good === null ? "same" : good ? "good" : "bad";
  return el("span", { class: `delta delta-${tone}` }, el("bdi", { text: moved.text }), " vs previous");
}

function card(label, value, { sample, before, now, kind, better, href, hrefLabel, key } = {}) {
  const shown = href && now ? el("a", { href, "aria-label": hrefLabel, text: value }) : value;
  return el("div", { class: "card", "data-figure": key, "data-value": now ?? "" },
    el("dt", { text: label }),
    el("dd", { class: "figure" }, shown),
    sample === undefined ? null : el("dd", { class: "sample muted", text: `n = ${number(sample)}` }),
    el("dd", {}, delta(now, before, kind, better)));
}

function mailHash(params, start, end, direction) {
  return `#/mail?${query({ date: start, to: end, direction, queue: params.queue, agent: params.agent })}`;
}

function sampleOf(sla) {
  return sla ? (sla.met || 0) + (sla.missed || 0) : 0;
}

function cards(summary, params) {
  const t = summary.totals;
  const p = (summary.previous && summary.previous.totals) || {};
  const dig = (o, ...path) => path.reduce((v, k) => (v === null || v === undefined ? v : v[k]), o);
  const count = (key, label, better, extra = {}) => card(label, number(t[key]),
    { key, now: t[key], before: p[key], better, ...extra });
  const median = (key, clock, label) => card(label, span(dig(t, key, clock, "median")), {
    key: `${key}.${clock}`, now: dig(t, key, clock, "median"), before: dig(p, key, clock, "median"),
    kind: "seconds", better: "down", sample: dig(t, key, clock, "count") || 0 });
  return el("dl", { class: "cards" },
    count("created", "Tickets created"),
    count("solved", "Solved", "up"),
    count("reopened", "Reopened", "down"),
    count("mails_received", "Mail received", null, { href: mailHash(params, summary.from, summary.to, "in"),
      hrefLabel: `${number(t.mails_received)} mails received: list them` }),
    count("replies_sent", "Replies sent", "up", { href: mailHash(params, summary.from, summary.to, "out"),
      hrefLabel: `${number(t.replies_sent)} replies sent: list them` }),
    median("first_response", "business", "First response, median (business hours)"),
    median("first_response", "calendar", "First response, median (calendar)"),
    median("resolution", "business", "Resolution, median (business hours)"),
    card("First responses within SLA", percent(dig(t, "sla", "first_response", "compliance")), {
      key: "sla.first_response", now: dig(t, "sla", "first_response", "compliance"),
      before: dig(p, "sla", "first_response", "compliance"), kind: "rate", better: "up",
      sample: sampleOf(dig(t, "sla", "first_response")) }),
    card("Satisfied customers (CSAT)", percent(dig(t, "csat", "rate")), {
      key: "csat", now: dig(t, "csat", "rate"), before: dig(p, "csat", "rate"), kind: "rate",
      better: "up", sample: dig(t, "csat", "answers") || 0 }),
    count("backlog_end", "Open at the end (backlog)", "down"));
}

function periodLabels(summary) {
  return summary.series.map((s) => shortPeriod(s.start, summary.group));
}

function readoutFor(summary, parts) {
  return (i) => {
    const s = summary.series[i];
    if (!s) return "";
    return `${period(s.start, s.end, summary.group)}: ${parts.map(([label, value]) => `${label} ${value(s)}`).join(" · ")}`;
  };
}

function charts(summary, params) {
  const series = summary.series;
  const labels = periodLabels(summary);
  const sum = (key) => series.reduce((total, s) => total + (s[key] || 0), 0);
  const hours = (v) => (v ? span(v * 3600) : number(0));
  const frMedian = (clock) => (s) => (s.first_response && s.first_response[clock].median !== null
    ? s.first_response[clock].median / 3600 : null);
  const frCount = (clock) => series.reduce((n, s) => n + ((s.first_response && s.first_response[clock].count) || 0), 0);
  const goToMail = (i) => {
    window.location.hash = mailHash(params, series[i].start, series[i].end, "in");
  };
  const shared = { labels, describedBy: "periods-title" };
  return el("div", { class: "charts" },
    chartFigure({ ...shared, id: "created-solved", kind: "bars", title: "Tickets created and solved",
      sample: `${number(sum("created"))} created, ${number(sum("solved"))} solved · select a period for its mail`,
      series: [{ key: "created", label: "Created", colour: "#0b57d0", values: series.map((s) => s.created) },
        { key: "solved", label: "Solved", colour: "#1a7f37", values: series.map((s) => s.solved) }],
      format: number, minMax: 4, onPick: goToMail,
      readout: readoutFor(summary, [["created", (s) => number(s.created)], ["solved", (s) => number(s.solved)]]) }),
    chartFigure({ ...shared, id: "first-response", kind: "lines", title: "First response, median",
      sample: `n = ${number(frCount("business"))} business, ${number(frCount("calendar"))} calendar`,
      series: [{ key: "business", label: "Business hours", colour: "#8250df", values: series.map(frMedian("business")) },
        { key: "calendar", label: "Calendar", colour: "#bc4c00", values: series.map(frMedian("calendar")) }],
      format: hours, minMax: 1,
      readout: readoutFor(summary, [["business", (s) => span(s.first_response?.business.median)],
        ["calendar", (s) => span(s.first_response?.calendar.median)]]) }),
    chartFigure({ ...shared, id: "backlog", kind: "lines", title: "Open tickets at the end of each period",
      sample: `${number(series.length)} periods`,
      series: [{ key: "backlog", label: "Backlog", colour: "#0b57d0", values: series.map((s) => s.backlog_end) }],
      format: number, minMax: 4, readout: readoutFor(summary, [["open", (s) => number(s.backlog_end)]]) }),
    chartFigure({ ...shared, id: "csat", kind: "lines", title: "Satisfied customers (CSAT) per period",
      sample: `n = ${number(series.reduce((n, s) => n + (s.csat?.answers || 0), 0))} answers`,
      series: [{ key: "csat", label: "Satisfied", colour: "#1a7f37",
        values: series.map((s) => (s.csat && s.csat.answers ? s.csat.rate * 100 : null)) }],
      format: (v) => percent(v / 100), minMax: 100,
      readout: readoutFor(summary, [["satisfied", (s) => `${percent(s.csat?.rate)} (n = ${number(s.csat?.answers || 0)})`]]) }));
}

function cell(label, key, value, content) {
  return el("td", { "data-label": label, "data-field": key, "data-value": value ?? "" }, content ?? NONE);
}

function linkedCount(value, href, label) {
  return value ? el("a", { href, "aria-label": label, text: number(value) }) : number(value);
}

function periodsTable(summary, params) {
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

function section(id, title, ...content) {
  return el("section", { class: "report-part", "aria-labelledby": id }, el("h2", { id, text: title }), ...content);
}

function slaTable(totals) {
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

function csatPart(totals) {
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

function trafficPart(summary) {
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

function mixPart(summary) {
  return section("mix-title", "Where the mail came from",
    el("div", { class: "two" }, countsTable("languages-title", "By language", summary.languages, languageName),
      countsTable("addresses-title", "By address", summary.addresses, (a) => a)));
}

function agentsTable(agents, params) {
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

function csvButton(label, path, name) {
  const button = el("button", { type: "button", class: "secondary", text: label });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await download(path, name);
    } catch (e) {
      reportError(e);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export async function showReports(page, search, ctx) {
  const params = readParams(search);
  const filters = reportQuery(params);
  const agentFilters = { ...filters, agent: "" };
  const [summary, agents] = await Promise.all([
    get(`reports/summary?${query(filters)}`),
    get(`reports/agents?${query(agentFilters)}`).catch((e) => (isMissingRoute(e) ? null : Promise.reject(e))),
  ]).catch((e) => (isMissingRoute(e) ? [null, null] : Promise.reject(e)));
  const head = [pageHeading("Reports"), filtersForm(params, ctx)];
  if (!summary) return page.replaceChildren(...head, missingApi("Reports"));
  const previous = summary.previous
    ? ` · compared with ${period(summary.previous.from, summary.previous.to, "range")}` : "";
  page.replaceChildren(...head,
    el("div", { class: "report-head" },
      el("p", { class: "muted", text: `${period(summary.from, summary.to, "range")}${previous} · times in ${summary.timezone}` }),
      el("div", { class: "actions" },
        csvButton("Download CSV (summary)", `reports/summary?${query({ ...filters, format: "csv" })}`,
          `report-summary-${summary.from}-${summary.to}.csv`),
        agents ? csvButton("Download CSV (agents)", `reports/agents?${query({ ...agentFilters, format: "csv" })}`,
          `report-agents-${summary.from}-${summary.to}.csv`) : null)),
    cards(summary, params),
    charts(summary, params),
    periodsTable(summary, params),
    slaTable(summary.totals),
    csatPart(summary.totals),
    trafficPart(summary),
    agents ? section("agents-title", "Agents", agentsTable(agents.agents, params)) : null,
    mixPart(summary),
    summary.reads ? el("p", { class: "muted reads",
      text: `This report read ${number(summary.reads.items)} items in ${number(summary.reads.queries)} queries.` }) : null);
  return undefined;
}
