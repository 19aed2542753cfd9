#!/usr/bin/env node
// `npm run bench`: builds dotops (the npm script does), installs the peers,
// generates the trees and runs every scenario in one go, then writes
// bench/results.json and bench/RESULTS.md.
//
//   BENCH_QUICK=1          fewer repetitions and a 15 s agent idle window (a smoke run)
//   BENCH_AGENT_SECONDS=N  length of the agent idle window (default 60)
//   BENCH_MISE_5000=1      also run mise on the 5,000-file tree (its first apply takes minutes)
//   BENCH_CLI=path         measure another dotops build (main.js); BENCH_OUT=dir writes the results there
//   BENCH_KEEP=1           keep the sandboxes (bench/work/run) for inspection
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { join } from "node:path";
import { fleetModel, fleetReal } from "./fleet.mjs";
import { setupPeers } from "./peers.mjs";
import { writeReport } from "./report.mjs";
import { CLI, cleanRun, log, ROOT, RUN } from "./runner.mjs";
import {
  agentIdle,
  coldStart,
  firstApplyAndNoop,
  generationsScaling,
  oneFileChange,
  planTime,
  revertRollback,
} from "./scenarios.mjs";
import { generateRepo } from "./tree.mjs";

const quick = process.env.BENCH_QUICK === "1";
const SIZES = [100, 1000, 5000];
const REPS = quick
  ? { 100: [2, 2, 2, 1], 1000: [2, 2, 2, 1], 5000: [1, 1, 1, 1], plan: 2, cold: 3, gens: 2 }
  : // [first apply, no-op, one-file change, revert/rollback] per tree size
    { 100: [5, 5, 5, 3], 1000: [3, 5, 5, 3], 5000: [3, 3, 3, 2], plan: 3, cold: 10, gens: 3 };
const AGENT_SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? (quick ? 15 : 60));
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
    agentIdleSeconds: AGENT_SECONDS,
    reps: REPS,
  },
};

results.peers = setupPeers();
cleanRun();
const trees = {};
for (const n of SIZES) {
  log(`generating a ${n}-file tree`);
  trees[n] = generateRepo(join(RUN, `tree-${n}`), n);
}
results.trees = SIZES.map((n) => {
  const { paths: _paths, dir: _dir, ...t } = trees[n];
  return t;
});

results.firstApply = {};
results.noop = {};
results.oneFileChange = {};
results.revertRollback = {};
const homes = {};
for (const n of SIZES) {
  const [first, noop, one, revert] = REPS[n];
  const skipMise = n === 5000 && !MISE_5000;
  log(
    `${n} files: first apply ×${first} and no-op ×${noop} (dotops, stow, ${skipMise ? "not mise" : "mise"})`,
  );
  const r = firstApplyAndNoop(trees[n], results.peers, { reps: first, noopReps: noop, skipMise });
  results.firstApply[n] = r.first;
  results.noop[n] = r.noop;
  if (skipMise && results.peers.mise.available)
    results.firstApply[n].mise = results.noop[n].mise = {
      skipped:
        "mise's first apply grows quadratically with the number of entries (minutes for 5,000 files on this machine); set BENCH_MISE_5000=1 to include it",
    };
  log(`${n} files: one-file change ×${one}, revert → rollback ×${revert}`);
  results.oneFileChange[n] = oneFileChange(trees[n], r.dotopsHome, one);
  results.revertRollback[n] = revertRollback(trees[n], r.dotopsHome, revert);
  homes[n] = r.dotopsHome;
}

log("plan of 5,000 resources");
results.plan = { 5000: planTime(trees[5000], homes[5000], REPS.plan) };
log("cold start");
results.coldStart = coldStart(homes[1000], 1000, REPS.cold);
log("apply with 1 vs 200 prior generations (1,000 files)");
results.generations = generationsScaling(trees[1000], REPS.gens);
log("agent idle (1,000 files)");
results.agentIdle = await agentIdle(trees[1000], { seconds: AGENT_SECONDS, interval: "10s" });

log("fleet: model, then 10 real agents against one bare remote");
results.fleet = {
  model: fleetModel({
    pollMs: results.agentIdle.oncePollMs.median,
    applyMs: results.oneFileChange[1000].median,
  }),
  real: await fleetReal(trees[100], { agents: 10, interval: "5s", commits: 2, idleSeconds: quick ? 6 : 12 }),
};

results.meta.loadavgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
results.meta.durationS = Math.round((Date.now() - started) / 1000);
if (process.env.BENCH_KEEP !== "1") rmSync(RUN, { recursive: true, force: true }); // ~700 MB of sandboxes
const written = writeReport(process.env.BENCH_OUT ?? join(ROOT, "bench"), results);
log(`done in ${results.meta.durationS} s: ${written.join(", ")}`);
