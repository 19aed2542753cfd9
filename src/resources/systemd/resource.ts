import type { ServiceConfig } from "../services/schema.js";

/** A systemd user unit (`services:` on linux): id `systemd/<label>.service`; a `.timer` beside it for startInterval. */
export type SystemdUnitResource = { kind: "systemd-unit"; id: string; service: ServiceConfig };

/** What `Change.owns` keeps for units that were already there, byte for byte, when dotops first managed them. */
export interface AdoptedUnit {
  prior: { files: Record<string, string>; enabled: boolean };
}
