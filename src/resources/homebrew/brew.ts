import { Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, once, type Unobservable } from "../shared/tools.js";
import { brewInstalled, brewInstalledNow } from "./brew-cli.js";
import { planPackage } from "./package-plan.js";
import type { BrewResource, CaskResource } from "./resource.js";
import { homebrewSteps } from "./steps.js";

/** The installed version, or null. */
type PackageObservation = string | null | Unobservable;

/** Installed versions by id, from one `brew info` after the apply (shared by brews and casks). */
export async function brewVersions(
  ctx: ResourceContext,
  rs: (BrewResource | CaskResource)[],
): Promise<Record<string, string>> {
  const now = await once(ctx, "brew:inventory", () => brewInstalledNow(ctx));
  const out: Record<string, string> = {};
  if (!now) return out;
  for (const r of rs) {
    const v = r.kind === "brew" ? now.formulae.get(r.name)?.version : now.casks.get(r.name);
    if (v) out[r.id] = v;
  }
  return out;
}

export const brewKind: KindHandler<BrewResource, PackageObservation> = {
  kind: "brew",
  steps: homebrewSteps,
  describe: (r) => `brew ${r.name}`,
  async observe(ctx, r) {
    const installed = await brewInstalled(ctx);
    if (isUnobservable(installed)) return installed;
    return installed.formulae.get(r.name)?.version ?? null;
  },
  assume: (_ctx, previous) => (previous ? "" : null),
  async plan(ctx, desired, previous, observed) {
    const r = (desired ?? previous) as BrewResource;
    return planPackage(ctx, {
      kind: "brew",
      id: r.id,
      desired,
      previous,
      observed,
      add: { op: "brew-install", name: r.name, cask: false, args: r.args ?? [] },
      remove: { op: "brew-uninstall", name: r.name, cask: false, zap: false, args: r.args ?? [] },
      phases: { add: Phase.packages, remove: Phase.uninstall },
      removeIsDestructive: true,
      noun: "installed",
    });
  },
  inventory: brewVersions,
};
