import { createRequire } from "node:module";
import { join } from "node:path";
import type { PerfHistory } from "../engine/perf.js";
import { packageRoot } from "../self.js";
import { perfJson, SLOWEST } from "./perf.js";

/**
 * The chart library `dotops perf --html` inlines (uPlot's IIFE build and its
 * CSS), resolved from dotops' own package as a dependency: under the tests
 * from src/, built from dist/cli/, installed from node_modules alike.
 */
export function chartLibraryFiles(): { js: string; css: string } {
  const require = createRequire(join(packageRoot(), "package.json"));
  return {
    js: require.resolve("uplot/dist/uPlot.iife.min.js"),
    css: require.resolve("uplot/dist/uPlot.min.css"),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Text for inside a <script> or <style>: nothing in it can close the element. */
const inert = (s: string, tag: "script" | "style") => s.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");

/**
 * `dotops perf --html`: one self-contained page, the chart library inline and
 * nothing fetched when it is viewed. A chart of the total and one of each
 * phase, one point per generation; the analysed generation's phases and
 * slowest resources as tables. The page's script marks the body
 * `data-rendered="ok"` with `data-points` (points per series) once the
 * charts are drawn, or `data-rendered="error"` with the error in #error.
 */
export function perfHtml(h: PerfHistory, lib: { js: string; css: string }): string {
  const data = perfJson(h);
  const g = data.generation;
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const row = (cells: string[], ms: number) =>
    `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}<td class="ms">${ms}</td></tr>`;
  const selected = g
    ? `<h2>Generation ${g.number} <small>${escapeHtml(g.commit?.slice(0, 12) ?? "worktree")} · ${escapeHtml(g.createdAt)} · ${escapeHtml(g.outcome)} · ${g.totalMs} ms</small></h2>
<div class="tables">
<table id="phases"><caption>Phases, slowest first</caption><tr><th>phase</th><th>ms</th></tr>
${g.phases.map((p) => row([p.name], p.ms)).join("\n")}
</table>
<table id="resources"><caption>The ${SLOWEST} slowest resources</caption><tr><th>kind</th><th>resource</th><th>ms</th></tr>
${g.slowestResources.map((r) => row([r.kind, r.id], r.ms)).join("\n") || '<tr><td colspan="3">none recorded</td></tr>'}
</table>
</div>`
    : "<p>No generations to analyse yet: run <code>dotops apply</code>.</p>";
  const skipped = h.skipped.length
    ? `<h2>Skipped</h2><ul id="skipped">${h.skipped.map((s) => `<li>${escapeHtml(s.reason)}</li>`).join("")}</ul>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dotops perf</title>
<style>${inert(lib.css, "style")}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 small, h2 small { font-weight: normal; color: #666; font-size: 70%; }
.tables { display: flex; gap: 3em; flex-wrap: wrap; align-items: flex-start; }
table { border-collapse: collapse; }
caption { text-align: left; font-weight: bold; padding-bottom: .3em; white-space: nowrap; }
td, th { padding: .15em .8em .15em 0; text-align: left; }
td.ms { text-align: right; font-variant-numeric: tabular-nums; }
.chart { margin: 1em 0 2em; }
#error { color: #b00; white-space: pre-wrap; }
</style>
<script>
window.onerror = function (message, source, line, column, error) {
  document.body.setAttribute("data-rendered", "error");
  document.getElementById("error").textContent += (error && error.stack ? error.stack : message + " at " + source + ":" + line + ":" + column) + "\\n";
};
</script>
</head>
<body data-rendered="pending">
<h1>dotops perf <small>${h.trend.length} generation(s)</small></h1>
<pre id="error"></pre>
${selected}
<h2>Trend <small>one point per generation, oldest first</small></h2>
<div id="total" class="chart"></div>
<div id="by-phase" class="chart"></div>
${skipped}
<script>${inert(lib.js, "script")}</script>
<script>
(function () {
  var report = ${json};
  var gens = report.trend.generations;
  var xs = gens.map(function (g) { return g.number; });
  var colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  var width = Math.max(400, Math.min(1100, document.documentElement.clientWidth - 60));
  var drawn = 0;
  var charts = [];
  function chart(id, title, names, values) {
    var series = [{ label: "generation" }].concat(names.map(function (n, i) {
      return { label: n, stroke: colors[i % colors.length], width: 2, points: { show: true, size: 6 }, spanGaps: false };
    }));
    var opts = {
      title: title, width: width, height: 280, series: series,
      scales: { x: { time: false } },
      axes: [{ label: "generation", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }, { label: "ms" }],
      hooks: { draw: [function () { drawn++; finish(); }] }
    };
    charts.push(new uPlot(opts, [xs].concat(values), document.getElementById(id)));
  }
  function finish() {
    if (drawn < charts.length || charts.length < 2) return;
    var points = charts.map(function (u) { return u.data[0].length; });
    var counts = charts.map(function (u) { return u.data.slice(1).map(function (s) { return s.length; }); });
    var even = counts.every(function (c) { return c.every(function (n) { return n === xs.length; }); });
    if (!even || points.some(function (n) { return n !== xs.length; })) throw new Error("a series does not have one point per generation");
    document.body.setAttribute("data-points", String(xs.length));
    document.body.setAttribute("data-charts", String(document.querySelectorAll(".chart canvas").length));
    if (document.body.getAttribute("data-rendered") === "pending") document.body.setAttribute("data-rendered", "ok");
  }
  chart("total", "Total ms per generation", ["total"], [gens.map(function (g) { return g.totalMs; })]);
  chart("by-phase", "ms per phase", report.trend.phases, report.trend.phases.map(function (p) {
    return gens.map(function (g) { return Object.prototype.hasOwnProperty.call(g.phases, p) ? g.phases[p] : null; });
  }));
})();
</script>
</body>
</html>
`;
}
