import { existsSync } from "node:fs";
import { join } from "node:path";
import chokidar from "chokidar";
import type { Log } from "../engine/engine.js";
import { acquireLock } from "../engine/lock.js";
import { gitText } from "../git/git.js";
import { RealHost } from "../host/real-host.js";
import { isRetry, logOutcome, outcomeKey, type Pass } from "./outcome.js";
import type { ReconcileOutcome } from "./reconcile.js";

/*
 * This module is the long-running `dotops agent` process. It must stay light:
 * it imports no engine, config, zod, yaml, simple-git or octokit (only types),
 * because whatever it loads stays resident for as long as the agent runs. The
 * reconciles themselves run in short-lived processes (./child.ts).
 */

export interface LoopOptions {
  home: string;
  stateDir: string;
  /** The clone whose refs are watched. It may appear only with the first pass (`--remote` clones it). */
  repo: string;
  log: Log;
  /** One reconcile pass; null: cut short by the stop, nothing happened. Throwing stops the agent. */
  reconcile: () => Promise<Pass | null>;
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
export async function runAgentLoop(opts: LoopOptions): Promise<ReconcileOutcome> {
  const host = new RealHost({ home: opts.home });
  await host.mkdir(opts.stateDir, 0o700);
  const lock = await acquireLock(host, join(opts.stateDir, "agent.lock"), "agent");
  let wake: (() => void) | undefined;
  let pendingWake = false;
  const poke = () => {
    pendingWake = true;
    wake?.();
  };
  opts.signal?.addEventListener("abort", poke);
  let watcher: Awaited<ReturnType<typeof watchRefs>> | undefined;
  let failures = 0;
  let interval = 60_000;
  let last: ReconcileOutcome = { kind: "unchanged", commit: null, drift: 0, healed: false };
  let lastKey = "";
  try {
    if (existsSync(opts.repo)) watcher = await watchRefs(opts.repo, poke);
    while (!opts.signal?.aborted) {
      pendingWake = false;
      const pass = await opts.reconcile();
      if (!pass) continue;
      last = pass.outcome;
      const key = outcomeKey(last);
      logOutcome(opts.log, last, key !== lastKey);
      lastKey = key;
      watcher ??= await watchRefs(opts.repo, poke); // the first pass cloned the repo
      failures = isRetry(last) ? failures + 1 : 0;
      interval = opts.intervalMs ?? pass.intervalMs ?? interval;
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
  opts.log.info("agent stopped");
  return last;
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
