import type { Config } from "../config/load.js";
import { formatPath, originOf, type Path } from "../config/yaml.js";
import { ConfigError, type ConfigProblem } from "../errors.js";
import {
  canonicalDomain,
  type DefaultsResource,
  type DomainRef,
  defaultsId,
  type RestartResource,
  restartId,
} from "../resources/defaults/resource.js";
import { typedFromConfig, ValueError } from "../resources/defaults/value.js";
import type { Located, Resource } from "../resources/types.js";
import type { ModuleOutput } from "./module.js";

/**
 * `defaults:`, `currentHostDefaults:` and `restartOnChange:` (nix-darwin's
 * system.defaults) → one `defaults` resource per key, typed, and one
 * `defaults-restart` per process to restart. macOS only: other hosts get none.
 */
export function defaultsModule(config: Config): ModuleOutput {
  if (config.host.platform !== "darwin") return { resources: [], blobs: [] };
  const problems: ConfigProblem[] = [];
  const keys: Located<DefaultsResource>[] = [];
  const collect = (section: "defaults" | "currentHostDefaults", currentHost: boolean) => {
    for (const [rawDomain, entries] of Object.entries(config[section])) {
      const ref: DomainRef = {
        domain: canonicalDomain(rawDomain),
        ...(currentHost ? { currentHost: true } : {}),
      };
      for (const [key, raw] of Object.entries(entries)) {
        const at: Path = [section, rawDomain, key];
        const origin = originOf(config.located, at);
        try {
          const value = typedFromConfig(raw, `${rawDomain}.${key}`);
          keys.push({ kind: "defaults", id: defaultsId(ref, key), ...ref, key, value, origin });
        } catch (err) {
          if (!(err instanceof ValueError)) throw err;
          problems.push({ message: err.message, origin, path: formatPath(at) });
        }
      }
    }
  };
  collect("defaults", false);
  collect("currentHostDefaults", true);
  if (problems.length) throw new ConfigError(problems);

  const byProcess = new Map<string, string[]>();
  for (const [domain, process] of Object.entries(config.restartOnChange))
    byProcess.set(process, [...(byProcess.get(process) ?? []), canonicalDomain(domain)]);
  const restarts = [...byProcess].map(([process, domains]): Located<RestartResource> => {
    const watched = domains.sort();
    return {
      kind: "defaults-restart",
      id: restartId(process),
      process,
      domains: watched,
      keys: keys
        .filter((k) => watched.includes(k.domain))
        .map(({ origin: _origin, ...k }) => k)
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
      origin: originOf(config.located, ["restartOnChange"]),
    };
  });
  return { resources: [...keys, ...restarts] as Located<Resource>[], blobs: [] };
}
