// The measured scenarios (issue 6, items 1-7 and the generations check). Every
// number is the wall time of a real process: the built dotops CLI, stow, mise.
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { currentCommit, pollTimes, sampleIdle, startAgent, stopAgent, waitFor } from "./agent.mjs";
import { mise, stow } from "./peers.mjs";
import { currentMeta, generationSample, jsonSample, summarisePhases } from "./phases.mjs";
import {
  dotops,
  dotopsPeakRss,
  FLOOR,
  freshHome,
  log,
  ROOT,
  RUN,
  repeat,
  round,
  run,
  settle,
  stats,
  tempIn,
} from "./runner.mjs";
import { commitChange, git } from "./tree.mjs";

const apply = (repo, home) => dotops(home, ["--repo", repo, "apply"]);

/** A timed apply that makes a generation; its recorded phases go into `samples`. */
function applyRecorded(repo, home, samples) {
  const before = currentMeta(home)?.number ?? null;
  const { ms } = apply(repo, home);
  samples?.push(generationSample(home, ms, before));
  return ms;
}

/**
 * Items 1 and 2 for one tree: first apply into fresh HOMEs (repetitions
 * interleaved across tools, so machine noise hits all of them alike), then
 * no-op reconciles in the last HOME each tool applied to, next to the floor of
 * issue 15 (a Node process that lstat's every managed path). mise's first
 * apply can run fewer times than the others (`miseReps`): it is the slowest
 * by far and its HOME is needed for `mise dotfiles status`.
 */
export function firstApplyAndNoop(
  tree,
  peers,
  { reps, noopReps, skipMise, miseReps = reps, stowAgain = true, noopPhaseReps = 1 },
) {
  const firstPhases = [];
  const tools = {
    dotops: { apply: (home) => applyRecorded(tree.dir, home, firstPhases), reps },
    ...(peers.stow.available ? { stow: { apply: (home) => stow.apply(tree.dir, home).ms, reps } } : {}),
    ...(peers.mise.available && !skipMise
      ? { mise: { apply: (home) => mise.apply(tree.dir, home).ms, reps: Math.min(reps, miseReps) } }
      : {}),
  };
  const samples = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
  const homes = {};
  for (let r = 0; r < reps; r++) {
    for (const [name, tool] of Object.entries(tools)) {
      if (r >= tool.reps) continue;
      const home = freshHome(`${name}-${tree.n}`);
      settle();
      samples[name].push(tool.apply(home));
      if (homes[name]) rmSync(homes[name], { recursive: true, force: true });
      homes[name] = home;
    }
  }
  const first = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v.map(Math.round))]));
  checkLinked(tree, homes);

  const managed = join(RUN, `managed-${tree.n}.txt`);
  writeFileSync(managed, `${managedPaths(tree, homes.dotops).join("\n")}\n`);
  const noopTools = {
    "dotops apply": () => apply(tree.dir, homes.dotops).ms,
    "dotops status": () => dotops(homes.dotops, ["status"]).ms,
    [FLOOR]: () => run(process.execPath, [join(ROOT, "bench/floor.mjs"), managed]).ms,
    ...(homes.stow
      ? {
          "stow -R": () => stow.restow(tree.dir, homes.stow).ms,
          ...(stowAgain ? { "stow -S (again)": () => stow.apply(tree.dir, homes.stow).ms } : {}),
        }
      : {}),
    ...(homes.mise
      ? {
          "mise dotfiles apply": () => mise.apply(tree.dir, homes.mise).ms,
          "mise dotfiles status": () => mise.status(tree.dir, homes.mise).ms,
        }
      : {}),
  };
  const noopSamples = Object.fromEntries(Object.keys(noopTools).map((t) => [t, []]));
  for (let r = 0; r < noopReps; r++)
    for (const [name, fn] of Object.entries(noopTools)) {
      settle();
      noopSamples[name].push(fn());
    }
  const noop = Object.fromEntries(Object.entries(noopSamples).map(([k, v]) => [k, stats(v.map(Math.round))]));
  // A no-op makes no generation, so its phases come from separate, untimed `--json` runs.
  const noopPhases = [];
  for (let r = 0; r < noopPhaseReps; r++) {
    settle();
    const j = dotops(homes.dotops, ["--repo", tree.dir, "--json", "apply"], { capture: true });
    if (JSON.parse(j.stdout).noop !== true)
      throw new Error(`the no-op apply of ${tree.n} files changed something`);
    noopPhases.push(jsonSample(j.stdout, j.ms));
  }
  for (const [name, home] of Object.entries(homes)) if (name !== "dotops") rmSync(home, { recursive: true });
  return {
    first,
    noop,
    dotopsHome: homes.dotops,
    phases: {
      first: summarisePhases(firstPhases, "meta.json of each generation made"),
      noop: summarisePhases(noopPhases, `separate untimed \`dotops --json apply\` runs (×${noopPhaseReps})`),
    },
  };
}

/** Every path a drift check of this tree must look at: each linked file and each directory above it. */
function managedPaths(tree, home) {
  const out = new Set();
  for (const p of tree.paths) {
    const parts = p.split("/");
    for (let i = 1; i <= parts.length; i++) out.add(join(home, ...parts.slice(0, i)));
  }
  return [...out];
}

/** Every tool really linked every file of the tree (a benchmark that did nothing would be fast). */
function checkLinked(tree, homes) {
  const sample = [tree.paths[0], tree.paths[Math.floor(tree.n / 2)], tree.paths.at(-1)];
  for (const [name, home] of Object.entries(homes)) {
    for (const p of sample) {
      const want = readFileSync(join(tree.dir, "stow/home", p), "utf8");
      const got = readFileSync(join(home, p), "utf8");
      if (got !== want) throw new Error(`${name} did not apply ${p} in ${home}`);
    }
  }
}

/** Item 3: apply of a commit that changes one file (phases into `samples`). */
export function oneFileChange(tree, home, reps, samples) {
  let k = 0;
  return repeat(
    reps,
    () => applyRecorded(tree.dir, home, samples),
    () => commitChange(tree.dir, tree.paths, `one-file change ${tree.n}/${k++}`),
  );
}

/**
 * Item 4: a commit that changes every file is applied, then reverted: the
 * revert's apply is a rollback to the earlier generation's content (no
 * rebuild), and `dotops rollback` switches straight back to the previous one.
 * The revert's phases go into `samples`; `dotops rollback` records none.
 */
export function revertRollback(tree, home, reps, samples) {
  const revert = [];
  const rollback = [];
  for (let r = 0; r < reps; r++) {
    commitChange(tree.dir, tree.paths, `whole-tree change ${r}`, { all: true });
    apply(tree.dir, home);
    git(tree.dir, "revert", "--no-edit", "HEAD");
    settle();
    revert.push(applyRecorded(tree.dir, home, samples));
    if (r === 0) {
      const gens = JSON.parse(dotops(home, ["--json", "generations"], { capture: true }).stdout);
      if (gens.at(-1).sameContentAs === null) throw new Error("the revert was not recognised as a rollback");
    }
    settle();
    rollback.push(dotops(home, ["rollback"]).ms); // back to the whole-tree change: every link switches
    dotops(home, ["resume"]); // rollback suspends the agent; undo that for the next round
    apply(tree.dir, home); // and back to the tip
  }
  return { revertApply: stats(revert.map(Math.round)), rollback: stats(rollback.map(Math.round)) };
}

/** Item 5: `dotops plan` of every resource, into an empty HOME and into one already at that commit. */
export function planTime(tree, appliedHome, reps) {
  const empty = freshHome(`plan-${tree.n}`);
  const fresh = repeat(reps, () => dotops(empty, ["--repo", tree.dir, "plan"]).ms);
  const applied = repeat(reps, () => dotops(appliedHome, ["--repo", tree.dir, "plan"]).ms);
  rmSync(empty, { recursive: true });
  return { nothingApplied: fresh, upToDate: applied };
}

/** Item 6: cold start of `--version` and `status`, next to Node's own start. */
export function coldStart(appliedHome, appliedN, reps) {
  const empty = freshHome("cold");
  const out = {
    "node -e 0 (floor)": repeat(reps, () => run(process.execPath, ["-e", "0"]).ms),
    "dotops --version": repeat(reps, () => dotops(empty, ["--version"]).ms),
    "dotops status (nothing applied)": repeat(reps, () => dotops(empty, ["status"]).ms),
    [`dotops status (${appliedN} files applied)`]: repeat(reps, () => dotops(appliedHome, ["status"]).ms),
  };
  rmSync(empty, { recursive: true });
  return out;
}

/**
 * `dotops check` of config-examples/macos-workstation (issue 15), as a user
 * runs it: in a repository of its own, reading the committed config.
 */
export function checkTime(reps, example = "macos-workstation") {
  const dir = join(tempIn("check-"), example);
  cpSync(join(ROOT, "config-examples", example), dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", example);
  const home = freshHome("check");
  const out = repeat(reps, () => dotops(home, ["--repo", dir, "check"]).ms);
  rmSync(home, { recursive: true });
  return { example, ...out };
}

/** Peak RSS of the dotops process applying the tree into a fresh HOME (an untimed run of its own). */
export function peakRss(tree) {
  const home = freshHome(`rss-${tree.n}`);
  settle();
  const r = dotopsPeakRss(home, ["--repo", tree.dir, "apply"]);
  rmSync(home, { recursive: true, force: true });
  return {
    files: tree.n,
    maxRssKiB: r.maxRssKiB,
    maxRssMiB: round(r.maxRssKiB / 1024),
    ms: Math.round(r.ms),
  };
}

/**
 * Apply time with 1 vs 200 prior generations. The extra generations are
 * copies of a real one, renumbered: its meta.json (number changed),
 * manifest.json and plan.json, and its home tree shared through a symlink.
 * Apply reads only the list of generation dirs, each meta.json and the
 * current manifest, so a copy costs apply exactly what a generation made by
 * one more apply would, and 200 of them take a second instead of minutes.
 */
export function generationsScaling(tree, reps, count = 200) {
  const home = freshHome(`gens-${tree.n}`);
  apply(tree.dir, home);
  const few = oneFileChange(tree, home, reps);
  const gensDir = join(home, ".local/state/dotops/generations");
  const existing = readdirSync(gensDir).filter((n) => /^\d+$/.test(n)).length;
  const template = join(gensDir, String(existing));
  const meta = JSON.parse(readFileSync(join(template, "meta.json"), "utf8"));
  for (let n = existing + 1; n <= count; n++) {
    const dir = join(gensDir, String(n));
    mkdirSync(dir);
    for (const f of ["manifest.json", "plan.json"]) copyFileSync(join(template, f), join(dir, f));
    symlinkSync(join(template, "home"), join(dir, "home"));
    writeFileSync(join(dir, "meta.json"), `${JSON.stringify({ ...meta, number: n }, null, 2)}\n`);
  }
  const listed = JSON.parse(dotops(home, ["--json", "generations"], { capture: true }).stdout).length;
  const many = oneFileChange(tree, home, reps);
  rmSync(home, { recursive: true });
  return { fewPrior: `1–${existing - 1}`, manyPrior: listed, few, many };
}

/** Item 7: the agent idle for `seconds`, polling a local bare remote every `interval`. */
export async function agentIdle(tree, { seconds, interval }) {
  const remote = join(tempIn("remote-"), "dotfiles.git");
  git(RUN, "clone", "-q", "--bare", tree.dir, remote);
  const tip = git(remote, "rev-parse", "HEAD");
  const home = freshHome(`agent-${tree.n}`);
  const logFile = join(RUN, `agent-idle-${tree.n}.log`);
  const agent = startAgent(home, { remote, interval, logFile });
  try {
    const t0 = Date.now();
    await waitFor("the agent's first apply", () => currentCommit(home) === tip, 180_000);
    const firstApplyMs = Date.now() - t0;
    // Let the first apply's garbage settle into the steady state before sampling.
    await waitFor("a first idle poll", () => pollTimes(logFile).length > 0, 120_000);
    log(`agent idle: sampling ${seconds} s (poll every ${interval})`);
    const idle = await sampleIdle(agent, { seconds, logFile });
    await stopAgent(agent);
    // One idle poll on its own (fetch + drift check), as a process: the fleet model's poll cost.
    const poll = repeat(3, () => dotops(home, ["agent", "--once"]).ms);
    return { files: tree.n, interval, startToFirstGenerationMs: firstApplyMs, ...idle, oncePollMs: poll };
  } finally {
    if (agent.child.exitCode === null && agent.child.signalCode === null) await stopAgent(agent);
  }
}
