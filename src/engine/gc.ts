import type { Engine } from "./engine.js";
import { withLock } from "./engine.js";
import {
  currentGeneration,
  type GenerationInfo,
  genDir,
  listGenerations,
  readManifest,
} from "./generations.js";

export interface GcRequest {
  /** Keep the newest N generations (the current one is always kept). */
  keep?: number;
  /** Delete generations older than this many milliseconds. */
  olderThanMs?: number;
  dryRun?: boolean;
  now?: Date;
}

export interface GcResult {
  deletedGenerations: number[];
  deletedObjects: string[];
  /** Runs of destructive steps whose removed files were kept in the trash. */
  deletedTrash: string[];
  keptGenerations: number[];
}

/**
 * Deletes old generations, then every store object no remaining generation
 * references (mark and sweep). Without --keep or --older-than only
 * unreferenced objects go. The current generation is never deleted.
 */
export async function gc(eng: Engine, req: GcRequest): Promise<GcResult> {
  return withLock(eng, "gc", async () => {
    const gens = await listGenerations(eng.host, eng.state);
    const current = await currentGeneration(eng.host, eng.state);
    const now = (req.now ?? new Date()).getTime();
    // Clamped at 0: with N above the count, `length - N` is negative and slice() would
    // count from the end, keeping fewer generations than asked.
    const newest = new Set(
      gens.slice(Math.max(0, gens.length - (req.keep ?? gens.length))).map((g) => g.number),
    );
    const old = (g: GenerationInfo) =>
      req.olderThanMs !== undefined && now - Date.parse(g.createdAt) > req.olderThanMs;
    // Both limits given: a generation goes only when it is past both.
    const doomed = (g: GenerationInfo) =>
      g.number !== current &&
      (req.keep !== undefined || req.olderThanMs !== undefined) &&
      (req.keep === undefined || !newest.has(g.number)) &&
      (req.olderThanMs === undefined || old(g));
    const deleted = gens.filter(doomed).map((g) => g.number);
    const kept = gens.map((g) => g.number).filter((n) => !deleted.includes(n));

    const live = new Set<string>();
    for (const n of kept) {
      for (const r of (await readManifest(eng.host, eng.state, n)).resources)
        if (r.object) live.add(r.object);
    }
    const objects = (await eng.host.lstat(eng.state.store)) ? await eng.host.readdir(eng.state.store) : [];
    const unreferenced = objects.filter((o) => !live.has(o));
    // What destructive steps moved aside (edited copies, the user's files in a replaced directory).
    const trashDir = `${eng.state.dir}/trash`;
    const trash = (await eng.host.lstat(trashDir)) ? await eng.host.readdir(trashDir) : [];
    if (!req.dryRun) {
      for (const n of deleted) await eng.host.removeTree(genDir(eng.state, n));
      for (const o of unreferenced) await eng.host.unlink(`${eng.state.store}/${o}`);
      await eng.host.removeTree(trashDir);
    }
    eng.log.info(
      {
        generations: deleted.length,
        objects: unreferenced.length,
        trash: trash.length,
        dryRun: !!req.dryRun,
      },
      "gc",
    );
    return {
      deletedGenerations: deleted,
      deletedObjects: unreferenced,
      deletedTrash: trash.map((t) => `${trashDir}/${t}`),
      keptGenerations: kept,
    };
  });
}
