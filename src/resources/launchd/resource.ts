import type { ServiceConfig } from "../services/schema.js";

/** A launchd agent of the user (`services:` on darwin): id `launchd/<label>`. */
export type LaunchdAgentResource = { kind: "launchd-agent"; id: string; service: ServiceConfig };

/** What `Change.owns` keeps for an agent that was already there, byte for byte, when dotops first managed it. */
export interface AdoptedAgent {
  prior: { plist: string; loaded: boolean };
}
