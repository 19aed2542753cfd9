import type { Config } from "../config/load.js";
import { originOf } from "../config/yaml.js";
import type { Located, Resource } from "../resources/types.js";
import type { ModuleOutput } from "./module.js";

/**
 * home/services.yaml → a launchd agent per service on darwin hosts, a systemd
 * user unit on linux hosts (Home Manager's launchd.agents / systemd.user.services).
 * The kinds render the plist or unit on the machine (HOME is theirs to know).
 */
export function servicesModule(config: Config): ModuleOutput {
  const darwin = config.host.platform === "darwin";
  const resources: Located<Resource>[] = config.services.map((service, i) => ({
    kind: darwin ? "launchd-agent" : "systemd-unit",
    id: darwin ? `launchd/${service.label}` : `systemd/${service.label}.service`,
    service,
    origin: originOf(config.located, ["services", i]),
  }));
  return { resources, blobs: [] };
}
