import { join } from "node:path";
import { parseDuration } from "../config/duration.js";
import type { Engine } from "../engine/engine.js";
import { currentGeneration, readMeta } from "../engine/generations.js";
import { acquireLock } from "../engine/lock.js";
import { DotopsError } from "../errors.js";
import type { Host } from "../host/host.js";
import { logOutcome, type Pass } from "./outcome.js";
import {
  type PolicyMemo,
  policyConfig,
  type ReconcileOptions,
  type ReconcileOutcome,
  reconcileOnce,
  restorePolicy,
  savedPolicy,
} from "./reconcile.js";

/**
 * `dotops agent --once`: one reconcile under the agent lock, logged, in this
 * process. Stops early only between stages it cannot interrupt: an apply in
 * flight always finishes or rolls back first.
 */
export async function reconcileOnceLocked(eng: Engine, opts: ReconcileOptions): Promise<ReconcileOutcome> {
  await eng.host.mkdir(eng.state.dir, 0o700);
  const lock = await acquireLock(eng.host, join(eng.state.dir, "agent.lock"), "agent");
  let outcome: ReconcileOutcome;
  try {
    outcome = await reconcileSafely(eng, opts);
    logOutcome(eng.log, outcome, true);
  } finally {
    await lock.release();
  }
  eng.log.debug("agent stopped");
  return outcome;
}

/**
 * One pass of the long-running agent, in the short-lived process it starts
 * for it (`dotops agent --child`, once assertSupervised): the agent holds the
 * lock, logs the outcome and decides when to run the next pass, from the
 * interval returned here. `handedOver` reads what the previous pass returned
 * as `policy` (through the agent), so that an idle poll reads no config.
 */
export async function reconcilePass(
  eng: Engine,
  opts: ReconcileOptions & { intervalMs?: number },
  handedOver: () => Promise<string>,
): Promise<Pass & { policy?: PolicyMemo }> {
  restorePolicy(parseJson(await handedOver()) as PolicyMemo | undefined);
  const outcome = await reconcileSafely(eng, opts);
  const agent = await appliedAgentConfig(eng, opts);
  return {
    outcome,
    intervalMs: opts.intervalMs ?? (agent?.interval ? parseDuration(agent.interval) : 60_000),
    passTimeoutMs: agent?.passTimeout ? parseDuration(agent.passTimeout) : undefined,
    policy: savedPolicy(),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A pass skips the agent lock only because the process that started it holds it. */
export async function assertSupervised(host: Host, stateDir: string): Promise<void> {
  const path = join(stateDir, "agent.lock");
  let pid: unknown;
  try {
    pid = JSON.parse((await host.readFile(path)).toString("utf8"))?.pid;
  } catch {
    pid = undefined;
  }
  if (pid !== process.ppid)
    throw new DotopsError(
      `--child is internal: it runs one pass for the dotops agent holding ${path} (pid ${String(pid ?? "none")}), and this process's parent (pid ${process.ppid}) is not that agent`,
      1,
      "run `dotops agent --once` instead",
    );
}

async function reconcileSafely(eng: Engine, opts: ReconcileOptions): Promise<ReconcileOutcome> {
  try {
    return await reconcileOnce(eng, opts);
  } catch (err) {
    return { kind: "failed", commit: null, error: (err as Error).message, retry: true };
  }
}

/** The agent's settings in the config now applied (its interval and pass time limit), if any. */
async function appliedAgentConfig(eng: Engine, opts: ReconcileOptions) {
  const n = await currentGeneration(eng.host, eng.state);
  const commit = n === null ? null : (await readMeta(eng.host, eng.state, n)).commit;
  return (await policyConfig(opts, commit))?.agent;
}
