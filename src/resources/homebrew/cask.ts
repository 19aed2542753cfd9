import { Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, type Unobservable } from "../shared/tools.js";
import { brewVersions } from "./brew.js";
import { brewInstalled } from "./brew-cli.js";
import { homebrewHealth } from "./health.js";
import { planPackage } from "./package-plan.js";
import type { CaskResource } from "./resource.js";
import { homebrewSteps } from "./steps.js";

export const caskKind: KindHandler<CaskResource, string | null | Unobservable> = {
  kind: "cask",
  steps: homebrewSteps,
  describe: (r) => `cask ${r.name}`,
  async observe(ctx, r) {
    const installed = await brewInstalled(ctx);
    if (isUnobservable(installed)) return installed;
    return installed.casks.get(r.name) ?? null;
  },
  assume: (_ctx, previous) => (previous ? "" : null),
  async plan(ctx, desired, previous, observed) {
    const r = (desired ?? previous) as CaskResource;
    return planPackage(ctx, {
      kind: "cask",
      id: r.id,
      desired,
      previous,
      observed,
      add: { op: "brew-install", name: r.name, cask: true, args: r.args ?? [] },
      remove: { op: "brew-uninstall", name: r.name, cask: true, zap: false, args: r.args ?? [] },
      phases: { add: Phase.packages, remove: Phase.uninstall },
      removeIsDestructive: true,
      noun: "installed",
    });
  },
  inventory: brewVersions,
  health: homebrewHealth,
};
