import { type Change, Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, missingTool, type Unobservable, unobservableChange } from "../shared/tools.js";
import type { Resource } from "../types.js";
import { type DefaultsObservation, defaultsKind } from "./index.js";
import { planDefault } from "./plan.js";
import type { DefaultsResource, RestartResource } from "./resource.js";
import { defaultsSteps } from "./steps.js";

/** A watched key: desired and/or last applied. */
interface Watched {
  desired?: DefaultsResource;
  previous?: DefaultsResource;
}

/** What each watched key holds now, by id; `assumed`: no machine, the last generation stands in. */
type RestartObservation =
  | { observed: Map<string, DefaultsObservation>; killall: Unobservable | null }
  | { assumed: true };

/** The keys a restart watches: the configured ones, and last generation's keys of its domains (being removed). */
function watchedKeys(previousById: ReadonlyMap<string, Resource> | undefined, r: RestartResource): Watched[] {
  const desired = new Set(r.keys.map((k) => k.id));
  const prev = (id: string) => {
    const p = previousById?.get(id);
    return p?.kind === "defaults" ? (p as DefaultsResource) : undefined;
  };
  const out: Watched[] = r.keys.map((k) => ({ desired: k as DefaultsResource, previous: prev(k.id) }));
  for (const p of previousById?.values() ?? [])
    if (p.kind === "defaults" && !desired.has(p.id) && r.domains.includes((p as DefaultsResource).domain))
      out.push({ previous: p as DefaultsResource });
  return out;
}

const keyOf = (w: Watched) => w.desired ?? (w.previous as DefaultsResource);

/**
 * `restartOnChange` (`restart/<process>`): `killall <process>` once per apply,
 * after the settings, only when a key of one of its domains changes in it.
 * Whether one does is the defaults kind's own plan of each watched key,
 * against the same (memoised) observation of the domain.
 */
export const restartKind: KindHandler<RestartResource, RestartObservation> = {
  kind: "defaults-restart",
  steps: defaultsSteps,
  describe: (r) => `killall ${r.process} when ${r.domains.join(", ")} change`,
  async observe(ctx, r) {
    const observed = new Map<string, DefaultsObservation>();
    for (const w of watchedKeys(ctx.previous, r))
      observed.set(keyOf(w).id, await defaultsKind.observe(ctx, keyOf(w)));
    return { observed, killall: await missingTool(ctx, "killall", "killall comes with macOS") };
  },
  assume: () => ({ assumed: true }),
  async plan(ctx, desired, _previous, o): Promise<Change | null> {
    if (!desired) return null; // nothing to undo: a restart leaves no state
    const watched = watchedKeys(ctx.previous, desired);
    const observation = (w: Watched) =>
      "assumed" in o ? defaultsKind.assume(ctx, w.previous, keyOf(w).id) : o.observed.get(keyOf(w).id);
    const changed: Watched[] = [];
    for (const w of watched) {
      const seen = observation(w);
      // A key that cannot be observed has its own refusal in the plan.
      if (!seen || isUnobservable(seen)) return null;
      if (planDefault(ctx, w.desired, w.previous, seen.value)) changed.push(w);
    }
    if (!changed.length) return null;
    if (!("assumed" in o) && o.killall)
      return unobservableChange(desired.kind, desired.id, desired, desired, o.killall);
    return {
      action: "update",
      kind: desired.kind,
      id: desired.id,
      destructive: false,
      needsRoot: false,
      phase: Phase.restarts,
      note: `restarts ${desired.process}: ${changed.map((w) => `${keyOf(w).domain} ${keyOf(w).key}`).join(", ")} changed`,
      steps: [{ op: "defaults-restart", process: desired.process }],
    };
  },
};
