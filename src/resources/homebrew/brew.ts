import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, once, type Unobservable } from "../shared/tools.js";
import { brewInstalled, brewInstalledNow } from "./brew-cli.js";
import { homebrewHealth } from "./health.js";
import { planPackage } from "./package-plan.js";
import type { BrewResource, CaskResource } from "./resource.js";
import { type BrewInstallStep, type BrewLinkStep, homebrewSteps } from "./steps.js";

/** An installed formula whose `link:` differs from how it is linked: `brew link` / `brew unlink`. */
function relink(desired: BrewResource | undefined, o: BrewObservation, change: Change | null): Change | null {
  if (!desired || desired.link === undefined || o === null || isUnobservable(o)) return change;
  if (o.linked === desired.link) return change;
  const step: BrewLinkStep = { op: "brew-link", name: desired.name, link: desired.link };
  const note = `brew ${desired.link ? "link" : "unlink"} (link: ${desired.link})`;
  if (change)
    return {
      ...change,
      steps: [...change.steps, step],
      note: [change.note, note].filter(Boolean).join("; "),
    };
  return {
    kind: "brew",
    id: desired.id,
    action: "update",
    destructive: false,
    needsRoot: false,
    phase: Phase.packages,
    steps: [step],
    note,
  };
}

/** The installed formula, or null. */
type BrewObservation = { version: string; linked: boolean } | null | Unobservable;

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

export const brewKind: KindHandler<BrewResource, BrewObservation> = {
  kind: "brew",
  steps: homebrewSteps,
  describe: (r) => `brew ${r.name}`,
  async observe(ctx, r) {
    const installed = await brewInstalled(ctx);
    if (isUnobservable(installed)) return installed;
    const f = installed.formulae.get(r.name);
    return f ? { version: f.version, linked: f.linked } : null;
  },
  assume: (_ctx, previous) =>
    previous ? { version: "", linked: (previous as BrewResource).link !== false } : null,
  async plan(ctx, desired, previous, observed) {
    const r = (desired ?? previous) as BrewResource;
    const add: BrewInstallStep = {
      op: "brew-install",
      name: r.name,
      cask: false,
      args: r.args ?? [],
      ...(r.link === false ? { unlink: true as const } : {}),
      ...(r.restartService ? { restartService: true as const } : {}),
    };
    const change = planPackage(ctx, {
      kind: "brew",
      id: r.id,
      desired,
      previous,
      observed: observed === null || isUnobservable(observed) ? observed : observed.version,
      add,
      remove: { op: "brew-uninstall", name: r.name, cask: false, zap: false, args: r.args ?? [] },
      phases: { add: Phase.packages, remove: Phase.uninstall },
      removeIsDestructive: true,
      noun: "installed",
    });
    return relink(desired, observed, change);
  },
  inventory: brewVersions,
  health: homebrewHealth,
};
