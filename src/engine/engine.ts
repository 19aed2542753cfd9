import { DotopsError } from "../errors.js";
import { atomicSymlink, type Host } from "../host/host.js";
import type { ObjectStat, ResourceContext } from "../resources/context.js";
import type { Blob } from "../resources/types.js";
import {
  currentGeneration,
  type GenerationMeta,
  genDir,
  generationNumbers,
  inspectCurrent,
  readMeta,
  writeMeta,
} from "./generations.js";
import { type Failpoints, type Recovery, recoverJournal } from "./journal.js";
import { acquireLock, lockedBy, lockHeld } from "./lock.js";
import type { StatePaths } from "./state.js";
import { objectPath } from "./store.js";

/** What every engine operation needs: where, how to log, and test hooks. */
export interface Engine {
  host: Host;
  state: StatePaths;
  log: Log;
  failpoints?: Failpoints;
  /** Called as long work advances (a terminal shows a progress line). */
  progress?: Progress;
  /** The latest line a long-running tool printed (a `brew install`), for the progress line. */
  activity?: (line: string) => void;
  /** false: plans skip content diffs (the agent renders none; a revert then reads nothing). */
  diffs?: boolean;
  /** The host records instead of doing (apply --dry-run): nothing was applied, so nothing can be checked. */
  dryRun?: boolean;
}

export type Progress = (phase: string, done: number, total: number) => void;

/** The subset of pino's logger the engine uses. */
export interface Log {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface ContextOptions {
  /** Content of the build in progress, by object name. */
  blobs?: Map<string, Blob>;
  backupExt?: string;
  objectStats?: ReadonlyMap<string, ObjectStat>;
  /** The selected host's platform (from the manifest); recovery, which only undoes, uses this machine's. */
  platform?: "darwin" | "linux";
  ownership?: ReadonlyMap<string, unknown>;
  /** The config repo on this machine: nothing is written through a link into it. */
  repoDir?: string;
}

export function resourceContext(eng: Engine, opts: ContextOptions = {}): ResourceContext {
  const blobs = opts.blobs ?? new Map<string, Blob>();
  return {
    host: eng.host,
    platform: opts.platform ?? (process.platform === "darwin" ? "darwin" : "linux"),
    state: eng.state,
    backupExt: opts.backupExt,
    objectStats: opts.objectStats,
    ownership: opts.ownership,
    repoDir: opts.repoDir,
    diffs: eng.diffs ?? true,
    progress: eng.progress,
    // A tool's output goes to the log; on a terminal it shows on the progress line instead (-v logs it too).
    log: (line) => {
      if (eng.activity) {
        eng.activity(line);
        eng.log.debug(line);
      } else eng.log.info(line);
    },
    memo: new Map(),
    runId: `${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}`,
    async content(object) {
      const b = blobs.get(object);
      if (b) return b.data;
      try {
        return await eng.host.readFile(objectPath(eng.state, object));
      } catch {
        throw new DotopsError(
          `store object ${object} is missing from ${eng.state.store}`,
          1,
          "the store was modified by hand; re-apply from the config repo (`dotops apply`) to rebuild it",
        );
      }
    },
  };
}

export async function ensureStateDir(eng: Engine): Promise<void> {
  await eng.host.mkdir(eng.state.dir, 0o700);
  await eng.host.mkdir(eng.state.generations, 0o700);
  // The store holds every rendered file, secrets included: the state dir is the owner's alone.
  const st = await eng.host.lstat(eng.state.dir);
  if (st?.type === "dir" && st.mode & 0o077) {
    await eng.host.chmod(eng.state.dir, 0o700);
    eng.log.warn(`${eng.state.dir} was readable by others (mode ${st.mode.toString(8)}): set to 700`);
  }
}

/** Runs `fn` holding the state-dir lock, after finishing any interrupted apply. */
export async function withLock<T>(eng: Engine, command: string, fn: () => Promise<T>): Promise<T> {
  await ensureStateDir(eng);
  const lock = await acquireLock(eng.host, eng.state.lock, command);
  try {
    await recover(eng);
    return await fn();
  } finally {
    await lock.release();
  }
}

/**
 * For read-only commands: recover a crashed apply, or a broken `current`,
 * first. A journal whose apply is still running (its lock is held) is not a
 * crash: the reader goes on with the last recorded state instead of failing.
 */
export async function recoverIfInterrupted(eng: Engine): Promise<void> {
  const c = await inspectCurrent(eng.host, eng.state);
  const journal = await eng.host.lstat(eng.state.journal);
  if (!("fallback" in c) && !journal) {
    const newest = (await generationNumbers(eng.host, eng.state)).at(-1);
    if (newest === undefined || !(await orphan(eng, newest, c.number))) return;
  }
  if (await lockHeld(eng.host, eng.state.lock)) return;
  await withLock(eng, "recover", async () => {});
}

/**
 * Before planning without the lock: a journal whose lock is held means an
 * apply is running right now, HOME is half-changed, and no plan made from it
 * would hold. Said as the lock would say it.
 */
export async function refuseWhileApplying(eng: Engine): Promise<void> {
  if (!(await eng.host.lstat(eng.state.journal))) return;
  const busy = await lockedBy(eng.host, eng.state.lock);
  if (busy) throw busy;
}

/** Points a broken `current` (a loop, a half-deleted generation) back at the newest whole one. */
async function repairCurrent(eng: Engine): Promise<void> {
  const c = await inspectCurrent(eng.host, eng.state);
  if (!("fallback" in c)) return;
  if (c.fallback === null) await eng.host.unlink(eng.state.current);
  else await atomicSymlink(eng.host, eng.state.current, genDir(eng.state, c.fallback));
  eng.log.warn(
    { generation: c.fallback },
    `${c.broken}: repaired, current is ${c.fallback === null ? "unset (nothing applied)" : `generation ${c.fallback}`}; \`dotops apply\` puts HOME back in line with it`,
  );
}

async function recover(eng: Engine): Promise<Recovery | null> {
  await repairCurrent(eng);
  const r = await recoverJournal(resourceContext(eng), eng.state.journal);
  // What a crash in the switch leaves beside `current` (its replacement, not yet renamed).
  await eng.host.unlink(`${eng.state.current}.dotops-new`);
  const names = (await eng.host.lstat(eng.state.generations))
    ? await eng.host.readdir(eng.state.generations)
    : [];
  for (const name of names.filter((n) => n.endsWith(".partial")))
    await eng.host.removeTree(`${eng.state.generations}/${name}`);
  const numbers = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const n = r?.begin?.generation ?? null;
  if (r && n !== null && numbers.includes(n)) {
    const meta = await readMeta(eng.host, eng.state, n);
    // Only a generation being created is pending. An interrupted rollback names
    // an existing generation as its target: its record stays as it was.
    if (meta.outcome === "pending") {
      if (r.committed) meta.outcome = "applied";
      else {
        meta.outcome = "failed";
        meta.error = `interrupted (pid ${r.begin?.pid}); ${r.undone} steps rolled back by recovery`;
      }
      await writeMeta(eng.host, eng.state, meta);
    }
  }
  await failOrphan(eng, Math.max(-1, ...numbers), n);
  if (!r) return null;
  const torn = r.unreadable.length
    ? `; ${r.unreadable.length} journal line(s) could not be read (torn by the crash, or from another dotops version) and were not undone: ${r.unreadable.map((l) => JSON.stringify(l.slice(0, 120))).join(", ")}`
    : "";
  eng.log.warn(
    { generation: n, committed: r.committed, undone: r.undone, unreadable: r.unreadable.length },
    r.committed
      ? `finished an interrupted apply of generation ${n}${torn}`
      : `rolled back an interrupted apply (${r.undone} steps undone); the machine is back at generation ${await currentGeneration(eng.host, eng.state)}${torn}`,
  );
  return r;
}

/**
 * An apply that died after laying out its generation and before its journal
 * was durable leaves that generation pending and not current: it never
 * applied a step. Only the newest can be such, and we hold the lock: nobody
 * is applying it.
 */
async function failOrphan(eng: Engine, newest: number, journaled: number | null): Promise<void> {
  if (newest < 0 || newest === journaled) return;
  const meta = await orphan(eng, newest, await currentGeneration(eng.host, eng.state));
  if (!meta) return;
  await writeMeta(eng.host, eng.state, {
    ...meta,
    outcome: "failed",
    error: "interrupted before its first step: nothing was applied",
  });
  eng.log.warn(
    { generation: newest },
    `generation ${newest} was interrupted before its first step: marked failed`,
  );
}

/** The newest generation's record when it is pending and not current (see failOrphan). */
async function orphan(eng: Engine, newest: number, current: number | null): Promise<GenerationMeta | null> {
  if (newest === current) return null;
  try {
    const meta = await readMeta(eng.host, eng.state, newest);
    return meta.outcome === "pending" ? meta : null;
  } catch {
    return null; // a corrupt record is reported by the commands that read it
  }
}

export { genDir };
