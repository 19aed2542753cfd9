import type { Change } from "../change.js";
import type { ResourceContext } from "../context.js";
import { isUnobservable, type Unobservable, unobservableChange } from "../shared/tools.js";
import type { Step } from "../step.js";
import { type PackageOwnership, wasThereBefore } from "./resource.js";

/** What one package's plan needs to know: the kind, how to add and remove it, and what is installed. */
export interface PackageCase {
  kind: string;
  id: string;
  desired: unknown;
  previous: unknown;
  /** The installed version ("" when there is none, as for a tap), null when absent. */
  observed: string | null | Unobservable;
  add: Step;
  remove: Step;
  phases: { add: number; remove: number };
  /** Removing it loses something (an app and its data): uninstalls are, an untap is not. */
  removeIsDestructive: boolean;
  noun: string;
}

/**
 * The same cases for every package-like kind (tap, brew, cask, mas):
 * - wanted and absent → install; what the machine had (nothing) is owned;
 * - wanted and already there, not managed yet → adopted: no step, the plan
 *   says so and the generation remembers it was there before dotops;
 * - no longer wanted → uninstalled (destructive) when dotops installed it,
 *   left in place when it was there before dotops.
 */
export function planPackage(ctx: ResourceContext, c: PackageCase): Change | null {
  const { observed } = c;
  if (isUnobservable(observed)) return unobservableChange(c.kind, c.id, c.desired, c.previous, observed);
  const base = { kind: c.kind, id: c.id, needsRoot: false };
  if (c.desired !== undefined) {
    if (observed === null) {
      const owns: PackageOwnership | undefined = c.previous === undefined ? { absent: true } : undefined;
      return {
        ...base,
        action: c.previous === undefined ? "create" : "update",
        destructive: false,
        phase: c.phases.add,
        steps: [c.add],
        ...(c.previous === undefined ? {} : { note: `installs it again: it was removed outside dotops` }),
        ...(owns ? { owns } : {}),
      };
    }
    if (c.previous !== undefined) return null;
    const owns: PackageOwnership = { installed: true, ...(observed ? { version: observed } : {}) };
    return {
      ...base,
      action: "create",
      destructive: false,
      phase: c.phases.add,
      steps: [],
      note: `already ${c.noun}${observed ? ` (${observed})` : ""}: adopted, left in place if it is ever unmanaged`,
      owns,
    };
  }
  if (observed === null) return null;
  if (wasThereBefore(ctx.ownership?.get(c.id)))
    return {
      ...base,
      action: "delete",
      destructive: false,
      phase: c.phases.remove,
      steps: [],
      note: `left ${c.noun}: it was there before dotops`,
    };
  const needsRoot = c.remove.root === true;
  return {
    ...base,
    needsRoot,
    action: "delete",
    destructive: c.removeIsDestructive,
    phase: c.phases.remove,
    steps: [c.remove],
  };
}
