import type { Config } from "../config/load.js";
import { originOf } from "../config/yaml.js";
import type {
  BrewCleanupResource,
  BrewResource,
  CaskResource,
  MasResource,
  TapResource,
} from "../resources/homebrew/resource.js";
import type { Located, Resource } from "../resources/types.js";
import type { ModuleOutput } from "./module.js";

/**
 * `homebrew:` → tap, brew, cask and mas resources (nix-darwin's homebrew.*,
 * a Brewfile), and the cleanup of what is installed but not listed. Only for
 * darwin hosts: a linux host's plan has none of them.
 */
export function homebrewModule(config: Config): ModuleOutput {
  if (config.host.platform !== "darwin") return { resources: [], blobs: [] };
  const hb = config.homebrew;
  const resources: Located<Resource>[] = [];
  const at = (...path: (string | number)[]) => originOf(config.located, ["homebrew", ...path]);
  // The same entry twice (two imported files) is one resource; two different ones fail in buildManifest.
  const add = (r: Located<Resource>) => resources.push(r);

  hb.taps?.forEach((t, i) => {
    const name = typeof t === "string" ? t : t.name;
    const url = typeof t === "string" ? undefined : t.url;
    const r: TapResource = { kind: "tap", id: `tap/${name}`, name, ...(url ? { url } : {}) };
    add({ ...r, origin: at("taps", i) });
  });
  const brews: string[] = [];
  hb.brews?.forEach((b, i) => {
    const o = typeof b === "string" ? { name: b } : b;
    brews.push(o.name);
    const r: BrewResource = {
      kind: "brew",
      id: `brew/${o.name}`,
      name: o.name,
      ...(o.args?.length ? { args: o.args } : {}),
      ...(o.link !== undefined ? { link: o.link } : {}),
      ...(o.restartService !== undefined ? { restartService: o.restartService } : {}),
    };
    add({ ...r, origin: at("brews", i) });
  });
  const casks: string[] = [];
  hb.casks?.forEach((c, i) => {
    const o = typeof c === "string" ? { name: c } : c;
    casks.push(o.name);
    const r: CaskResource = {
      kind: "cask",
      id: `cask/${o.name}`,
      name: o.name,
      ...(o.args?.length ? { args: o.args } : {}),
      ...(o.greedy !== undefined ? { greedy: o.greedy } : {}),
    };
    add({ ...r, origin: at("casks", i) });
  });
  for (const [name, appId] of Object.entries(hb.mas ?? {})) {
    const r: MasResource = { kind: "mas", id: `mas/${appId}`, appId, name };
    add({ ...r, origin: at("mas", name) });
  }
  if (hb.cleanup === "uninstall" || hb.cleanup === "zap") {
    const r: BrewCleanupResource = {
      kind: "brew-cleanup",
      id: "brew-cleanup",
      mode: hb.cleanup,
      brews: [...new Set(brews)].sort(),
      casks: [...new Set(casks)].sort(),
    };
    resources.push({ ...r, origin: at("cleanup") });
  }
  return { resources, blobs: [] };
}
