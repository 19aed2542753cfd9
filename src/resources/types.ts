import type { Mount } from "../config/source.js";
import type { Origin } from "../errors.js";

/**
 * Resources are plain data: what a module wants on the machine. The engine
 * sees only this shape; each kind's folder beside this file defines its own
 * resource and behaviour (observe, plan, steps with undo). Ids of home paths
 * are written `~/...` so manifests do not depend on where HOME is.
 */
export type Resource = {
  /** Names the folder (kind) that knows the rest. */
  kind: string;
  /** Unique across kinds: `~/...` for a path in HOME. */
  id: string;
  /** The store object whose content the resource puts on the machine, if any. */
  object?: string;
  /** Holds `!secret` values: plans show no diff of it. */
  secret?: true;
} & Record<string, unknown>;

/** A resource plus where the config asked for it (not part of the manifest hash). */
export type Located<R extends Resource = Resource> = R & { origin?: Origin };

/** Content destined for the store, named by its hash. */
export interface Blob {
  object: string;
  data: Buffer;
  executable: boolean;
}

export interface Manifest {
  version: 1;
  host: string;
  platform: "darwin" | "linux";
  /** sha256 of the canonical resource list: the generation's identity. */
  hash: string;
  resources: Located[];
  /** The inputs and externals it was built from, at their locked commits (not part of the hash). */
  inputs?: Mount[];
}
