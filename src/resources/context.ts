import type { Host } from "../host/host.js";

/** Where dotops keeps its state (DESIGN §4): all paths absolute. */
export interface StatePaths {
  dir: string;
  store: string;
  generations: string;
  /** Symlink to generations/<n>: switched by one rename. */
  current: string;
  journal: string;
  lock: string;
}

export function statePaths(dir: string): StatePaths {
  return {
    dir,
    store: `${dir}/store`,
    generations: `${dir}/generations`,
    current: `${dir}/current`,
    journal: `${dir}/journal`,
    lock: `${dir}/lock`,
  };
}

export interface ResourceContext {
  host: Host;
  state: StatePaths;
  /** Move unmanaged files in the way to `<path><backupExt>`; undefined: refuse instead. */
  backupExt?: string;
  /** Content of a store object (from the build in progress or the store). */
  content(object: string): Promise<Buffer>;
  /** Compute content diffs for the plan (reads both versions of every changed file). */
  diffs: boolean;
  /** Told how far long work has come (apply steps). */
  progress?: (phase: string, done: number, total: number) => void;
  /** Per-run memo for observations shared between resources (parent dirs). */
  memo: Map<string, Promise<unknown>>;
}
