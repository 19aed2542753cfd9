// Report: bench/results.json → bench/RESULTS.md. Ratios are dotops/peer on
// medians of the same run; the targets of issue 6 are checked here. When
// bench/results-before.json (a run before a src fix) exists, a before/after
// table is added; bench/notes.md (the analysis of misses) is appended as is.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./runner.mjs";

const fmt = (ms) =>
  ms === undefined || ms === null ? "–" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
const cell = (s) => (!s ? "–" : s.skipped ? "skipped¹" : `${fmt(s.median)} (min ${fmt(s.min)})`);
const ratio = (a, b) => (a && b && !a.skipped && !b.skipped ? `${(a.median / b.median).toFixed(2)}×` : "–");
const table = (head, rows) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

/** The fastest available peer's stats among `names` of `group`. */
function fastest(group, names) {
  const peers = names.map((n) => [n, group[n]]).filter(([, s]) => s && !s.skipped);
  return peers.sort((a, b) => a[1].median - b[1].median)[0] ?? [null, null];
}

export function targets(r) {
  const out = [];
  const check = (name, value, limit, met, detail) => out.push({ name, value, limit, met, detail });
  const [fp, fps] = fastest(r.firstApply[1000], ["stow", "mise"]);
  if (fps) {
    const x = r.firstApply[1000].dotops.median / fps.median;
    check(
      "first apply, 1,000 files",
      `${x.toFixed(2)}× ${fp}`,
      "≤ 1.0× fastest peer",
      x <= 1.0,
      `dotops ${fmt(r.firstApply[1000].dotops.median)} vs ${fp} ${fmt(fps.median)}`,
    );
  }
  const [np, nps] = fastest(r.noop[1000], ["stow -R", "mise dotfiles apply", "mise dotfiles status"]);
  if (nps) {
    const x = r.noop[1000]["dotops apply"].median / nps.median;
    check(
      "no-op reconcile, 1,000 files",
      `${x.toFixed(2)}× ${np}`,
      "≤ 0.5× fastest peer",
      x <= 0.5,
      `dotops apply ${fmt(r.noop[1000]["dotops apply"].median)} vs ${np} ${fmt(nps.median)}`,
    );
  }
  const first = r.firstApply[1000].dotops.median;
  for (const [k, label] of [
    ["rollback", "`dotops rollback`"],
    ["revertApply", "revert commit → apply"],
  ]) {
    const x = r.revertRollback[1000][k].median / first;
    check(
      `rollback of 1,000 linked files (${label})`,
      `${x.toFixed(2)}× first apply`,
      "≤ 0.2× dotops' first apply",
      x <= 0.2,
      `${fmt(r.revertRollback[1000][k].median)} vs ${fmt(first)}`,
    );
  }
  for (const [k, label] of [
    ["nothingApplied", "into an empty HOME"],
    ["upToDate", "at the applied commit"],
  ]) {
    const ms = r.plan[5000][k].median;
    check(`plan of 5,000 files (${label})`, fmt(ms), "< 1 s", ms < 1000, "");
  }
  const v = r.coldStart["dotops --version"].median;
  check(
    "`dotops --version`",
    fmt(v),
    "< 150 ms",
    v < 150,
    `node -e 0 alone: ${fmt(r.coldStart["node -e 0 (floor)"].median)}`,
  );
  const a = r.agentIdle;
  check(
    "agent idle RSS",
    `${a.rssMiB.max} MiB`,
    "≤ 60 MB",
    a.rssMiB.max * 1.048576 <= 60,
    `max VmRSS of the agent process over ${a.seconds} s (its peak VmHWM ${a.peakRssMiB} MiB; reconciles run in processes of their own)`,
  );
  check(
    "agent CPU between polls",
    `${a.betweenPolls.cpuPercent} %`,
    "~0 (≤ 0.1 % of a core)",
    a.betweenPolls.cpuPercent <= 0.1,
    `${a.betweenPolls.cpuSeconds} s CPU in ${a.betweenPolls.seconds} s away from polls; ${a.polls} polls took ${a.cpuSeconds.agent} s (agent) + ${a.cpuSeconds.gitChildren} s (its reconcile processes and git)`,
  );
  const g = r.generations;
  const gx = g.many.median / g.few.median;
  check(
    "apply vs number of generations",
    `${gx.toFixed(2)}× (${g.manyPrior} vs ${g.fewPrior})`,
    "independent (≤ 1.2×)",
    gx <= 1.2,
    `one-file change: ${fmt(g.few.median)} with ${g.fewPrior} prior, ${fmt(g.many.median)} with ${g.manyPrior}`,
  );
  return out;
}

function beforeAfter(r) {
  const path = join(ROOT, "bench/results-before.json");
  if (!existsSync(path)) return [];
  const b = JSON.parse(readFileSync(path, "utf8"));
  const rows = [];
  const add = (label, get) => {
    try {
      const [x, y] = [get(b), get(r)];
      if (x && y) rows.push([label, fmt(x.median), fmt(y.median), `${(y.median / x.median).toFixed(2)}×`]);
    } catch {}
  };
  for (const n of [100, 1000, 5000]) add(`first apply, ${n} files`, (s) => s.firstApply[n].dotops);
  for (const n of [100, 1000, 5000]) add(`no-op apply, ${n} files`, (s) => s.noop[n]["dotops apply"]);
  for (const n of [1000, 5000]) add(`one-file change, ${n} files`, (s) => s.oneFileChange[n]);
  for (const n of [1000, 5000]) add(`revert → apply, ${n} files`, (s) => s.revertRollback[n].revertApply);
  for (const n of [1000, 5000]) add(`\`dotops rollback\`, ${n} files`, (s) => s.revertRollback[n].rollback);
  add("plan of 5,000 (empty HOME)", (s) => s.plan[5000].nothingApplied);
  add("`dotops --version`", (s) => s.coldStart["dotops --version"]);
  add("`dotops status` (nothing applied)", (s) => s.coldStart["dotops status (nothing applied)"]);
  add("`dotops status` (1,000 files applied)", (s) => s.coldStart["dotops status (1000 files applied)"]);
  add("one-file change, 1,000 files, 200 prior generations", (s) => s.generations.many);
  const perPoll = (s) => ({
    median: ((s.agentIdle.cpuSeconds.agent + s.agentIdle.cpuSeconds.gitChildren) * 1000) / s.agentIdle.polls,
  });
  add("agent CPU per idle poll (agent + children), 1,000 files", perPoll);
  try {
    const [x, y] = [b.agentIdle.rssMiB.max, r.agentIdle.rssMiB.max];
    rows.push(["agent idle VmRSS, max over the window", `${x} MiB`, `${y} MiB`, `${(y / x).toFixed(2)}×`]);
  } catch {}
  if (!rows.length) return [];
  return [
    "## Before / after the src fixes",
    "",
    `Before: the same bench (same machine, ${b.meta.date.slice(0, 16).replace("T", " ")} UTC) run with \`BENCH_CLI\` pointing at a build of the same src with the fixes below reverted (\`bench/results-before.json\`); after: this run. Medians; both runs are noisy at ±20 % on this shared machine.`,
    "",
    table(["measure", "before", "after", "after/before"], rows),
    "",
  ];
}

export function renderMarkdown(r) {
  const m = r.meta;
  const peers = Object.entries(r.peers).map(([k, p]) =>
    p.available ? `${k} ${p.version} (pinned ${p.pin})` : `${k}: skipped (${p.reason})`,
  );
  const lines = [
    "# dotops benchmarks",
    "",
    `Generated by \`npm run bench\` (bench/main.mjs) on ${m.date}${m.quick ? " — **quick mode: fewer repetitions, not for comparison**" : ""}.`,
    `Machine: ${m.cores} cores (${m.cpu}), ${m.os}, Node ${m.node}, ${m.git}. dotops ${m.dotops} at ${m.dotopsCommit} (plus uncommitted work tree).`,
    `Peers: ${peers.join("; ")}. Load average at start ${m.loadavgAtStart.join(" / ")}, at end ${m.loadavgAtEnd.join(" / ")} (a shared machine: ratios within one run are what to compare). Whole run: ${m.durationS} s.`,
    "",
    "Every number is the wall time of a real process (spawn to exit) in a sandbox HOME that already holds an unmanaged `~/.config`; median of the repetitions, with the minimum. Trees:",
    "",
    table(
      ["files", "bytes", "directories", "dotops `files:` entries"],
      r.trees.map((t) => [t.n, t.bytes.toLocaleString("en"), t.dirs, t.entries]),
    ),
    "",
    "## Targets (issue 6)",
    "",
    table(
      ["target", "measured", "goal", "", "detail"],
      targets(r).map((t) => [t.name, t.value, t.limit, t.met ? "met" : "**missed**", t.detail]),
    ),
    "",
    "## 1. First apply into a fresh HOME",
    "",
    table(
      ["files", "dotops", "stow --no-folding -S", "mise dotfiles apply", "dotops/stow", "dotops/mise"],
      Object.entries(r.firstApply).map(([n, g]) => [
        n,
        cell(g.dotops),
        cell(g.stow),
        cell(g.mise),
        ratio(g.dotops, g.stow),
        ratio(g.dotops, g.mise),
      ]),
    ),
    "",
    "## 2. No-op reconcile at the same commit",
    "",
    "`stow -S (again)` is shown for reference; the issue's peers are `stow -R`, `mise dotfiles apply` and `mise dotfiles status`.",
    "",
    table(
      ["files", ...Object.keys(r.noop[100]), "dotops apply / fastest peer"],
      Object.entries(r.noop).map(([n, g]) => {
        const [p, ps] = fastest(g, ["stow -R", "mise dotfiles apply", "mise dotfiles status"]);
        return [
          n,
          ...Object.keys(r.noop[100]).map((k) => cell(g[k])),
          ps ? `${ratio(g["dotops apply"], ps)} (${p})` : "–",
        ];
      }),
    ),
    "",
    "## 3–4. One-file change, revert → rollback",
    "",
    "A commit changing one file, applied. Then a commit changing every file is applied and reverted: the revert's apply is recognised as the earlier generation's content (no rebuild), and `dotops rollback` switches back to the previous generation (every link changes at once). Stow and mise link into the work tree, so they have no equivalent step.",
    "",
    table(
      [
        "files",
        "one-file change",
        "revert → apply",
        "`dotops rollback`",
        "first apply",
        "rollback / first apply",
      ],
      Object.keys(r.oneFileChange).map((n) => [
        n,
        cell(r.oneFileChange[n]),
        cell(r.revertRollback[n].revertApply),
        cell(r.revertRollback[n].rollback),
        cell(r.firstApply[n].dotops),
        ratio(r.revertRollback[n].rollback, r.firstApply[n].dotops),
      ]),
    ),
    "",
    "## 5–6. Plan and cold start",
    "",
    table(
      ["command", "time"],
      [
        ["`dotops plan`, 5,000 files, empty HOME", cell(r.plan[5000].nothingApplied)],
        ["`dotops plan`, 5,000 files, up to date", cell(r.plan[5000].upToDate)],
        ...Object.entries(r.coldStart).map(([k, s]) => [`\`${k}\``, cell(s)]),
      ],
    ),
    "",
    "## Generations: apply with few vs 200 prior generations",
    "",
    `One-file change on the 1,000-file tree with ${r.generations.fewPrior} prior generation(s): ${cell(r.generations.few)}; with ${r.generations.manyPrior}: ${cell(r.generations.many)}. The extra generations are copies of a real one (meta.json renumbered, manifest.json, plan.json, home tree shared by a symlink): apply reads only the generation list, each meta.json and the current manifest, so they cost apply what real ones would.`,
    "",
    "## 7. Agent idle",
    "",
    (() => {
      const a = r.agentIdle;
      return table(
        [
          "files",
          "poll interval",
          "window",
          "polls",
          "VmRSS min/max",
          "CPU agent + children",
          "CPU avg",
          "CPU between polls",
          "one poll (`agent --once`)",
        ],
        [
          [
            a.files,
            a.interval,
            `${a.seconds} s`,
            a.polls,
            `${a.rssMiB.min} / ${a.rssMiB.max} MiB`,
            `${a.cpuSeconds.agent} + ${a.cpuSeconds.gitChildren} s`,
            `${a.cpuPercent} %`,
            `${a.betweenPolls.cpuPercent} % (${a.betweenPolls.cpuSeconds} s in ${a.betweenPolls.seconds} s)`,
            cell(a.oncePollMs),
          ],
        ],
      );
    })(),
    "",
    "## 8. Fleet",
    "",
    "Calls per agent with `agent.github` (src/agent/reconcile.ts): an idle poll makes none; an applied commit makes 2 commit-status calls (`pending`, then `success`/`failure`), 5 with `deployments: true`; a refused commit 1. Git fetches are not REST API calls. Model: each agent sleeps agent.interval ±10 % (uniform, as src/agent/loop.ts), applies only the newest commit; poll and apply durations from this run. One token shared by the whole fleet, limit 5,000/hour.",
    "",
    table(
      [
        "agents",
        "interval",
        "idle polls/h",
        "API calls/h at 1 / 10 / 60 / 600 commits/h",
        "with deployments, 10 commits/h",
        "max commits/h on one token",
        "worst case calls/h",
        "commit → all hosts: median / p95 / max",
      ],
      r.fleet.model.rows.map((x) => [
        x.agents,
        `${x.intervalS} s`,
        x.idlePollsPerHour.toLocaleString("en"),
        Object.values(x.apiCallsPerHour)
          .map((c) => c.toLocaleString("en"))
          .join(" / "),
        x.apiCallsPerHourWithDeployments[10].toLocaleString("en"),
        x.maxCommitsPerHourSharedToken,
        x.worstCaseCallsPerHour.toLocaleString("en"),
        `${x.propagation.allHostsMedianS} / ${x.propagation.allHostsP95S} / ${x.propagation.allHostsMaxS} s`,
      ]),
    ),
    "",
    (() => {
      const f = r.fleet.real;
      return `Real run: ${f.agents} agent processes (${f.files}-file tree, \`--interval ${f.interval}\`) on one bare remote, reporting to a loopback fake of the GitHub API. ${f.apiCalls.total} API calls for ${f.apiCalls.appliedCommits} applied commits = **${f.apiCalls.perAppliedCommitPerHost} per host per commit**; **${f.apiCalls.duringIdlePolls} calls** during ${f.apiCalls.idleSeconds} s of idle polling. A pushed commit reached all ${f.agents} hosts in ${cell(f.commitToAllHostsMs)} (each host: ${cell(f.commitToEachHostMs)}); the model predicts at most interval × 1.1 + poll + apply.`;
    })(),
    "",
    "¹ mise's first apply grows quadratically with the number of `[dotfiles]` entries; it is left out at 5,000 files to keep the run under 10 minutes (BENCH_MISE_5000=1 includes it).",
    "",
    ...beforeAfter(r),
  ];
  const notes = join(ROOT, "bench/notes.md");
  if (existsSync(notes)) lines.push(readFileSync(notes, "utf8").trim(), "");
  return `${lines.join("\n")}\n`;
}

/**
 * Writes results.json and RESULTS.md into `dir`, formatted by the project's
 * formatter (biome pads markdown tables) so that they are commit-ready.
 */
export function writeReport(dir, results) {
  const files = [join(dir, "results.json"), join(dir, "RESULTS.md")];
  writeFileSync(files[0], `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files[1], renderMarkdown(results));
  const biome = join(ROOT, "node_modules/.bin/biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", ...files], { cwd: ROOT, stdio: "ignore" });
  return files;
}

// `node bench/report.mjs` re-renders RESULTS.md from results.json (after editing notes.md).
if (process.argv[1]?.endsWith("report.mjs")) {
  const dir = join(ROOT, "bench");
  writeReport(dir, JSON.parse(readFileSync(join(dir, "results.json"), "utf8")));
}
