import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, type Unobservable, unobservableChange } from "../shared/tools.js";
import { type BrewInstalled, brewInstalled } from "./brew-cli.js";
import { type BrewCleanupResource, wasThereBefore } from "./resource.js";
import { type BrewUninstallStep, homebrewSteps } from "./steps.js";

const shortName = (name: string) => name.split("/").pop() as string;

/**
 * Formulae and casks installed but not in the config, as `brew bundle
 * --cleanup` finds them: a formula stays when it is listed or a listed one
 * needs it. What a managed brew or cask of the last generation brings with it
 * is left to that resource's own removal (it knows whether dotops installed it).
 */
export function unlisted(
  ctx: ResourceContext,
  r: BrewCleanupResource,
  installed: BrewInstalled,
): { formulae: [string, string][]; casks: [string, string][] } {
  const listed = new Set([...r.brews, ...r.brews.map(shortName)]);
  const needed = new Set<string>();
  for (const name of r.brews) for (const dep of installed.formulae.get(name)?.deps ?? []) needed.add(dep);
  const removedByTheirOwn = new Set<string>();
  for (const p of ctx.previous?.values() ?? [])
    if ((p.kind === "brew" || p.kind === "cask") && !wasThereBefore(ctx.ownership?.get(p.id)))
      removedByTheirOwn.add(`${p.kind}:${p.name}`);
  const formulae = new Map<string, string>();
  for (const f of installed.formulae.values()) {
    const keep =
      listed.has(f.fullName) ||
      needed.has(f.fullName) ||
      removedByTheirOwn.has(`brew:${f.fullName}`) ||
      removedByTheirOwn.has(`brew:${shortName(f.fullName)}`);
    if (!keep) formulae.set(f.fullName, f.version);
  }
  const casks = new Map<string, string>();
  const listedCasks = new Set(r.casks);
  for (const [token, version] of installed.casks)
    if (!token.includes("/") && !listedCasks.has(token) && !removedByTheirOwn.has(`cask:${token}`))
      casks.set(token, version);
  const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  return { formulae: sorted(formulae), casks: sorted(casks) };
}

export const brewCleanupKind: KindHandler<BrewCleanupResource, BrewInstalled | Unobservable | null> = {
  kind: "brew-cleanup",
  steps: homebrewSteps,
  describe: (r) => `brew cleanup (${r.mode})`,
  observe: (ctx) => brewInstalled(ctx),
  // Without a machine there is nothing to say about what else is installed.
  assume: () => null,
  async plan(ctx, desired, previous, observed): Promise<Change | null> {
    if (!desired || observed === null) return null;
    if (isUnobservable(observed))
      return unobservableChange(desired.kind, desired.id, desired, previous, observed);
    const { formulae, casks } = unlisted(ctx, desired, observed);
    if (!formulae.length && !casks.length) return null;
    const zap = desired.mode === "zap";
    const steps: BrewUninstallStep[] = [
      ...formulae.map(([name]) => ({
        op: "brew-uninstall" as const,
        name,
        cask: false,
        zap: false,
        args: [],
      })),
      ...casks.map(([name]) => ({ op: "brew-uninstall" as const, name, cask: true, zap, args: [] })),
    ];
    // Unlisted means uninstalled, even what was there before dotops: the plan says so.
    const before = (id: string) => (wasThereBefore(ctx.ownership?.get(id)) ? " (there before dotops)" : "");
    const names = [
      ...formulae.map(([n, v]) => `${n} ${v}${before(`brew/${n}`)}`),
      ...casks.map(
        ([n, v]) => `cask ${n} ${v}${before(`cask/${n}`)}${zap ? " (zap: its app data too)" : ""}`,
      ),
    ];
    return {
      kind: desired.kind,
      id: desired.id,
      action: "delete",
      destructive: true,
      needsRoot: false,
      phase: Phase.uninstall,
      steps,
      note: `uninstalls ${steps.length} not in the config (cleanup: ${desired.mode}): ${names.join(", ")}`,
      diff: `${names.map((n) => `- ${n}`).join("\n")}\n`,
    };
  },
};
