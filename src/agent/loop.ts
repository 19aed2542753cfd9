import { join } from "node:path";
import chokidar from "chokidar";
import { parseDuration } from "../config/schema.js";
import type { Engine } from "../engine/engine.js";
import { currentGeneration, readMeta } from "../engine/generations.js";
import { acquireLock } from "../engine/lock.js";
import { gitText } from "../git/git.js";
import { policyConfig, type ReconcileOptions, type ReconcileOutcome, reconcileOnce } from "./reconcile.js";

export interface AgentOptions extends ReconcileOptions {
  once?: boolean;
  /** Overrides agent.interval. */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Longest wait between tries while the remote is unreachable. */
  maxBackoffMs?: number;
}

/**
 * The GitOps loop: reconcile, then wait for a ref change in the clone
 * (chokidar) or the next poll (jittered ±10 %, backing off exponentially
 * while the remote is unreachable). Only the newest commit is applied. Stops
 * between reconciles when `signal` aborts, so an apply in flight always
 * finishes or rolls back first.
 */
export async function runAgent(eng: Engine, opts: AgentOptions): Promise<ReconcileOutcome> {
  await eng.host.mkdir(eng.state.dir, 0o700);
  const lock = await acquireLock(eng.host, join(eng.state.dir, "agent.lock"), "agent");
  let wake: (() => void) | undefined;
  let pendingWake = false;
  const poke = () => {
    pendingWake = true;
    wake?.();
  };
  const watcher = opts.once ? undefined : await watchRefs(opts.repo, poke);
  opts.signal?.addEventListener("abort", poke);
  let failures = 0;
  let last: ReconcileOutcome = { kind: "unchanged", commit: null, drift: 0, healed: false };
  let lastKey = "";
  try {
    while (!opts.signal?.aborted) {
      pendingWake = false;
      last = await reconcileSafely(eng, opts);
      const key = `${last.kind}:${"commit" in last ? last.commit : ""}`;
      logOutcome(eng, last, key !== lastKey);
      lastKey = key;
      if (opts.once) break;
      failures = last.kind === "offline" || (last.kind === "failed" && last.retry) ? failures + 1 : 0;
      const interval = opts.intervalMs ?? (await configuredInterval(eng, opts));
      const delay = failures
        ? Math.min(interval * 2 ** failures, opts.maxBackoffMs ?? 15 * 60_000)
        : interval;
      if (!pendingWake) await sleep(jitter(delay), (w) => (wake = w));
      wake = undefined;
    }
  } finally {
    await watcher?.close();
    await lock.release();
  }
  eng.log[opts.once ? "debug" : "info"]("agent stopped");
  return last;
}

async function reconcileSafely(eng: Engine, opts: AgentOptions): Promise<ReconcileOutcome> {
  try {
    return await reconcileOnce(eng, opts);
  } catch (err) {
    return { kind: "failed", commit: null, error: (err as Error).message, retry: true };
  }
}

/** Info on transitions (new generation, failure, recovery), debug for quiet polls. */
function logOutcome(eng: Engine, o: ReconcileOutcome, changed: boolean) {
  switch (o.kind) {
    case "applied":
      eng.log.info(
        {
          commit: o.commit,
          generation: o.generation,
          superseded: o.superseded.length,
          rollbackOf: o.rollbackOf,
        },
        o.rollbackOf
          ? `applied ${o.commit.slice(0, 12)} as generation ${o.generation}: the content of generation ${o.rollbackOf} (revert)`
          : `applied ${o.commit.slice(0, 12)} as generation ${o.generation}${o.superseded.length ? ` (${o.superseded.length} superseded)` : ""}`,
      );
      return;
    case "rolled-back":
      eng.log.error({ commit: o.commit, generation: o.generation, to: o.to }, o.error);
      return;
    case "refused":
    case "failed":
    case "offline":
      if (changed) eng.log.error({ kind: o.kind, commit: "commit" in o ? o.commit : null }, o.error);
      else eng.log.debug({ kind: o.kind }, o.error);
      return;
    case "suspended":
      if (changed) eng.log.warn(`suspended (${o.reason}); \`dotops resume\` to continue`);
      return;
    default:
      eng.log.debug({ commit: o.commit, drift: o.drift }, "up to date");
  }
}

async function configuredInterval(eng: Engine, opts: AgentOptions): Promise<number> {
  const n = await currentGeneration(eng.host, eng.state);
  const commit = n === null ? null : (await readMeta(eng.host, eng.state, n)).commit;
  const interval = (await policyConfig(opts, commit))?.agent.interval;
  return interval ? parseDuration(interval) : 60_000;
}

/** Local commits and fetches show up as ref changes in the clone's git dir. */
async function watchRefs(repo: string, onChange: () => void) {
  const gitDir = await gitText(repo, ["rev-parse", "--absolute-git-dir"]);
  const watcher = chokidar.watch(
    [join(gitDir, "refs/heads"), join(gitDir, "packed-refs"), join(gitDir, "HEAD")],
    {
      ignoreInitial: true,
      depth: 5,
    },
  );
  watcher.on("all", onChange);
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return watcher;
}

function jitter(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

function sleep(ms: number, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    onWake(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
