import type { Config } from "../config/load.js";
import type { ConfigProblem } from "../errors.js";
import type { Blob, Located, Resource } from "../resources/types.js";

/** A module is a pure function of the config: no I/O. */
export interface ModuleOutput {
  resources: Located<Resource>[];
  blobs: Blob[];
  /** Things skipped that the user should hear about (a symlink out of the repo): logged, not fatal. */
  warnings?: ConfigProblem[];
}

export type Module = (config: Config) => ModuleOutput;
