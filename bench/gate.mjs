#!/usr/bin/env node
// The bench's regression gate (issue 15): runs the quick bench and compares
// dotops' ratios, to its peers and to itself, with bench/baseline-quick.json.
// Ratios, not times, so that a slower machine (a CI runner) passes: a ratio
// more than 25 % worse than the baseline's fails the gate (exit 1), with a
// table saying which ratio regressed, by how much, and which phases grew.
//
//   node bench/gate.mjs                  build, run `bench/main.mjs --quick`, compare
//   node bench/gate.mjs --update [--note "…"]   build, run, write the baseline from this run
//   --results <file>   compare this results-quick.json instead of running the bench
//   --threshold <x>    allowed worsening (default 0.25)
//   --attempts <n>     runs before a regression counts (default 2): a ratio fails only if it is
//                      worse in every run, so one burst of load on a shared runner does not fail it
//   --no-build         use the current dist/ (BENCH_CLI, as in main.mjs, also skips the build)
//
// Each ratio is of the fastest repetitions (min), not the medians: load from
// other processes only ever adds time, so minima are what repeats best.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reportFiles } from "./report.mjs";
import { FLOOR, ROOT } from "./runner.mjs";

const BASELINE = join(ROOT, "bench/baseline-quick.json");

/** The gated ratios: numerator and denominator (stats with a `min`), and the phases that explain the numerator. */
export const RATIOS = [
  {
    name: "first apply, 1,000 files / stow",
    phases: ["first apply", 1000],
    num: (r) => r.firstApply[1000]?.dotops,
    den: (r) => r.firstApply[1000]?.stow,
  },
  {
    name: "first apply, 100 files / stow",
    phases: ["first apply", 100],
    num: (r) => r.firstApply[100]?.dotops,
    den: (r) => r.firstApply[100]?.stow,
  },
  {
    name: "first apply, 1,000 files / 100 files",
    phases: ["first apply", 1000],
    num: (r) => r.firstApply[1000]?.dotops,
    den: (r) => r.firstApply[100]?.dotops,
  },
  {
    name: "no-op apply, 1,000 files / mise dotfiles status",
    phases: ["no-op apply", 1000],
    num: (r) => r.noop[1000]?.["dotops apply"],
    den: (r) => r.noop[1000]?.["mise dotfiles status"],
  },
  {
    name: "no-op apply, 1,000 files / lstat floor",
    phases: ["no-op apply", 1000],
    num: (r) => r.noop[1000]?.["dotops apply"],
    den: (r) => r.noop[1000]?.[FLOOR],
  },
  {
    name: "`dotops status`, 1,000 files / mise dotfiles status",
    num: (r) => r.noop[1000]?.["dotops status"],
    den: (r) => r.noop[1000]?.["mise dotfiles status"],
  },
  {
    name: "one-file change / first apply, 1,000 files",
    phases: ["one-file change", 1000],
    num: (r) => r.oneFileChange[1000],
    den: (r) => r.firstApply[1000]?.dotops,
  },
  {
    name: "revert → apply / first apply, 1,000 files",
    phases: ["revert → apply", 1000],
    num: (r) => r.revertRollback[1000]?.revertApply,
    den: (r) => r.firstApply[1000]?.dotops,
  },
  {
    name: "`dotops rollback` / first apply, 1,000 files",
    num: (r) => r.revertRollback[1000]?.rollback,
    den: (r) => r.firstApply[1000]?.dotops,
  },
  {
    name: "plan (empty HOME) / stow first apply, 1,000 files",
    num: (r) => r.plan?.[1000]?.nothingApplied,
    den: (r) => r.firstApply[1000]?.stow,
  },
  {
    name: "`dotops --version` / node -e 0",
    num: (r) => r.coldStart?.["dotops --version"],
    den: (r) => r.coldStart?.["node -e 0 (floor)"],
  },
  {
    name: "`check` of macos-workstation / node -e 0",
    num: (r) => r.check,
    den: (r) => r.coldStart?.["node -e 0 (floor)"],
  },
];

const usable = (s) => s && !s.skipped && typeof s.min === "number" && s.min > 0;

/** Every ratio this run could measure: { name: { value, num, den } } (ms of the fastest repetitions). */
export function ratiosOf(results) {
  const out = {};
  for (const q of RATIOS) {
    const [a, b] = [q.num(results), q.den(results)];
    if (usable(a) && usable(b)) out[q.name] = { value: round3(a.min / b.min), num: a.min, den: b.min };
  }
  return out;
}

const round3 = (x) => Math.round(x * 1000) / 1000;

/** The phase medians of a run, without the sample counts (what the baseline keeps to point at a phase). */
function phasesOf(results) {
  const out = {};
  for (const [scenario, bySize] of Object.entries(results.phases ?? {})) {
    const recorded = Object.entries(bySize).filter(([, s]) => s.phases);
    if (recorded.length)
      out[scenario] = Object.fromEntries(
        recorded.map(([n, s]) => [n, { wall: s.wall, phases: s.phases, outside: s.outside }]),
      );
  }
  return out;
}

/** The phases whose share of the wall time grew most between two runs: "build 21 % → 38 %". */
function phaseShift(base, now) {
  if (!base || !now) return "";
  const shares = (s) => ({
    ...Object.fromEntries(Object.entries(s.phases).filter(([k]) => k !== "record")),
    "outside phases": s.outside,
  });
  const [b, n] = [shares(base), shares(now)];
  return Object.keys(n)
    .filter((k) => k in b)
    .map((k) => ({ k, from: (b[k] / base.wall) * 100, to: (n[k] / now.wall) * 100 }))
    .filter((x) => x.to - x.from >= 3)
    .sort((x, y) => y.to - y.from - (x.to - x.from))
    .slice(0, 2)
    .map((x) => `${x.k} ${Math.round(x.from)} % → ${Math.round(x.to)} % of the wall time`)
    .join("; ");
}

/**
 * Compares ratios with the baseline's: each row says baseline, now, the
 * change, and whether it is within `threshold`. `now` may hold the best of
 * several runs per ratio.
 */
export function compare(baseline, now, nowPhases, threshold) {
  return Object.entries(baseline.ratios).map(([name, b]) => {
    const n = now[name];
    if (!n) return { name, base: b.value, now: null, change: null, verdict: "not measured" };
    const change = n.value / b.value - 1;
    const q = RATIOS.find((x) => x.name === name);
    const where = q?.phases
      ? phaseShift(baseline.phases?.[q.phases[0]]?.[q.phases[1]], nowPhases?.[q.phases[0]]?.[q.phases[1]])
      : "";
    return {
      name,
      base: b.value,
      now: n.value,
      change,
      verdict: change > threshold ? "regressed" : "ok",
      where,
    };
  });
}

function render(rows, threshold) {
  const pct = (x) => (x === null ? "–" : `${x >= 0 ? "+" : ""}${Math.round(x * 100)} %`);
  const fx = (x) => (x === null ? "–" : `${x.toFixed(2)}×`);
  const head = ["ratio (lower is better)", "baseline", "now", "change", "", "phases that grew"];
  const body = rows.map((r) => [
    r.name,
    fx(r.base),
    fx(r.now),
    pct(r.change),
    r.verdict === "regressed" ? `**REGRESSED** (> +${Math.round(threshold * 100)} %)` : r.verdict,
    r.where ?? "",
  ]);
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...body.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function parseArgs(argv) {
  const o = { threshold: 0.25, attempts: 2, build: true, update: false, note: undefined, results: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--update") o.update = true;
    else if (a === "--no-build") o.build = false;
    else if (a === "--note") o.note = value();
    else if (a === "--results") o.results = value();
    else if (a === "--threshold") o.threshold = Number(value());
    else if (a === "--attempts") o.attempts = Math.max(1, Number(value()));
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.threshold >= 0)) throw new Error("--threshold takes a number, e.g. 0.25");
  return o;
}

function runQuickBench() {
  const r = spawnSync(process.execPath, [join(ROOT, "bench/main.mjs"), "--quick"], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`the quick bench failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(readFileSync(reportFiles(process.env.BENCH_OUT ?? join(ROOT, "bench"), true)[0], "utf8"));
}

function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`gate: ${err.message}\n`);
    process.exit(2);
  }
  if (o.build && !o.results && !process.env.BENCH_CLI) {
    const b = spawnSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: "inherit", cwd: ROOT });
    if (b.status !== 0) process.exit(b.status ?? 1);
  }
  const load = () => (o.results ? JSON.parse(readFileSync(o.results, "utf8")) : runQuickBench());

  if (o.update) {
    const results = load();
    const baseline = {
      meta: {
        note: o.note ?? "",
        date: results.meta.date,
        statistic: "ratios of the fastest repetitions (min) of one `node bench/main.mjs --quick`",
        node: results.meta.node,
        cores: results.meta.cores,
        cpu: results.meta.cpu,
        os: results.meta.os,
        dotopsCommit: results.meta.dotopsCommit,
        peers: Object.fromEntries(
          Object.entries(results.peers).map(([k, p]) => [
            k,
            p.available ? p.version : `skipped: ${p.reason}`,
          ]),
        ),
        loadavgAtStart: results.meta.loadavgAtStart,
        loadavgAtEnd: results.meta.loadavgAtEnd,
        durationS: results.meta.durationS,
      },
      ratios: ratiosOf(results),
      phases: phasesOf(results),
    };
    writeFileSync(BASELINE, `${JSON.stringify(baseline, null, 2)}\n`);
    const biome = join(ROOT, "node_modules/.bin/biome");
    if (existsSync(biome)) spawnSync(biome, ["format", "--write", BASELINE], { cwd: ROOT, stdio: "ignore" });
    process.stdout.write(`gate: wrote ${BASELINE} (${Object.keys(baseline.ratios).length} ratios)\n`);
    return;
  }

  if (!existsSync(BASELINE)) {
    process.stderr.write(`gate: no ${BASELINE}; make one with \`node bench/gate.mjs --update\`\n`);
    process.exit(2);
  }
  const baseline = JSON.parse(readFileSync(BASELINE, "utf8"));
  const best = {};
  let phases;
  let rows = [];
  const attempts = o.results ? 1 : o.attempts;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const results = load();
    if (attempt === 1 && results.meta.node.split(".")[0] !== baseline.meta.node.split(".")[0])
      process.stderr.write(
        `gate: warning: the baseline was made with Node ${baseline.meta.node}, this run uses ${results.meta.node}\n`,
      );
    for (const [k, v] of Object.entries(ratiosOf(results)))
      if (!best[k] || v.value < best[k].value) best[k] = v;
    phases = results.phases ? phasesOf(results) : phases;
    rows = compare(baseline, best, phases, o.threshold);
    const regressed = rows.filter((r) => r.verdict === "regressed");
    if (!regressed.length || attempt === attempts) break;
    process.stderr.write(
      `gate: ${regressed.length} ratio(s) regressed in run ${attempt} of ${attempts} (${regressed.map((r) => r.name).join("; ")}); running the quick bench again\n`,
    );
  }

  const regressed = rows.filter((r) => r.verdict === "regressed");
  const missing = rows.filter((r) => r.verdict === "not measured");
  const compared = rows.length - missing.length;
  const summary = regressed.length
    ? `${regressed.length} of ${compared} ratios regressed by more than ${Math.round(o.threshold * 100)} % against bench/baseline-quick.json (${baseline.meta.date})`
    : compared
      ? `all ${compared} ratios within ${Math.round(o.threshold * 100)} % of bench/baseline-quick.json (${baseline.meta.date})`
      : "no ratio could be measured (are stow and mise available?)";
  const text = [
    "## Bench regression gate",
    "",
    render(rows, o.threshold),
    "",
    `${summary}.${attempts > 1 ? ` Best of up to ${attempts} quick runs per ratio.` : ""}${missing.length ? ` Not measured here (a peer missing?): ${missing.map((r) => r.name).join("; ")}.` : ""}`,
    "",
  ].join("\n");
  process.stdout.write(`\n${text}`);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, text);
  process.exit(regressed.length || !compared ? 1 : 0);
}

if (process.argv[1]?.endsWith("gate.mjs")) main();
