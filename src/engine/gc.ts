import type { Host } from "../host/host.js";
import type { Collected, KeptGeneration } from "../resources/kind.js";
import { allKinds } from "../resources/registry.js";
import type { Engine } from "./engine.js";
import { resourceContext, withLock } from "./engine.js";
import {
  currentGeneration,
  type GenerationInfo,
  genDir,
  readManifest,
  scanGenerations,
} from "./generations.js";
import { readInstalled } from "./records.js";

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
  /** What kinds keep outside the store per generation (Nix profile generations), by kind. */
  collected: (Collected & { kind: string })[];
  /** Bytes the deleted generations, objects and trash held (or would free, with dryRun). */
  freedBytes: number;
  /** Generations whose records cannot be read: never deleted, and their objects never swept. */
  corrupt: { number: number; error: string }[];
}

/**
 * Deletes old generations, then every store object no remaining generation
 * references (mark and sweep). Without --keep or --older-than only
 * unreferenced objects go. The current generation is never deleted.
 */
export async function gc(eng: Engine, req: GcRequest): Promise<GcResult> {
  // Nothing was ever applied here: nothing to collect, and no state dir to create for it.
  if (!(await eng.host.lstat(eng.state.dir)))
    return {
      deletedGenerations: [],
      deletedObjects: [],
      deletedTrash: [],
      keptGenerations: [],
      collected: [],
      freedBytes: 0,
      corrupt: [],
    };
  return withLock(eng, "gc", async () => {
    // A generation that cannot be read is kept until repaired: it might be the one to go back to.
    const { readable: gens, corrupt } = await scanGenerations(eng.host, eng.state, { manifests: false });
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
    const keptManifests = [];
    for (const n of kept) {
      let manifest: Awaited<ReturnType<typeof readManifest>>;
      try {
        manifest = await readManifest(eng.host, eng.state, n);
      } catch (err) {
        corrupt.push({ number: n, error: (err as Error).message }); // kept, and then no sweep
        continue;
      }
      keptManifests.push({ manifest, installed: await readInstalled(eng.host, genDir(eng.state, n)) });
      for (const r of manifest.resources) if (r.object) live.add(r.object);
    }
    const objects = (await eng.host.lstat(eng.state.store)) ? await eng.host.readdir(eng.state.store) : [];
    // What an unreadable manifest references is unknown: then no object is swept.
    const unreferenced = corrupt.length ? [] : objects.filter((o) => !live.has(o));
    for (const c of corrupt)
      eng.log.warn(
        `gc keeps generation ${c.number}, which cannot be read, and every store object: ${c.error}`,
      );
    // What destructive steps moved aside (edited copies, the user's files in a replaced directory).
    const trashDir = `${eng.state.dir}/trash`;
    const trash = (await eng.host.lstat(trashDir)) ? await eng.host.readdir(trashDir) : [];
    const freedBytes =
      (await sizeOf(
        eng.host,
        deleted.map((n) => genDir(eng.state, n)),
      )) +
      (await sizeOf(
        eng.host,
        unreferenced.map((o) => `${eng.state.store}/${o}`),
      )) +
      (await sizeOf(eng.host, [trashDir]));
    if (!req.dryRun) {
      for (const n of deleted) await eng.host.removeTree(genDir(eng.state, n));
      for (const o of unreferenced) await eng.host.unlink(`${eng.state.store}/${o}`);
      await eng.host.removeTree(trashDir);
    }
    // Asked after the generations are gone: a kind's deletions follow what is left.
    const collected: GcResult["collected"] = [];
    const ctx = resourceContext(eng, { platform: keptManifests.at(-1)?.manifest.platform });
    for (const kind of allKinds()) {
      if (!kind.collect) continue;
      const byGen: KeptGeneration[] = keptManifests.map((g) => ({
        resources: g.manifest.resources.filter((r) => r.kind === kind.kind),
        installed: g.installed,
      }));
      const c = await kind.collect(ctx, byGen, !!req.dryRun);
      if (c) collected.push({ kind: kind.kind, ...c });
    }
    eng.log.info(
      {
        generations: deleted.length,
        objects: unreferenced.length,
        trash: trash.length,
        collected: collected.map((c) => `${c.kind}: ${c.deleted.length}`),
        dryRun: !!req.dryRun,
      },
      "gc",
    );
    return {
      deletedGenerations: deleted,
      deletedObjects: unreferenced,
      deletedTrash: trash.map((t) => `${trashDir}/${t}`),
      keptGenerations: [...new Set([...kept, ...corrupt.map((c) => c.number)])].sort((a, b) => a - b),
      collected,
      freedBytes,
      corrupt,
    };
  });
}

/** Bytes held by these files and trees (lstat sizes; links count as their own size). */
export async function sizeOf(host: Host, paths: string[]): Promise<number> {
  let total = 0;
  for (const p of paths) {
    const st = await host.lstat(p);
    if (!st) continue;
    total += st.size;
    if (st.type === "dir")
      total += await sizeOf(
        host,
        (await host.readdir(p)).map((e) => `${p}/${e}`),
      );
  }
  return total;
}
