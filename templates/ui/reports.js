"use strict";
// The Reports page: a period and filters in the address (#/reports?from=…), figures against the
// previous period, charts with their numbers in tables, drill-down to the mail behind a period.

import { download, get, isMissingRoute, query } from "./api.js";
import { chartFigure } from "./charts.js";
import { el, field, select } from "./dom.js";
import { reportError } from "./errors.js";
import { change, number, percent, period, shortPeriod, span } from "./format.js";
import { filterSelects, isoDay, mailHash, missingApi, pageHeading, reportHash, reportQuery } from "./report_filters.js";
import { agentsTable, csatPart, mixPart, periodsTable, sampleOf, section, slaTable, trafficPart } from "./report_tables.js";

const PRESETS = [["7", "Last 7 days"], ["30", "Last 30 days"], ["90", "Last 90 days"],
  ["month", "This month"], ["last-month", "Last month"], ["custom", "Custom dates"]];
const GROUPS = [["day", "By day"], ["week", "By week"], ["month", "By month"]];

export function presetDates(preset, now = new Date()) {
  const days = Number(preset);
  if (days) return { from: isoDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - days + 1)), to: isoDay(now) };
  if (preset === "month") return { from: isoDay(new Date(now.getFullYear(), now.getMonth(), 1)), to: isoDay(now) };
  if (preset === "last-month") {
    return { from: isoDay(new Date(now.getFullYear(), now.getMonth() - 1, 1)),
      to: isoDay(new Date(now.getFullYear(), now.getMonth(), 0)) };
  }
  return null;
}

function readParams(search) {
  const given = Object.fromEntries(new URLSearchParams(search || ""));
  const preset = given.preset || (given.from && given.to ? "custom" : "30");
  const dates = presetDates(preset) || { from: given.from || isoDay(), to: given.to || isoDay() };
  return { preset, group: given.group || "day", queue: given.queue || "", agent: given.agent || "",
    priority: given.priority || "", ...dates };
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
  to.addEventListener("input", () => to.setCustomValidity(""));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (to.value < from.value) {
      to.setCustomValidity("The end cannot be before the start.");
      to.reportValidity();
      return;
    }
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
  const word = { good: " (better)", bad: " (worse)", same: "" }[tone];
  return el("span", { class: `delta delta-${tone}` }, el("bdi", { text: moved.text }), " vs previous",
    word ? el("span", { class: "visually-hidden", text: word }) : null);
}

function card(label, value, { sample, before, now, kind, better, href, hrefLabel, key } = {}) {
  const shown = href && now ? el("a", { href, "aria-label": hrefLabel, text: value }) : value;
  return el("div", { class: "card", "data-figure": key, "data-value": now ?? "" },
    el("dt", { text: label }),
    el("dd", { class: "figure" }, shown),
    sample === undefined ? null : el("dd", { class: "sample muted", text: `n = ${number(sample)}` }),
    el("dd", {}, delta(now, before, kind, better)));
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
  const head = [pageHeading("Reports"), filtersForm(params, ctx)];
  let summary;
  let agents;
  try {
    [summary, agents] = await Promise.all([
      get(`reports/summary?${query(filters)}`),
      get(`reports/agents?${query(agentFilters)}`).catch((e) => (isMissingRoute(e) ? null : Promise.reject(e))),
    ]);
  } catch (e) {
    if (isMissingRoute(e)) return page.replaceChildren(...head, missingApi("Reports"));
    if (e.status !== 400) throw e;
    // A period or filter the API refused: the form stays, and says which field once it is shown.
    page.replaceChildren(...head);
    window.setTimeout(() => reportError(e, head[1]), 0);
    return undefined;
  }
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
