import { Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, type Unobservable } from "../shared/tools.js";
import { brewTaps } from "./brew-cli.js";
import { planPackage } from "./package-plan.js";
import type { TapResource } from "./resource.js";
import { homebrewSteps } from "./steps.js";

/** "" when tapped, null when not. */
type TapObservation = string | null | Unobservable;

export const tapKind: KindHandler<TapResource, TapObservation> = {
  kind: "tap",
  steps: homebrewSteps,
  describe: (r) => `tap ${r.name}`,
  async observe(ctx, r) {
    const taps = await brewTaps(ctx);
    if (isUnobservable(taps)) return taps;
    return taps.has(r.name.toLowerCase()) ? "" : null;
  },
  assume: (_ctx, previous) => (previous ? "" : null),
  async plan(ctx, desired, previous, observed) {
    const r = (desired ?? previous) as TapResource;
    const url = r.url ? { url: r.url } : {};
    return planPackage(ctx, {
      kind: "tap",
      id: r.id,
      desired,
      previous,
      observed,
      add: { op: "brew-tap", name: r.name, ...url },
      remove: { op: "brew-untap", name: r.name, ...url },
      // Taps come before the formulae from them, and leave after them.
      phases: { add: Phase.sources, remove: Phase.removeSources },
      removeIsDestructive: false,
      noun: "tapped",
    });
  },
};
