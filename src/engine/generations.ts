import { DotopsError } from "../errors.js";
import type { Host } from "../host/host.js";
import type { Manifest } from "../resources/types.js";
import { mapLimit } from "./concurrency.js";
import type { StatePaths } from "./state.js";
import type { ResourceTiming } from "./timer.js";

export type Outcome = "pending" | "applied" | "rolled-back" | "failed" | "refused";

/** meta.json of a generation. */
export interface GenerationMeta {
  number: number;
  commit: string | null;
  parentCommit: string | null;
  /** "commit" or "worktree" (uncommitted files, --worktree) */
  source: string;
  manifestHash: string;
  host: string;
  createdAt: string;
  /** Milliseconds per pipeline phase. */
  phases: Record<string, number>;
  outcome: Outcome;
  error?: string;
  /** The earlier generation whose manifest this one repeats (a revert). */
  sameContentAs: number | null;
  /** Commits that arrived together with this one and were not applied on their own. */
  superseded: string[];
  summary?: { create: number; update: number; delete: number };
  /** The config's health checks on this generation: "pending" while they run (a pass that died leaves it). */
  health?: "pending" | "passed" | "failed";
}

export interface GenerationInfo extends GenerationMeta {
  current: boolean;
}

export const genDir = (state: StatePaths, n: number) => `${state.generations}/${n}`;

export async function readMeta(host: Host, state: StatePaths, n: number): Promise<GenerationMeta> {
  return readJson<GenerationMeta>(host, `${genDir(state, n)}/meta.json`, `generation ${n}`);
}

export async function readManifest(host: Host, state: StatePaths, n: number): Promise<Manifest> {
  return readJson<Manifest>(host, `${genDir(state, n)}/manifest.json`, `generation ${n}`);
}

export async function writeMeta(host: Host, state: StatePaths, meta: GenerationMeta): Promise<void> {
  await host.writeFile(
    `${genDir(state, meta.number)}/meta.json`,
    `${JSON.stringify(meta, null, 2)}\n`,
    0o644,
  );
}

/** timings.json of a generation: how long each resource's steps took, slowest first; only those that ran. */
export interface GenerationTimings {
  resources: ResourceTiming[];
}

const timingsFile = (state: StatePaths, n: number) => `${genDir(state, n)}/timings.json`;

export async function writeTimings(host: Host, state: StatePaths, n: number, resources: ResourceTiming[]) {
  const timings: GenerationTimings = { resources };
  await host.writeFile(timingsFile(state, n), `${JSON.stringify(timings, null, 1)}\n`, 0o644);
}

/** A generation's timings.json; null when it has none (recorded before it was, or no step ran). */
export async function readTimings(
  host: Host,
  state: StatePaths,
  n: number,
): Promise<GenerationTimings | null> {
  if (!(await host.lstat(timingsFile(state, n)))) return null;
  return readJson<GenerationTimings>(host, timingsFile(state, n), `generation ${n}`);
}

async function readJson<T>(host: Host, path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = (await host.readFile(path)).toString("utf8");
  } catch (err) {
    throw new DotopsError(
      `${what} is incomplete: cannot read ${path} (${(err as Error).message})`,
      1,
      repairHint,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new DotopsError(
      `${what} is corrupt: ${path} is not valid JSON (${(err as Error).message})`,
      1,
      repairHint,
    );
  }
}

const repairHint =
  "restore the file from a backup, or delete that generation's directory (it cannot be current) and run `dotops gc`";

/** Generation numbers present on disk, ascending. */
export async function generationNumbers(host: Host, state: StatePaths): Promise<number[]> {
  if (!(await host.lstat(state.generations))) return [];
  return (await host.readdir(state.generations))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The generation `current` points at. A broken `current` (a loop, a link to
 * something that is not a whole generation) is read as the newest complete
 * applied generation, so that every command still works; the next command
 * that takes the lock repairs the link (engine `recover`).
 */
export async function currentGeneration(host: Host, state: StatePaths): Promise<number | null> {
  const c = await inspectCurrent(host, state);
  return "fallback" in c ? c.fallback : c.number;
}

export type CurrentLink =
  | { number: number | null; broken?: undefined }
  | { broken: string; fallback: number | null };

export async function inspectCurrent(host: Host, state: StatePaths): Promise<CurrentLink> {
  const st = await host.lstat(state.current);
  if (!st) return { number: null };
  const problem = async (): Promise<string | { n: number }> => {
    if (st.type !== "symlink") return `${state.current} is not a link`;
    const target = await host.readlink(state.current);
    const m = /^(\d+)$/.exec(target.slice(state.generations.length + 1));
    if (!target.startsWith(`${state.generations}/`) || !m)
      return `${state.current} points at ${target}, which is not a generation`;
    if (!(await host.lstat(`${target}/meta.json`)) || !(await host.lstat(`${target}/manifest.json`)))
      return `${state.current} points at ${target}, which is not a complete generation`;
    return { n: Number(m[1]) };
  };
  const p = await problem();
  if (typeof p !== "string") return { number: p.n };
  return { broken: p, fallback: await newestComplete(host, state) };
}

/** The newest generation that was applied and whose records are whole. */
async function newestComplete(host: Host, state: StatePaths): Promise<number | null> {
  for (const n of (await generationNumbers(host, state)).reverse()) {
    try {
      await readManifest(host, state, n);
      if ((await readMeta(host, state, n)).outcome === "applied") return n;
    } catch {
      // incomplete or corrupt: try an older one
    }
  }
  return null;
}

export async function listGenerations(host: Host, state: StatePaths): Promise<GenerationInfo[]> {
  const current = await currentGeneration(host, state);
  // Every apply reads every record (to recognise a revert): in parallel, or 200 generations cost 100+ ms.
  return mapLimit(await generationNumbers(host, state), 16, async (n) => ({
    ...(await readMeta(host, state, n)),
    current: n === current,
  }));
}

/** A generation whose records cannot be read: reported by health, kept by gc, skipped by perf. */
export interface CorruptGeneration {
  number: number;
  error: string;
}

/** Every generation, the readable ones and those whose meta.json or manifest.json cannot be read. */
export async function scanGenerations(
  host: Host,
  state: StatePaths,
  /** false: the manifests are only looked for, not parsed (gc parses those it keeps anyway). */
  { manifests = true } = {},
): Promise<{ readable: GenerationInfo[]; corrupt: CorruptGeneration[] }> {
  const current = await currentGeneration(host, state);
  type Read = { info: GenerationInfo } | { unreadable: CorruptGeneration };
  const read = await mapLimit(await generationNumbers(host, state), 16, async (n): Promise<Read> => {
    try {
      const manifest = `${genDir(state, n)}/manifest.json`;
      if (manifests) await readJson<unknown>(host, manifest, `generation ${n}`);
      else if (!(await host.lstat(manifest)))
        throw new DotopsError(`generation ${n} is incomplete: ${manifest} is missing`, 1, repairHint);
      return { info: { ...(await readMeta(host, state, n)), current: n === current } };
    } catch (err) {
      return { unreadable: { number: n, error: (err as Error).message } };
    }
  });
  // A failed generation's meta has an `error` of its own: told apart by the wrapper.
  return {
    readable: read.flatMap((g) => ("info" in g ? [g.info] : [])),
    corrupt: read.flatMap((g) => ("unreadable" in g ? [g.unreadable] : [])),
  };
}

/** The generation a plain `rollback` goes to: the newest applied one before current. */
export function previousApplied(gens: GenerationInfo[], current: number | null): GenerationInfo | undefined {
  return gens.filter((g) => g.outcome === "applied" && current !== null && g.number < current).at(-1);
}
