import type { Host } from "../host/host.js";
import type { Resource } from "./types.js";

/**
 * The parts of dotops' state dir that resources point into: managed links
 * lead to `current`, objects live in `store`, the trash is under `dir`. The
 * engine owns the rest (engine/state.ts).
 */
export interface StateView {
  dir: string;
  store: string;
  current: string;
}

export const objectPath = (state: StateView, object: string) => `${state.store}/${object}`;

/** Size and mtime of a store object when a generation was applied: a changed object is drift. */
export interface ObjectStat {
  size: number;
  mtimeMs: number;
}

export interface ResourceContext {
  host: Host;
  /** The selected host's platform: which providers run (darwin: launchd, linux: systemd). */
  platform: "darwin" | "linux";
  state: StateView;
  /** Move unmanaged files in the way to `<path><backupExt>`; undefined: refuse instead. */
  backupExt?: string;
  /** Content of a store object (from the build in progress or the store). */
  content(object: string): Promise<Buffer>;
  /** Store objects of the current generation as they were when it was applied. */
  objectStats?: ReadonlyMap<string, ObjectStat>;
  /** Compute content diffs for the plan (reads both versions of every changed file). */
  diffs: boolean;
  /** Told how far long work has come (apply steps). */
  progress?: (phase: string, done: number, total: number) => void;
  /**
   * The last-applied resources by id, whatever their kind: ownership is judged
   * across kinds (a directory that held managed files becomes a file).
   */
  previous?: ReadonlyMap<string, Resource>;
  /** Names this run's things in the state dir (its trash): unique per apply. */
  runId: string;
  /** Per-run memo for observations shared between resources (parent dirs, one `brew info` for all brews). */
  memo: Map<string, Promise<unknown>>;
  /** `Change.owns` of every resource the current generation manages, by id: what was there before dotops. */
  ownership?: ReadonlyMap<string, unknown>;
  /**
   * The plan only checks for drift from the current generation (status, the
   * agent): steps that belong to every apply (a `run: always` script) are not drift.
   */
  checkingDrift?: boolean;
  /** The config repo on this machine: a parent link leading into it (a folded Stow package) is refused. */
  repoDir?: string;
  /** Streams what a long step prints (a `brew install`) to the log. */
  log?: (line: string) => void;
}
