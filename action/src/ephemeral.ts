import type { DesiredRequest } from "../../src/engine/apply.js";
import { planApply } from "../../src/engine/apply.js";
import { deploy } from "../../src/engine/deploy.js";
import type { Engine } from "../../src/engine/engine.js";
import { TransactionError } from "../../src/engine/journal.js";
import type { Plan } from "../../src/engine/plan.js";
import type { Origin } from "../../src/errors.js";
import { MODULES } from "../../src/modules/manifest.js";
import type { Module } from "../../src/modules/module.js";
import type { Action, Change } from "../../src/resources/change.js";

/*
 * Mode `ephemeral`: apply the PR's head on the throwaway runner and say, per
 * resource, whether it worked. One apply is one transaction (a failure undoes
 * everything), so a failed resource is set aside and the rest applied again;
 * a failed batch (one `brew install a b c`) is halved until the failing
 * resource is alone. What never went through in a committed apply is not
 * reported as working.
 */

/**
 * applied: its steps ran in an apply that committed (it is on the runner now).
 * failed: its step failed; `reason` is what the tool or the system said.
 * refused: the plan would not run it (its tool is not on the runner, a path in the way).
 * undone: not proven either way; it was undone when another resource failed.
 */
export type ResourceStatus = "applied" | "failed" | "refused" | "undone";

export interface ResourceResult {
  id: string;
  kind: string;
  action: Action;
  status: ResourceStatus;
  reason?: string;
  destructive?: boolean;
  /** Where the config asks for it, for an annotation on the PR's file. */
  origin?: Origin;
}

export interface EphemeralResult {
  kind: "ephemeral";
  /** The generation the runner ends on (the head without what failed); null when nothing was applied. */
  generation: number | null;
  /** Applies it took: one, plus one per failure set aside. */
  applies: number;
  /** Every resource the head changes on the runner, with its outcome; failures first. */
  resources: ResourceResult[];
  /** Resources the runner already had as the head wants them. */
  unchanged: number;
  /** A health check that failed after the last apply (the runner was switched back). */
  failedCheck?: string;
  rolledBackTo: number | null;
  /** Why it stopped before every resource was proven (an error that names no resource, too many failures). */
  stopped?: string;
}

/** What proving needs: a plan and an apply of the head without some resources. */
export interface Attempts {
  plan(exclude: ReadonlySet<string>): Promise<Plan>;
  apply(
    exclude: ReadonlySet<string>,
  ): Promise<{ plan: Plan; generation: number | null; failedCheck?: string; rolledBackTo: number | null }>;
}

/** Enough for a dozen failures; each costs one more apply of what is left. */
export const MAX_APPLIES = 12;

export async function proveResources(a: Attempts, maxApplies = MAX_APPLIES): Promise<EphemeralResult> {
  const results = new Map<string, ResourceResult>();
  const setAside = new Set<string>(); // failed or refused: left out of every later apply
  let deferred: string[] = []; // halves of failed batches, left out until an apply goes through
  const out: EphemeralResult = {
    kind: "ephemeral",
    generation: null,
    applies: 0,
    resources: [],
    unchanged: 0,
    rolledBackTo: null,
  };
  const record = (
    c: Pick<Change, "id" | "kind" | "action" | "destructive" | "origin">,
    status: ResourceStatus,
    reason?: string,
  ) =>
    results.set(c.id, {
      id: c.id,
      kind: c.kind,
      action: c.action,
      status,
      ...(reason ? { reason } : {}),
      ...(c.destructive ? { destructive: true } : {}),
      ...(c.origin ? { origin: c.origin } : {}),
    });
  const notApplied = (plan: Plan, reason: string) => {
    for (const c of plan.changes) if (results.get(c.id)?.status !== "applied") record(c, "undone", reason);
  };

  for (let round = 0; round < maxApplies * 3; round++) {
    const exclude = new Set([...setAside, ...deferred]);
    const plan = await a.plan(exclude);
    if (round === 0) out.unchanged = plan.unchanged.length;
    const refused = plan.changes.filter((c) => c.refusal);
    for (const c of refused) {
      record(c, "refused", c.refusal);
      setAside.add(c.id);
    }
    if (refused.length) continue; // planned again without them
    for (const c of plan.changes) if (!results.has(c.id)) record(c, "undone", "not applied yet");
    // At least one apply, even with nothing to change: it records a generation and runs the health checks.
    if (out.applies && !plan.changes.length && !deferred.length) break;
    if (!plan.changes.length && deferred.length) {
      deferred = []; // what was set aside is all that is left: it comes back
      continue;
    }
    if (out.applies >= maxApplies) {
      out.stopped = `gave up after ${out.applies} applies`;
      notApplied(plan, `not proven: ${out.stopped}`);
      break;
    }
    out.applies++;
    try {
      const r = await a.apply(exclude);
      out.generation = r.generation;
      out.rolledBackTo = r.rolledBackTo;
      for (const c of r.plan.changes) record(c, "applied");
      if (r.failedCheck) {
        out.failedCheck = r.failedCheck;
        break;
      }
      if (!deferred.length) break;
      deferred = []; // the rest of the batches comes back: the next apply holds only them
    } catch (err) {
      const reason = reasonOf(err);
      const failed = err instanceof TransactionError ? err.resources.filter((id) => !exclude.has(id)) : [];
      if (!failed.length) {
        out.stopped = reason;
        notApplied(plan, `the apply failed on no resource of its own (${firstLine(reason)})`);
        break;
      }
      notApplied(plan, `undone when ${failed.join(", ")} failed; not proven yet`);
      const changeOf = (id: string) =>
        plan.changes.find((c) => c.id === id) ?? {
          id,
          kind: "unknown",
          action: "update" as const,
          destructive: false,
        };
      if (failed.length > 1) {
        // A batch failed as one: its first half is applied alone to find out which one it was.
        deferred.push(...failed.slice(Math.ceil(failed.length / 2)));
        for (const id of failed)
          record(
            changeOf(id),
            "undone",
            `in a batch that failed (${firstLine(reason)}); tried again in halves`,
          );
        continue;
      }
      const id = failed[0] as string;
      record(changeOf(id), "failed", reason);
      setAside.add(id);
      for (const c of plan.changes)
        if (isInside(c.id, id)) {
          record(c, "undone", `not applied: inside ${id}, which failed`);
          setAside.add(c.id);
        }
    }
  }
  out.resources = [...results.values()].sort(
    (x, y) => RANK[x.status] - RANK[y.status] || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );
  return out;
}

const RANK: Record<ResourceStatus, number> = { failed: 0, refused: 1, undone: 2, applied: 3 };

/** A home path under a directory resource: it cannot go in without the directory. */
function isInside(id: string, dir: string): boolean {
  return dir.startsWith("~") && id.startsWith(`${dir}/`);
}

function reasonOf(err: unknown): string {
  const cause = err instanceof TransactionError ? err.reason : err;
  return (cause as Error)?.message ?? String(cause);
}

function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The built-in modules, leaving out the given resources (and whatever is inside a left-out directory). */
export function modulesWithout(exclude: ReadonlySet<string>, modules: Module[] = MODULES): Module[] {
  if (!exclude.size) return modules;
  const dirs = [...exclude].filter((id) => id.startsWith("~"));
  const left = (id: string) => exclude.has(id) || dirs.some((d) => id.startsWith(`${d}/`));
  return modules.map((m) => (config) => {
    const o = m(config);
    return { ...o, resources: o.resources.filter((r) => !left(r.id)) };
  });
}

/**
 * Proves the head on the runner through the real engine. The runner is
 * throwaway: files in the way are moved aside, destructive steps allowed.
 */
export function proveOnRunner(real: Engine, to: DesiredRequest): Promise<EphemeralResult> {
  const req = (exclude: ReadonlySet<string>) => ({
    ...to,
    modules: modulesWithout(exclude, to.modules),
    backupExt: ".dotops-backup",
    allowDestructive: true,
  });
  return proveResources({
    plan: async (exclude) => (await planApply(real, req(exclude))).plan,
    apply: async (exclude) => {
      const r = await deploy(real, req(exclude));
      const failed = r.health.find((h) => !h.ok);
      return {
        plan: r.plan,
        generation: r.generation,
        rolledBackTo: r.rolledBackTo,
        ...(failed ? { failedCheck: `${failed.name}: ${failed.detail}` } : {}),
      };
    },
  });
}
