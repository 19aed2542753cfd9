// Report: bench/results.json → bench/RESULTS.md. Ratios are dotops/peer on
// medians of the same run; the targets of issue 15 (and those of issue 6 it
// does not restate) are checked here, and each scenario's phases shown. When
// bench/results-before.json (a run before a src fix) exists, a before/after
// table is added; bench/notes.md (the analysis of misses) is appended as is.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PHASES } from "./phases.mjs";
import { FLOOR, ROOT } from "./runner.mjs";

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

const has = (s) => s && !s.skipped;
const x2 = (x) => `${x.toFixed(2)}×`;

/** Per-file cost of one measure at `n` files: µs per file, raw and above the CLI's start. */
function perFile(ms, n, startMs) {
  return { raw: (ms * 1000) / n, aboveStart: startMs === undefined ? null : ((ms - startMs) * 1000) / n };
}

/** The measures issue 15 wants linear in the number of files: [label, stats at n]. */
const LINEAR = [
  ["first apply", (r, n) => r.firstApply[n]?.dotops],
  ["no-op apply", (r, n) => r.noop[n]?.["dotops apply"]],
  ["plan, empty HOME", (r, n) => r.plan?.[n]?.nothingApplied],
  ["plan, at the applied commit", (r, n) => r.plan?.[n]?.upToDate],
];
const BIG = 20000;

/** Per-file cost at BIG vs at 1,000 files, for each measure both rows have. */
export function scaling(r) {
  const start = r.coldStart?.["dotops --version"]?.median;
  return LINEAR.flatMap(([label, get]) => {
    const [a, b] = [get(r, 1000), get(r, BIG)];
    if (!has(a) || !has(b)) return [];
    const [pa, pb] = [perFile(a.median, 1000, start), perFile(b.median, BIG, start)];
    return [
      {
        label,
        at1k: a.median,
        atBig: b.median,
        perFile1k: pa,
        perFileBig: pb,
        ratio: pb.raw / pa.raw,
        ratioAboveStart: pa.aboveStart && pb.aboveStart ? pb.aboveStart / pa.aboveStart : null,
      },
    ];
  });
}

/** Issue 15's targets; each only when this run measured what it needs (a quick run has no 5,000 or 20,000 rows). */
export function targets(r) {
  const out = [];
  const check = (name, value, limit, met, detail) => out.push({ name, value, limit, met, detail });
  for (const n of [1000, 5000]) {
    const g = r.firstApply[n];
    if (!has(g?.dotops) || !has(g?.stow)) continue;
    const x = g.dotops.median / g.stow.median;
    check(
      `first apply, ${n.toLocaleString("en")} files`,
      `${x2(x)} stow`,
      "≤ 1.0× `stow --no-folding`",
      x <= 1.0,
      `dotops ${fmt(g.dotops.median)} vs stow ${fmt(g.stow.median)}`,
    );
  }
  const noop = r.noop[1000];
  const [np, nps] = noop ? fastest(noop, ["stow -R", "mise dotfiles apply", "mise dotfiles status"]) : [];
  const floor = noop?.[FLOOR];
  for (const k of ["dotops apply", "dotops status"]) {
    if (!has(noop?.[k])) continue;
    const label = k === "dotops apply" ? "no-op apply" : "`dotops status`";
    if (nps) {
      const x = noop[k].median / nps.median;
      check(
        `${label}, 1,000 files, vs peers`,
        `${x2(x)} ${np}`,
        "≤ 0.5× the fastest peer",
        x <= 0.5,
        `${fmt(noop[k].median)} vs ${np} ${fmt(nps.median)}`,
      );
    }
    if (has(floor)) {
      const x = noop[k].median / floor.median;
      check(
        `${label}, 1,000 files, vs the floor`,
        `${x2(x)} floor`,
        "≤ 3× `node` + an lstat of every managed path",
        x <= 3,
        `${fmt(noop[k].median)} vs ${fmt(floor.median)} (bench/floor.mjs: a Node process that lstat's each linked file and each directory above it)`,
      );
    }
  }
  for (const n of [1000, 5000]) {
    const first = r.firstApply[n]?.dotops;
    if (!has(first)) continue;
    const rows = [
      ["one-file change", r.oneFileChange[n], 0.3],
      ["revert → apply", r.revertRollback[n]?.revertApply, 0.2],
      ["`dotops rollback`", r.revertRollback[n]?.rollback, 0.2],
    ];
    for (const [label, s, limit] of rows) {
      if (!has(s)) continue;
      const x = s.median / first.median;
      check(
        `${label}, ${n.toLocaleString("en")} files`,
        `${x2(x)} first apply`,
        `≤ ${limit}× dotops' own first apply`,
        x <= limit,
        `${fmt(s.median)} vs ${fmt(first.median)}`,
      );
    }
  }
  for (const s of scaling(r))
    check(
      `${s.label}, ${BIG.toLocaleString("en")} files`,
      `${x2(s.ratio)} per file at 1,000`,
      "linear: per-file cost ≤ 1.2× that at 1,000",
      s.ratio <= 1.2,
      `${fmt(s.atBig)} vs ${fmt(s.at1k)}: ${s.perFileBig.raw.toFixed(0)} vs ${s.perFile1k.raw.toFixed(0)} µs/file${s.ratioAboveStart === null ? "" : `; above the CLI's start (\`dotops --version\`) ${s.perFileBig.aboveStart.toFixed(0)} vs ${s.perFile1k.aboveStart.toFixed(0)} µs/file = ${x2(s.ratioAboveStart)}`}`,
    );
  const rss = r.peakRss?.[BIG];
  if (rss)
    check(
      `peak RSS of apply, ${BIG.toLocaleString("en")} files`,
      `${rss.maxRssMiB} MiB`,
      "≤ 150 MB",
      rss.maxRssKiB * 1024 <= 150e6,
      `max RSS of the dotops process (getrusage, bench/rss-preload.mjs) in a first apply of its own${r.peakRss[1000] ? `; ${r.peakRss[1000].maxRssMiB} MiB at 1,000 files` : ""}`,
    );
  if (r.check)
    check(
      `\`check\` of config-examples/${r.check.example}`,
      fmt(r.check.median),
      "≤ 150 ms",
      r.check.median <= 150,
      `in a repository of its own, the committed config; node -e 0 alone: ${fmt(r.coldStart?.["node -e 0 (floor)"]?.median)}`,
    );
  return out;
}

/** Issue 6's targets that issue 15 does not restate, still checked when the run measured them. */
export function earlierTargets(r) {
  const out = [];
  const check = (name, value, limit, met, detail) => out.push({ name, value, limit, met, detail });
  for (const [k, label] of [
    ["nothingApplied", "into an empty HOME"],
    ["upToDate", "at the applied commit"],
  ]) {
    const ms = r.plan?.[5000]?.[k]?.median;
    if (ms !== undefined) check(`plan of 5,000 files (${label})`, fmt(ms), "< 1 s", ms < 1000, "");
  }
  const v = r.coldStart?.["dotops --version"]?.median;
  if (v !== undefined)
    check(
      "`dotops --version`",
      fmt(v),
      "< 150 ms",
      v < 150,
      `node -e 0 alone: ${fmt(r.coldStart["node -e 0 (floor)"].median)}`,
    );
  const a = r.agentIdle;
  if (a) {
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
  }
  const g = r.generations;
  if (g) {
    const gx = g.many.median / g.few.median;
    check(
      "apply vs number of generations",
      `${gx.toFixed(2)}× (${g.manyPrior} vs ${g.fewPrior})`,
      "independent (≤ 1.2×)",
      gx <= 1.2,
      `one-file change: ${fmt(g.few.median)} with ${g.fewPrior} prior, ${fmt(g.many.median)} with ${g.manyPrior}`,
    );
  }
  return out;
}

const targetTable = (rows) =>
  table(
    ["target", "measured", "goal", "", "detail"],
    rows.map((t) => [t.name, t.value, t.limit, t.met ? "met" : "**missed**", t.detail]),
  );

/** Where each scenario's time went, per phase as dotops records it (bench/phases.mjs). */
function phaseSection(r) {
  if (!r.phases) return [];
  const all = Object.values(r.phases).flatMap((g) => Object.values(g).filter((s) => s.phases));
  const keys = PHASES.filter((k) => all.some((s) => k in s.phases));
  for (const s of all) for (const k of Object.keys(s.phases)) if (!keys.includes(k)) keys.push(k);
  const rows = [];
  const missing = [];
  for (const [scenario, bySize] of Object.entries(r.phases))
    for (const [n, s] of Object.entries(bySize)) {
      if (s.notRecorded) {
        if (!missing.includes(scenario)) missing.push(scenario);
        continue;
      }
      rows.push([
        scenario,
        n,
        ...keys.map((k) => (k in s.phases ? fmt(s.phases[k]) : "–")),
        fmt(s.outside),
        fmt(s.wall),
      ]);
    }
  const firstApplies = Object.values(r.phases["first apply"] ?? {});
  const noApply = firstApplies.length && firstApplies.every((s) => s.phases && !("apply" in s.phases));
  return [
    "## Phases",
    "",
    "Medians per phase as dotops records them (src/engine/timer.ts), read after the timed run so that recording costs it nothing: from the meta.json of the generation each timed apply made; for the no-op, which makes no generation, from separate untimed `dotops --json apply` runs. `record` runs inside `apply` (not added twice). *Outside phases* is the wall time no phase covers: Node start and module loading, the lock and the list of generations, printing, exit. Medians of the parts do not add up exactly to the median wall time.",
    "",
    table(["scenario", "files", ...keys, "outside phases", "wall"], rows),
    "",
    ...(noApply
      ? [
          "This build writes a generation's meta.json inside the `record` phase, before `apply` (the switch of HOME) and `record` end, so its `phases` stop at `build`: the time of `apply` is in *outside phases* for the first apply, one-file change and revert rows. `dotops --json apply` prints every phase.",
          "",
        ]
      : []),
    `Not recorded: ${[...missing, "`dotops plan`", "`dotops status`"].join(", ")} (dotops times no phases for them).`,
    "",
  ];
}

function scalingSection(r) {
  const rows = scaling(r);
  if (!rows.length) return [];
  const start = r.coldStart?.["dotops --version"]?.median;
  return [
    `## ${BIG.toLocaleString("en")} files: per-file cost vs 1,000`,
    "",
    `Median time divided by the number of files. *Above start* first subtracts the CLI's fixed start (\`dotops --version\`, ${fmt(start)}), which otherwise makes the smaller tree look dearer per file.`,
    "",
    table(
      [
        "measure",
        "1,000 files",
        `${BIG.toLocaleString("en")} files`,
        "µs/file at 1,000",
        `µs/file at ${BIG.toLocaleString("en")}`,
        "ratio",
        "ratio above start",
      ],
      rows.map((s) => [
        s.label,
        fmt(s.at1k),
        fmt(s.atBig),
        s.perFile1k.raw.toFixed(0),
        s.perFileBig.raw.toFixed(0),
        x2(s.ratio),
        s.ratioAboveStart === null ? "–" : x2(s.ratioAboveStart),
      ]),
    ),
    "",
    ...(r.peakRss && Object.keys(r.peakRss).length
      ? [
          `Peak RSS of the dotops process in a first apply (an untimed run of its own, \`node --import bench/rss-preload.mjs\`): ${Object.values(
            r.peakRss,
          )
            .map((p) => `${p.maxRssMiB} MiB at ${p.files.toLocaleString("en")} files`)
            .join(", ")}.`,
          "",
        ]
      : []),
  ];
}

/** Said when the machine itself ran at another speed: Node's own start is the yardstick. */
function speedNote(b, r) {
  const floor = (s) => s.coldStart?.["node -e 0 (floor)"]?.median;
  const [x, y] = [floor(b), floor(r)];
  if (!x || !y || Math.abs(y / x - 1) < 0.25) return "";
  return ` **The machine was not the same speed on both days: \`node -e 0\` took ${fmt(x)} then and ${fmt(y)} in this run (${(y / x).toFixed(1)}×), so rows dominated by start-up (the CLI's start, small trees, the agent's per-poll processes) compare the days, not the code.** The ratios within each run (the tables above) are what the targets use.`;
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
    `Before: the same bench (same machine, ${b.meta.date.slice(0, 16).replace("T", " ")} UTC) run with \`BENCH_CLI\` pointing at a build of the same src with the fixes below reverted (\`bench/results-before.json\`); after: this run. Medians; both runs are noisy at ±20 % on this shared machine.${speedNote(b, r)}`,
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
  // (Results before issue 15 marked a skipped mise as one "mise" entry.)
  const noopKeys = [...new Set(Object.values(r.noop).flatMap((g) => Object.keys(g)))].filter(
    (k) => k !== "mise",
  );
  const earlier = earlierTargets(r);
  const lines = [
    "# dotops benchmarks",
    "",
    m.quick
      ? `Generated by \`npm run bench -- --quick\` (bench/main.mjs) on ${m.date} — **quick mode: 100 and 1,000 files, 2 repetitions, for development and bench/gate.mjs; not for comparison with the full run**.`
      : `Generated by \`npm run bench\` (bench/main.mjs) on ${m.date}.`,
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
    "## Targets (issue 15)",
    "",
    targetTable(targets(r)),
    "",
    ...(earlier.length ? ["## Earlier targets (issue 6)", "", targetTable(earlier), ""] : []),
    ...phaseSection(r),
    ...scalingSection(r),
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
    `The issue's peers are \`stow -R\`, \`mise dotfiles apply\` and \`mise dotfiles status\`${noopKeys.includes("stow -S (again)") ? "; `stow -S (again)` is shown for reference" : ""}. *${FLOOR}* is bench/floor.mjs: a Node process that lstat's each linked file and each directory above it, the least a drift check can do.`,
    "",
    table(
      ["files", ...noopKeys, "dotops apply / fastest peer"],
      Object.entries(r.noop).map(([n, g]) => {
        const [p, ps] = fastest(g, ["stow -R", "mise dotfiles apply", "mise dotfiles status"]);
        return [n, ...noopKeys.map((k) => cell(g[k])), ps ? `${ratio(g["dotops apply"], ps)} (${p})` : "–"];
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
        "one-file / first apply",
        "rollback / first apply",
      ],
      Object.keys(r.oneFileChange).map((n) => [
        n,
        cell(r.oneFileChange[n]),
        cell(r.revertRollback[n].revertApply),
        cell(r.revertRollback[n].rollback),
        cell(r.firstApply[n].dotops),
        ratio(r.oneFileChange[n], r.firstApply[n].dotops),
        ratio(r.revertRollback[n].rollback, r.firstApply[n].dotops),
      ]),
    ),
    "",
    "## 5–6. Plan, cold start, check",
    "",
    table(
      ["command", "time"],
      [
        ...Object.entries(r.plan).flatMap(([n, p]) => [
          [`\`dotops plan\`, ${Number(n).toLocaleString("en")} files, empty HOME`, cell(p.nothingApplied)],
          [`\`dotops plan\`, ${Number(n).toLocaleString("en")} files, up to date`, cell(p.upToDate)],
        ]),
        ...Object.entries(r.coldStart).map(([k, s]) => [`\`${k}\``, cell(s)]),
        ...(r.check ? [[`\`dotops check\` of config-examples/${r.check.example}`, cell(r.check)]] : []),
      ],
    ),
    "",
    ...(r.generations ? generationsSection(r) : []),
    ...(r.agentIdle ? agentSection(r) : []),
    ...(r.fleet ? fleetSection(r) : []),
    ...(r.rollout ? rolloutSection(r.rollout) : []),
    ...(Object.values(r.firstApply).some((g) => g.mise?.skipped)
      ? [
          "¹ mise's first apply grows quadratically with the number of `[dotfiles]` entries; it is left out at 5,000 files and more to keep the run short (BENCH_MISE_5000=1 includes it at 5,000).",
          "",
        ]
      : []),
    ...(m.quick ? [] : beforeAfter(r)),
  ];
  const notes = join(ROOT, "bench/notes.md");
  if (!m.quick && existsSync(notes)) lines.push(readFileSync(notes, "utf8").trim(), "");
  return `${lines.join("\n")}\n`;
}

const generationsSection = (r) => [
  "## Generations: apply with few vs 200 prior generations",
  "",
  `One-file change on the 1,000-file tree with ${r.generations.fewPrior} prior generation(s): ${cell(r.generations.few)}; with ${r.generations.manyPrior}: ${cell(r.generations.many)}. The extra generations are copies of a real one (meta.json renumbered, manifest.json, plan.json, home tree shared by a symlink): apply reads only the generation list, each meta.json and the current manifest, so they cost apply what real ones would.`,
  "",
];

function agentSection(r) {
  const a = r.agentIdle;
  return [
    "## 7. Agent idle",
    "",
    table(
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
    ),
    "",
  ];
}

function fleetSection(r) {
  const f = r.fleet.real;
  return [
    "## 8. Fleet",
    "",
    `Calls per agent with \`agent.github\` (src/agent/reconcile.ts, src/report/github.ts): an idle poll makes none (one \`git ls-remote\`; it fetches only when the tip moved); an applied, failed or refused commit makes 1 (its final commit status), 2 with \`pending: true\`, 3 with \`deployments: true\`. Git is not the REST API. Model: each agent sleeps agent.interval ±10 % (uniform, as src/agent/loop.ts), applies only the newest commit; poll and apply durations from this run. One token, or one GitHub App installation, shared by the whole fleet: ${(r.fleet.model.installationLimitPerHour ?? r.fleet.model.tokenLimitPerHour).toLocaleString("en")} calls/hour (an installation gets 5,000/h, plus 50/h per user and per repository on an organisation with more than 20 of them, at most 12,500/h: ${(r.fleet.model.installationLimitPerHourLargeOrg ?? 12_500).toLocaleString("en")} for 100 users and 100 repositories). The JWT calls that buy an installation token count against the App's own limit.`,
    "",
    table(
      [
        "agents",
        "interval",
        "idle polls/h",
        "API calls/h at 1 / 4 / 10 / 60 commits/h",
        "with pending / deployments, 4 commits/h",
        "max commits/h on one token or installation",
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
        `${x.apiCallsPerHourWithPending?.[4]?.toLocaleString("en") ?? "–"} / ${x.apiCallsPerHourWithDeployments[4]?.toLocaleString("en") ?? "–"}`,
        x.maxCommitsPerHourSharedToken,
        x.worstCaseCallsPerHour.toLocaleString("en"),
        `${x.propagation.allHostsMedianS} / ${x.propagation.allHostsP95S} / ${x.propagation.allHostsMaxS} s`,
      ]),
    ),
    "",
    `Real run: ${f.agents} agent processes (${f.files}-file tree, \`--interval ${f.interval}\`) on one bare remote, reporting to a loopback fake of the GitHub API. ${f.apiCalls.total} API calls for ${f.apiCalls.appliedCommits} applied commits = **${f.apiCalls.perAppliedCommitPerHost} per host per commit**; **${f.apiCalls.duringIdlePolls} calls** during ${f.apiCalls.idleSeconds} s of idle polling. A pushed commit reached all ${f.agents} hosts in ${cell(f.commitToAllHostsMs)} (each host: ${cell(f.commitToEachHostMs)}); the model predicts at most interval × 1.1 + poll + apply.`,
    "",
  ];
}

function rolloutSection(m) {
  return [
    "## 9. Staged rollout: a commit to every host in three waves",
    "",
    `Model (bench/fleet.mjs \`rolloutModel\`, the rule of src/rollout/gate.ts): waves of ${m.waves.join(", ")} hosts (\`rollout: { waves, bake }\`, minSuccess all), a push at a random moment of each agent's poll cycle, poll ${m.pollMs} ms and apply ${m.applyMs} ms from this run. A host of wave N applies at its first poll at which the earlier waves have reported success and wave N-1 has been green for the bake. While it waits it reads the commit's statuses once a poll (one call per 100 hosts), except until a bake whose end it knows. The bound is waves × (interval × 1.1 + poll + apply) + (waves − 1) × bake.`,
    "",
    table(
      ["interval", "bake", "commit → all hosts: median / p95", "bound", "status reads / posts per commit"],
      m.rows.map((x) => [
        `${x.intervalS} s`,
        `${x.bakeS / 60} min`,
        `${x.allHostsMedianS} / ${x.allHostsP95S} s`,
        `${x.boundS} s`,
        `${x.statusReadsPerCommit} / ${x.statusPostsPerCommit}`,
      ]),
    ),
    "",
  ];
}

/** The two files a run writes: results.json and RESULTS.md, or their -quick twins. */
export const reportFiles = (dir, quick) =>
  quick
    ? [join(dir, "results-quick.json"), join(dir, "RESULTS-quick.md")]
    : [join(dir, "results.json"), join(dir, "RESULTS.md")];

/**
 * Writes results.json and RESULTS.md into `dir` (results-quick.json and
 * RESULTS-quick.md for a quick run, so that it never replaces the full
 * results), formatted by the project's formatter (biome pads markdown tables)
 * so that they are commit-ready.
 */
export function writeReport(dir, results) {
  const files = reportFiles(dir, results.meta.quick);
  writeFileSync(files[0], `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files[1], renderMarkdown(results));
  const biome = join(ROOT, "node_modules/.bin/biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", ...files], { cwd: ROOT, stdio: "ignore" });
  return files;
}

// `node bench/report.mjs [--quick]` re-renders RESULTS.md from results.json (after editing
// notes.md), or RESULTS-quick.md from results-quick.json.
if (process.argv[1]?.endsWith("report.mjs")) {
  const dir = join(ROOT, "bench");
  writeReport(dir, JSON.parse(readFileSync(reportFiles(dir, process.argv.includes("--quick"))[0], "utf8")));
}
