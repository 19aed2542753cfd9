import type { Origin } from "../errors.js";

/**
 * Resources are plain data: what a module wants on the machine. Each kind's
 * behaviour (observe, plan, apply, undo) lives in its own folder beside this
 * file. Ids of home paths are written `~/...` so manifests do not depend on
 * where HOME is.
 */
export interface DirResource {
  kind: "dir";
  id: string;
}

/** A symlink in HOME into the current generation's home tree (atomic switch). */
export interface LinkResource {
  kind: "link";
  id: string;
  /** Store object the generation tree points at. */
  object: string;
  /** Holds `!secret` values: plans show no diff of it. */
  secret?: true;
}

/** A real file in HOME with its own permissions (mode: copy). */
export interface FileResource {
  kind: "file";
  id: string;
  object: string;
  mode: number;
  secret?: true;
}

/** A symlink with fixed text, kept as the repo has it (a link between files of one directory source). */
export interface SymlinkResource {
  kind: "symlink";
  id: string;
  /** The link's text, as readlink(2) returns it. */
  target: string;
}

export type Resource = DirResource | LinkResource | FileResource | SymlinkResource;
export type ResourceKindName = Resource["kind"];

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
}
