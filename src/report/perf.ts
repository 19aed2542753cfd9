import { NESTED_IN, type PerfGeneration, type PerfHistory } from "../engine/perf.js";
import type { Palette } from "./color.js";

/** How many of the selected generation's resources `dotops perf` names. */
export const SLOWEST = 5;

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A terminal sparkline: one block character per value, scaled from the
 * smallest to the largest; a missing value (a phase that generation did not
 * run) is a space, and a flat series sits at the bottom.
 */
export function sparkline(values: (number | undefined)[]): string {
  const known = values.filter((v): v is number => v !== undefined);
  const min = Math.min(...known);
  const span = Math.max(...known) - min;
  return values
    .map((v) => {
      if (v === undefined) return " ";
      const level = span > 0 ? Math.round(((v - min) / span) * (BARS.length - 1)) : 0;
      return BARS[level];
    })
    .join("");
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(1)} ms`);
const short = (g: PerfGeneration) => (g.commit ? g.commit.slice(0, 7) : "worktree");

/** `dotops perf`: the selected generation's slowest phases and resources, then each phase's trend. */
export function renderPerf(h: PerfHistory, p: Palette): string {
  const g = h.selected;
  if (!g) return "No generations to analyse yet: run `dotops apply`.";
  const out: string[] = [];
  out.push(
    p.bold(`Generation ${g.number}`) +
      ` (${short(g)}, ${g.createdAt.replace("T", " ").slice(0, 19)}, ${g.outcome}): ${ms(g.totalMs)} in all`,
  );
  const phases = Object.entries(g.phases).sort((a, b) => b[1] - a[1]);
  const width = Math.max(...h.phases.map((n) => n.length), "total".length);
  out.push("", p.bold("Slowest phases:"));
  for (const [name, v] of phases) {
    const share = g.totalMs > 0 ? Math.round((v / g.totalMs) * 100) : 0;
    const part = `${String(share).padStart(3)} %${NESTED_IN.has(name) ? ` (part of ${NESTED_IN.get(name)})` : ""}`;
    out.push(`  ${name.padEnd(width)}  ${ms(v).padStart(10)}  ${p.dim(part)}`);
  }
  out.push("", p.bold(`Slowest resources:`));
  if (!g.resources.length)
    out.push(p.dim("  none recorded (no resource's steps ran, or an older dotops applied it)"));
  for (const r of g.resources.slice(0, SLOWEST))
    out.push(`  ${ms(r.ms).padStart(10)}  ${r.kind.padEnd(10)}  ${r.id}`);
  if (h.trend.length) {
    const first = h.trend[0] as PerfGeneration;
    const last = h.trend.at(-1) as PerfGeneration;
    out.push(
      "",
      p.bold(
        `Trend of the last ${h.trend.length} generation(s) (${first.number}–${last.number}), oldest first:`,
      ),
    );
    const rows: [string, (number | undefined)[]][] = [
      ...h.phases.map((name): [string, (number | undefined)[]] => [name, h.trend.map((t) => t.phases[name])]),
      ["total", h.trend.map((t) => t.totalMs)],
    ];
    for (const [name, values] of rows) {
      const known = values.filter((v): v is number => v !== undefined);
      const range = `${ms(Math.min(...known))} – ${ms(Math.max(...known))}`;
      const label = name === "total" ? p.bold(name.padEnd(width)) : name.padEnd(width);
      out.push(`  ${label}  ${p.cyan(sparkline(values))}  ${p.dim(range)}`);
    }
  }
  return out.join("\n");
}

/**
 * `dotops perf --json`: `generation` (null before the first apply) with its
 * phases and its slowest resources, each sorted slowest first; `trend`, one
 * entry per generation, oldest first; `skipped`, the generations whose
 * records could not be read.
 */
export function perfJson(h: PerfHistory) {
  const g = h.selected;
  return {
    generation: g && {
      number: g.number,
      commit: g.commit,
      createdAt: g.createdAt,
      outcome: g.outcome,
      totalMs: g.totalMs,
      phases: Object.entries(g.phases)
        .map(([name, v]) => ({ name, ms: v }))
        .sort((a, b) => b.ms - a.ms),
      slowestResources: g.resources.slice(0, SLOWEST),
    },
    trend: {
      phases: h.phases,
      generations: h.trend.map((t) => ({
        number: t.number,
        commit: t.commit,
        createdAt: t.createdAt,
        outcome: t.outcome,
        phases: t.phases,
        totalMs: t.totalMs,
      })),
    },
    skipped: h.skipped,
  };
}

/** `dotops perf --csv`: one row per generation of the trend, a column per phase, then the total (ms). */
export function perfCsv(h: PerfHistory): string {
  const header = ["generation", "createdAt", "outcome", ...h.phases, "total"];
  const rows = h.trend.map((t) => [
    String(t.number),
    t.createdAt,
    t.outcome,
    ...h.phases.map((name) => (t.phases[name] === undefined ? "" : String(t.phases[name]))),
    String(t.totalMs),
  ]);
  return `${[header, ...rows].map((r) => r.map(csvField).join(",")).join("\n")}\n`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
