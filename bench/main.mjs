#!/usr/bin/env node
// `npm run bench`: builds dotops (the npm script does), installs the peers,
// generates the trees and runs every scenario in one go, then writes
// bench/results.json and bench/RESULTS.md.
//
//   --quick (or BENCH_QUICK=1)  the run to use while developing (under a minute on 2 quiet cores):
//                          100 and 1,000 files, 2 repetitions, no 5,000/20,000-file rows, no
//                          agent idle window, fleet or 200-generations check; writes
//                          bench/results-quick.json and bench/RESULTS-quick.md (never the full
//                          results); bench/gate.mjs compares it with bench/baseline-quick.json
//   BENCH_AGENT_SECONDS=N  length of the agent idle window (default 60)
//   BENCH_MISE_5000=1      also run mise on the 5,000-file tree (its first apply takes minutes)
//   BENCH_CLI=path         measure another dotops build (main.js); BENCH_OUT=dir writes the results there
//   BENCH_KEEP=1           keep the sandboxes (bench/work/run) for inspection
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { join } from "node:path";
import { fleetModel, fleetReal, rolloutModel } from "./fleet.mjs";
import { setupPeers } from "./peers.mjs";
import { notRecorded, summarisePhases } from "./phases.mjs";
import { writeReport } from "./report.mjs";
import { CLI, cleanRun, log, ROOT, RUN } from "./runner.mjs";
import {
  agentIdle,
  checkTime,
  coldStart,
  firstApplyAndNoop,
  generationsScaling,
  oneFileChange,
  peakRss,
  planTime,
  revertRollback,
} from "./scenarios.mjs";
import { generateRepo } from "./tree.mjs";

const args = process.argv.slice(2);
for (const a of args)
  if (a !== "--quick") {
    process.stderr.write(`bench: unknown argument ${a}\nusage: node bench/main.mjs [--quick]\n`);
    process.exit(2);
  }
const quick = args.includes("--quick") || process.env.BENCH_QUICK === "1";

// Repetitions per tree size: first apply, no-op, one-file change, revert → rollback
// (0: not run at that size), mise's first apply, untimed `--json` no-op runs for phases.
const MODE = quick
  ? {
      sizes: [100, 1000],
      reps: {
        100: { first: 2, noop: 2, one: 1, revert: 1, mise: 1, noopPhases: 1 },
        1000: { first: 2, noop: 2, one: 2, revert: 2, mise: 1, noopPhases: 1 },
      },
      plan: { 1000: 2 },
      rss: [],
      cold: 3,
      check: 3,
      gens: 0,
      stowAgain: false,
    }
  : {
      sizes: [100, 1000, 5000, 20000],
      reps: {
        100: { first: 5, noop: 5, one: 5, revert: 3, noopPhases: 2 },
        1000: { first: 3, noop: 5, one: 5, revert: 3, noopPhases: 2 },
        5000: { first: 3, noop: 3, one: 3, revert: 2, noopPhases: 2 },
        20000: { first: 2, noop: 3, one: 0, revert: 0, noopPhases: 2 },
      },
      plan: { 1000: 3, 5000: 3, 20000: 2 },
      rss: [1000, 20000],
      cold: 10,
      check: 10,
      gens: 3,
      stowAgain: true,
    };
const AGENT_SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 60);
const MISE_5000 = process.env.BENCH_MISE_5000 === "1";

const started = Date.now();
const results = {
  meta: {
    date: new Date().toISOString(),
    quick,
    node: process.version,
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    os: `${process.platform} ${release()}`,
    git: execFileSync("git", ["--version"], { encoding: "utf8" }).trim(),
    dotops: JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version,
    dotopsCommit: execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim(),
    cli: CLI,
    loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    ...(quick ? {} : { agentIdleSeconds: AGENT_SECONDS }),
    reps: MODE.reps,
  },
};

results.peers = setupPeers();
cleanRun();
const trees = {};
for (const n of MODE.sizes) {
  log(`generating a ${n}-file tree`);
  trees[n] = generateRepo(join(RUN, `tree-${n}`), n);
}
results.trees = MODE.sizes.map((n) => {
  const { paths: _paths, dir: _dir, ...t } = trees[n];
  return t;
});

results.firstApply = {};
results.noop = {};
results.oneFileChange = {};
results.revertRollback = {};
results.phases = {
  "first apply": {},
  "no-op apply": {},
  "one-file change": {},
  "revert → apply": {},
  "`dotops rollback`": {},
};
const homes = {};
for (const n of MODE.sizes) {
  const reps = MODE.reps[n];
  const skipMise = n >= 5000 && !(n === 5000 && MISE_5000);
  log(
    `${n} files: first apply ×${reps.first} and no-op ×${reps.noop} (dotops, stow, ${skipMise ? "not mise" : "mise"})`,
  );
  const r = firstApplyAndNoop(trees[n], results.peers, {
    reps: reps.first,
    noopReps: reps.noop,
    skipMise,
    miseReps: reps.mise,
    stowAgain: MODE.stowAgain,
    noopPhaseReps: reps.noopPhases,
  });
  results.firstApply[n] = r.first;
  results.noop[n] = r.noop;
  results.phases["first apply"][n] = r.phases.first;
  results.phases["no-op apply"][n] = r.phases.noop;
  if (skipMise && results.peers.mise.available) {
    const skipped = {
      skipped:
        "mise's first apply grows quadratically with the number of entries (minutes for 5,000 files on this machine); set BENCH_MISE_5000=1 to include it at 5,000",
    };
    results.firstApply[n].mise = skipped;
    results.noop[n]["mise dotfiles apply"] = results.noop[n]["mise dotfiles status"] = skipped;
  }
  if (reps.one) {
    log(`${n} files: one-file change ×${reps.one}, revert → rollback ×${reps.revert}`);
    const one = [];
    const revert = [];
    results.oneFileChange[n] = oneFileChange(trees[n], r.dotopsHome, reps.one, one);
    results.revertRollback[n] = revertRollback(trees[n], r.dotopsHome, reps.revert, revert);
    results.phases["one-file change"][n] = summarisePhases(one, "meta.json of each generation made");
    results.phases["revert → apply"][n] = summarisePhases(revert, "meta.json of each generation made");
    results.phases["`dotops rollback`"][n] = notRecorded(
      "`dotops rollback` switches to an existing generation: it times no phases and makes no meta.json",
    );
  }
  homes[n] = r.dotopsHome;
}

results.plan = {};
for (const [n, reps] of Object.entries(MODE.plan)) {
  log(`plan of ${n} files ×${reps}`);
  results.plan[n] = planTime(trees[n], homes[n], reps);
}
results.peakRss = {};
for (const n of MODE.rss) {
  log(`peak RSS of a first apply of ${n} files`);
  results.peakRss[n] = peakRss(trees[n]);
}
log("cold start");
results.coldStart = coldStart(homes[1000], 1000, MODE.cold);
log("check of config-examples/macos-workstation");
results.check = checkTime(MODE.check);
if (MODE.gens) {
  log("apply with 1 vs 200 prior generations (1,000 files)");
  results.generations = generationsScaling(trees[1000], MODE.gens);
}
if (!quick) {
  log("agent idle (1,000 files)");
  results.agentIdle = await agentIdle(trees[1000], { seconds: AGENT_SECONDS, interval: "10s" });
  log("fleet: model, then 10 real agents against one bare remote");
  results.fleet = {
    model: fleetModel({
      pollMs: results.agentIdle.oncePollMs.median,
      applyMs: results.oneFileChange[1000].median,
    }),
    real: await fleetReal(trees[100], { agents: 10, interval: "5s", commits: 2, idleSeconds: 12 }),
  };
}

// The staged-rollout model is arithmetic on measured times: quick runs get it too.
results.rollout = rolloutModel({
  pollMs: results.agentIdle?.oncePollMs.median ?? 600,
  applyMs: results.oneFileChange?.[1000]?.median ?? 400,
});

results.meta.loadavgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
results.meta.durationS = Math.round((Date.now() - started) / 1000);
if (process.env.BENCH_KEEP !== "1") {
  log("removing the sandboxes");
  rmSync(RUN, { recursive: true, force: true }); // GBs at 20,000 files
}
const written = writeReport(process.env.BENCH_OUT ?? join(ROOT, "bench"), results);
log(`done in ${results.meta.durationS} s: ${written.join(", ")}`);
