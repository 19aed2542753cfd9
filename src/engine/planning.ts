import type { ObjectStat } from "../resources/context.js";
import type { Blob, Manifest } from "../resources/types.js";
import { type Engine, resourceContext } from "./engine.js";
import {
  currentGeneration,
  type GenerationInfo,
  genDir,
  listGenerations,
  readManifest,
} from "./generations.js";
import { inputChanges } from "./input-changes.js";
import { computeChanges, type Plan, summarize } from "./plan.js";
import { readOwnership } from "./records.js";
import { readObjectStats } from "./store.js";

/** What a plan starts from: the current generation, its records, and the list of generations. */
export interface Baseline {
  current: number | null;
  currentMeta: GenerationInfo | undefined;
  previous: Manifest | null;
  gens: GenerationInfo[];
  /** The current generation's store objects as they were applied: a changed one is drift. */
  objectStats?: ReadonlyMap<string, ObjectStat>;
  /** What the current generation's resources found before dotops managed them. */
  ownership?: ReadonlyMap<string, unknown>;
}

export async function baseline(eng: Engine): Promise<Baseline> {
  const gens = await listGenerations(eng.host, eng.state);
  const current = await currentGeneration(eng.host, eng.state);
  const previous = current === null ? null : await readManifest(eng.host, eng.state, current);
  const dir = current === null ? null : genDir(eng.state, current);
  const objectStats = dir === null ? undefined : await readObjectStats(eng.host, dir);
  const ownership = dir === null ? undefined : await readOwnership(eng.host, dir);
  return {
    current,
    currentMeta: gens.find((g) => g.number === current),
    previous,
    gens,
    objectStats,
    ownership,
  };
}

/** What a plan is towards: a manifest, the content it needs, and the commit it came from. */
export type PlanTarget = { manifest: Manifest; blobs: Map<string, Blob>; commit: string | null };

export const targetOf = (d: {
  manifest: Manifest;
  blobs: Map<string, Blob>;
  source: { commit?: string | null };
}): PlanTarget => ({
  manifest: d.manifest,
  blobs: d.blobs,
  commit: d.source.commit ?? null,
});

export async function makePlan(
  eng: Engine,
  desired: PlanTarget,
  base: Baseline,
  opts: { backupExt?: string; observe?: boolean; repoDir?: string },
): Promise<Plan> {
  const ctx = resourceContext(eng, {
    blobs: desired.blobs,
    backupExt: opts.backupExt,
    repoDir: opts.repoDir,
    objectStats: base.objectStats,
    platform: desired.manifest.platform,
    ownership: base.ownership,
  });
  const { changes, unchanged } = await computeChanges(ctx, {
    desired: desired.manifest,
    previous: base.previous,
    observe: opts.observe ?? true,
  });
  const same = base.gens
    .filter(
      (g) => g.manifestHash === desired.manifest.hash && g.outcome === "applied" && g.number !== base.current,
    )
    .at(-1);
  const inputs = await inputChanges(eng.state, base.previous?.inputs, desired.manifest.inputs, changes);
  return {
    host: desired.manifest.host,
    from: base.currentMeta ? { generation: base.currentMeta.number, commit: base.currentMeta.commit } : null,
    to: { commit: desired.commit, manifestHash: desired.manifest.hash },
    rollbackTo:
      same && base.currentMeta?.manifestHash !== desired.manifest.hash
        ? { generation: same.number, commit: same.commit }
        : null,
    changes,
    unchanged,
    summary: summarize(changes),
    ...(inputs.length ? { inputs } : {}),
  };
}
