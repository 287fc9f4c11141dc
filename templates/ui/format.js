"use strict";
// Numbers, dates and durations for the reports, through Intl in the page's language (<html lang>).
// Gregorian calendar in every language, as the desk's Persian mail has it (README, Language).

const formats = new Map();

export function language() {
  return document.documentElement.lang || "en";
}

function locale() {
  return `${language()}-u-ca-gregory`;
}

function cached(kind, options, make) {
  const key = `${locale()} ${kind} ${JSON.stringify(options)}`;
  if (!formats.has(key)) formats.set(key, make(locale(), options));
  return formats.get(key);
}

const numberFormat = (options = {}) => cached("n", options, (l, o) => new Intl.NumberFormat(l, o));
const dateFormat = (options) => cached("d", options, (l, o) => new Intl.DateTimeFormat(l, o));

export const NONE = "—";

export function number(value) {
  return value === null || value === undefined ? NONE : numberFormat().format(value);
}

export function percent(rate) {
  if (rate === null || rate === undefined) return NONE;
  return numberFormat({ style: "percent", maximumFractionDigits: 1 }).format(rate);
}

function unit(value, name, digits) {
  return numberFormat({ style: "unit", unit: name, unitDisplay: "short", maximumFractionDigits: digits })
    .format(value);
}

// A wait or a median: minutes under an hour, hours under two days, then days.
export function span(seconds) {
  if (seconds === null || seconds === undefined) return NONE;
  const s = Math.abs(seconds);
  if (s < 3600) return unit(Math.max(1, Math.round(s / 60)), "minute", 0);
  if (s < 48 * 3600) return unit(s / 3600, "hour", s < 10 * 3600 ? 1 : 0);
  return unit(s / 86400, "day", 1);
}

// A change against the previous period, with its sign ("+3", "−12 %", "+1.5 h").
export function change(now, before, kind) {
  if (now === null || now === undefined || before === null || before === undefined) return null;
  const diff = now - before;
  const sign = numberFormat({ signDisplay: "exceptZero" });
  if (kind === "rate") {
    const points = numberFormat({ signDisplay: "exceptZero", maximumFractionDigits: 1 });
    return { diff, text: `${points.format(diff * 100)} pp` };
  }
  if (kind === "seconds") return { diff, text: `${diff > 0 ? "+" : diff < 0 ? "−" : "±"}${span(diff)}` };
  const relative = before ? ` (${numberFormat({ style: "percent", signDisplay: "exceptZero",
    maximumFractionDigits: 0 }).format(diff / before)})` : "";
  return { diff, text: `${sign.format(diff)}${relative}` };
}

// Report days are calendar dates ("2026-11-03"): formatted as such, never shifted by a time zone.
function asDate(day) {
  return new Date(`${day}T00:00:00Z`);
}

export function day(value, options = { dateStyle: "medium" }) {
  return dateFormat({ ...options, timeZone: "UTC" }).format(asDate(value));
}

export function period(start, end, group) {
  if (group === "month") return day(start, { month: "long", year: "numeric" });
  if (group === "week" || (end && end !== start)) {
    return dateFormat({ dateStyle: "medium", timeZone: "UTC" }).formatRange(asDate(start), asDate(end));
  }
  return day(start, { weekday: "short", day: "numeric", month: "short" });
}

export function shortPeriod(start, group) {
  if (group === "month") return day(start, { month: "short", year: "2-digit" });
  return day(start, { day: "numeric", month: "short" });
}

export function moment(iso) {
  return dateFormat({ dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function clock(iso) {
  return dateFormat({ timeStyle: "short" }).format(new Date(iso));
}

export function weekdays() {
  const monday = asDate("2024-01-01"); // a Monday: the API's rows start on Monday
  return Array.from({ length: 7 }, (_, i) =>
    day(new Date(monday.getTime() + i * 86400000).toISOString().slice(0, 10), { weekday: "short" }));
}

export function hour(h) {
  return numberFormat({ minimumIntegerDigits: 2 }).format(h);
}
