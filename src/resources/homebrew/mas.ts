import { Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, once, type Unobservable } from "../shared/tools.js";
import { masInstalled, masInstalledNow } from "./brew-cli.js";
import { planPackage } from "./package-plan.js";
import type { MasResource } from "./resource.js";
import { homebrewSteps } from "./steps.js";

export const masKind: KindHandler<MasResource, string | null | Unobservable> = {
  kind: "mas",
  steps: homebrewSteps,
  describe: (r) => `mas ${r.name} (${r.appId})`,
  async observe(ctx, r) {
    const apps = await masInstalled(ctx);
    if (isUnobservable(apps)) return apps;
    return apps.get(r.appId)?.version ?? null;
  },
  assume: (_ctx, previous) => (previous ? "" : null),
  async plan(ctx, desired, previous, observed) {
    const r = (desired ?? previous) as MasResource;
    return planPackage(ctx, {
      kind: "mas",
      id: r.id,
      desired,
      previous,
      observed,
      add: { op: "mas-install", appId: r.appId, name: r.name },
      remove: { op: "mas-uninstall", appId: r.appId, name: r.name, root: true },
      phases: { add: Phase.packages, remove: Phase.uninstall },
      removeIsDestructive: true,
      noun: "installed",
    });
  },
  async inventory(ctx, rs) {
    const now = await once(ctx, "mas:inventory", () => masInstalledNow(ctx));
    const out: Record<string, string> = {};
    for (const r of rs) {
      const v = now?.get(r.appId)?.version;
      if (v) out[r.id] = v;
    }
    return out;
  },
};
