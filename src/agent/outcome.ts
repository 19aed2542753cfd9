import type { Log } from "../engine/engine.js";
import type { ReconcileOutcome } from "./reconcile.js";

/**
 * What one reconcile pass tells the loop: its outcome, and the poll interval
 * (agent.interval) and pass time limit (agent.passTimeout) of the config now
 * applied, when it was read.
 */
export interface Pass {
  outcome: ReconcileOutcome;
  intervalMs?: number;
  passTimeoutMs?: number;
}

/** Outcomes with the same key are the same state: only a change of key is logged above debug. */
export function outcomeKey(o: ReconcileOutcome): string {
  return `${o.kind}:${"commit" in o ? o.commit : ""}`;
}

/** The remote or the branch could not be read: try again, backing off. */
export function isRetry(o: ReconcileOutcome): boolean {
  return o.kind === "offline" || (o.kind === "failed" && o.retry);
}

/** Info on transitions (new generation, failure, recovery), debug for quiet polls. */
export function logOutcome(log: Log, o: ReconcileOutcome, changed: boolean) {
  switch (o.kind) {
    case "applied":
      log.info(
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
      log.error({ commit: o.commit, generation: o.generation, to: o.to }, o.error);
      return;
    case "refused":
    case "failed":
    case "offline":
      if (changed) log.error({ kind: o.kind, commit: "commit" in o ? o.commit : null }, o.error);
      else log.debug({ kind: o.kind }, o.error);
      return;
    case "waiting":
    case "halted":
      if (changed)
        // Halted, or unable to ask GitHub: worth a warning; waiting on the earlier waves is normal.
        log[o.kind === "halted" || o.reason.startsWith("cannot tell") ? "warn" : "info"](
          { commit: o.commit, rollout: o.kind },
          `${o.commit.slice(0, 12)}: ${o.reason}`,
        );
      else log.debug({ commit: o.commit, rollout: o.kind }, o.reason);
      return;
    case "suspended":
      if (changed) log.warn(`suspended (${o.reason}); \`dotops resume\` to continue`);
      return;
    default:
      log.debug({ commit: o.commit, drift: o.drift }, "up to date");
  }
}
