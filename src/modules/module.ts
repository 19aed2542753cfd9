import type { Config } from "../config/load.js";
import type { Blob, Located, Resource } from "../resources/types.js";

/** A module is a pure function of the config: no I/O. */
export interface ModuleOutput {
  resources: Located<Resource>[];
  blobs: Blob[];
}

export type Module = (config: Config) => ModuleOutput;
