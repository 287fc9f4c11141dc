"use strict";
// Charts with the vendored uPlot (ui/vendor/), loaded on the first page that draws one. A chart
// is a picture only (aria-hidden): its numbers are always in a table beside it.

import { el } from "./dom.js";

const LIBRARY = "ui/vendor/uplot.iife.min.js";
const HEIGHT = 220;
let loading = null;

export function loadCharts() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  loading ??= new Promise((resolve, reject) => {
    const script = el("script", { src: LIBRARY });
    script.addEventListener("load", () => resolve(window.uPlot));
    script.addEventListener("error", () => {
      loading = null;
      script.remove();
      reject(new Error("The chart library could not be loaded; the tables show the same numbers."));
    });
    document.head.append(script);
  });
  return loading;
}

function cssColour(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#57606a";
}

function ticks(count, width) {
  const step = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(width / 64))));
  return Array.from({ length: count }, (_, i) => i).filter((i) => i % step === 0);
}

// Room for the widest value label, from the data rather than uPlot's first guess, so "100%" or
// a Persian "۱٫۵ ساعت" is not cut off.
function labelWidth(spec) {
  const top = Math.max(spec.minMax || 1, ...spec.series.flatMap((s) => s.values.filter((v) => v !== null)));
  const longest = Math.max(...[0, top / 2, top, top * 1.1].map((v) => String(spec.format(v)).length));
  return 18 + 7 * Math.max(2, longest);
}

function options(uPlot, spec, width) {
  const rtl = document.documentElement.dir === "rtl";
  const font = `12px ${getComputedStyle(document.body).fontFamily}`;
  const ink = cssColour("--muted");
  const grid = { stroke: cssColour("--line"), width: 1 };
  const bars = spec.kind === "bars";
  const n = spec.series.length;
  return {
    width, height: HEIGHT, legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    scales: { x: { time: false, dir: rtl ? -1 : 1, range: (u, min, max) => [min - 0.6, max + 0.6] },
      y: { range: (u, min, max) => [0, Math.max(max * 1.1, spec.minMax || 1)] } },
    axes: [
      { stroke: ink, font, grid: { show: false }, ticks: { show: false },
        splits: () => ticks(spec.labels.length, width), values: (u, splits) => splits.map((i) => spec.labels[i] ?? "") },
      { stroke: ink, font, grid, side: rtl ? 1 : 3, values: (u, splits) => splits.map(spec.format),
        size: labelWidth(spec) },
    ],
    series: [{}, ...spec.series.map((s, i) => ({
      label: s.label, stroke: s.colour, width: bars ? 0 : 2, fill: bars ? s.colour : undefined,
      points: { show: !bars, size: 5, fill: s.colour },
      // Two bars side by side: the first ends at its period's tick, the second starts there.
      paths: bars ? uPlot.paths.bars({ size: [0.8 / n, 40], align: n === 2 ? [-1, 1][i] : 0 }) : undefined,
    }))],
  };
}

// A legend in the page (not uPlot's), and a line that reads out the period under the pointer.
function legend(spec) {
  return el("ul", { class: "legend", "aria-hidden": "true" }, spec.series.map((s) =>
    el("li", {}, el("span", { class: `swatch swatch-${s.key}` }), s.label)));
}

export function chartFigure(spec) {
  const canvas = el("div", { class: "chart", "aria-hidden": "true", "data-chart": spec.id });
  const readout = el("p", { class: "readout muted", "aria-hidden": "true" });
  const figure = el("figure", { class: "chart-figure", "aria-describedby": spec.describedBy },
    el("figcaption", {}, el("h3", { text: spec.title }),
      el("p", { class: "sample muted", text: spec.sample })),
    legend(spec), canvas, readout);
  let plot = null;
  const draw = async () => {
    const width = Math.floor(canvas.clientWidth);
    if (!width) return;
    if (plot) return plot.setSize({ width, height: HEIGHT });
    const uPlot = await loadCharts();
    if (plot || !canvas.isConnected) return;
    const data = [spec.labels.map((_, i) => i), ...spec.series.map((s) => s.values)];
    plot = new uPlot({
      ...options(uPlot, spec, width),
      hooks: { setCursor: [(u) => { readout.textContent = spec.readout(u.cursor.idx); }] },
    }, data, canvas);
    if (spec.onPick) {
      plot.over.addEventListener("click", () => {
        if (plot.cursor.idx !== null && plot.cursor.idx !== undefined) spec.onPick(plot.cursor.idx);
      });
      plot.over.classList.add("pickable");
    }
  };
  const observer = new ResizeObserver(() => {
    if (!figure.isConnected && plot) {
      observer.disconnect();
      return;
    }
    draw().catch((e) => { readout.textContent = e.message; });
  });
  observer.observe(canvas);
  return figure;
}
