import type { Config } from "../config/load.js";
import { ConfigError, type ConfigProblem, formatOrigin } from "../errors.js";
import type { Blob, Located, Manifest, Resource } from "../resources/types.js";
import { blocksModule } from "./blocks.js";
import { defaultsModule } from "./defaults.js";
import { filesModule } from "./files.js";
import { addParentDirs, foldedCollisions } from "./home-path.js";
import { homebrewModule } from "./homebrew.js";
import type { Module } from "./module.js";
import { nixModule } from "./nix.js";
import { canonicalJson, sha256 } from "./objects.js";
import { programsModule } from "./programs/index.js";
import { scriptsModule } from "./scripts.js";
import { servicesModule } from "./services.js";
import { shellModule } from "./shell/index.js";

export const MODULES: Module[] = [
  filesModule,
  blocksModule,
  shellModule,
  homebrewModule,
  defaultsModule,
  servicesModule,
  programsModule,
  scriptsModule,
  nixModule,
];

export interface BuildInput {
  manifest: Manifest;
  /** Content for the store, by object name. */
  blobs: Map<string, Blob>;
  warnings: ConfigProblem[];
}

/**
 * Runs every module and flattens their resources into one sorted, hashed
 * manifest. Two configs that want the same machine get the same hash.
 */
export function buildManifest(config: Config, modules: Module[] = MODULES): BuildInput {
  const byId = new Map<string, Located<Resource>>();
  const blobs = new Map<string, Blob>();
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  for (const mod of modules) {
    const out = mod(config);
    warnings.push(...(out.warnings ?? []));
    for (const b of out.blobs) blobs.set(b.object, b);
    for (const r of out.resources) {
      // Ids are unique across kinds: one thing per path, package or setting.
      const prev = byId.get(r.id);
      if (!prev) byId.set(r.id, r);
      else if (canonicalJson(stripOrigin(prev)) !== canonicalJson(stripOrigin(r)))
        problems.push({
          message: `${r.id} is managed twice (also at ${formatOrigin(prev.origin) || "another module"})`,
          origin: r.origin,
        });
    }
  }
  problems.push(...addParentDirs(byId));
  const folded = foldedCollisions(byId);
  (config.host.platform === "darwin" ? problems : warnings).push(...folded);
  if (problems.length) throw new ConfigError(problems);
  const resources = [...byId.values()].sort(compareResources);
  const manifest: Manifest = {
    version: 1,
    host: config.host.name,
    platform: config.host.platform,
    // A pass that asked for content not read yet is run again (withContent): its hash would be thrown away.
    hash: config.source.wanted?.size ? "" : manifestHash(resources),
    resources,
    ...(config.source.mounts?.length ? { inputs: [...config.source.mounts] } : {}),
  };
  return { manifest, blobs, warnings };
}

export function compareResources(a: Resource, b: Resource): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

/** Hash of what the machine should be; origins (where the config said it) are left out. */
export function manifestHash(resources: Located<Resource>[]): string {
  return sha256(canonicalJson(resources.map(stripOrigin)));
}

export function stripOrigin<R extends Resource>(r: Located<R>): R {
  const { origin: _origin, ...rest } = r;
  return rest as unknown as R;
}
