import { DotopsError } from "../errors.js";
import type { Change } from "../resources/change.js";
import { type Engine, recoverIfInterrupted, resourceContext } from "./engine.js";
import {
  currentGeneration,
  type GenerationMeta,
  genDir,
  generationNumbers,
  readManifest,
  readMeta,
} from "./generations.js";
import { type InputChange, inputChanges } from "./input-changes.js";
import { computeChanges } from "./plan.js";
import { readInstalled, readOwnership } from "./records.js";
import { readObjectStats } from "./store.js";

export interface Status {
  generation: GenerationMeta | null;
  /** Changes that would put the machine back to the current generation. */
  drift: Change[];
}

/** The current generation and how the machine has drifted from it. */
export async function status(eng: Engine): Promise<Status> {
  await recoverIfInterrupted(eng);
  const n = await currentGeneration(eng.host, eng.state);
  if (n === null) return { generation: null, drift: [] };
  const meta = await readMeta(eng.host, eng.state, n);
  const manifest = await readManifest(eng.host, eng.state, n);
  const objectStats = await readObjectStats(eng.host, genDir(eng.state, n));
  const ownership = await readOwnership(eng.host, genDir(eng.state, n));
  const ctx = {
    ...resourceContext(eng, { objectStats, ownership, platform: manifest.platform }),
    checkingDrift: true,
  };
  const { changes } = await computeChanges(ctx, {
    desired: manifest,
    previous: manifest,
    observe: true,
  });
  return { generation: meta, drift: changes };
}

/** What changed between two recorded generations (no machine involved). */
export async function diffGenerations(
  eng: Engine,
  a: number,
  b: number,
): Promise<{ changes: Change[]; inputs: InputChange[] }> {
  const known = await generationNumbers(eng.host, eng.state);
  for (const n of [a, b])
    if (!known.includes(n))
      throw new DotopsError(`there is no generation ${n}`, 1, "see `dotops generations`");
  const [from, to] = await Promise.all([
    readManifest(eng.host, eng.state, a),
    readManifest(eng.host, eng.state, b),
  ]);
  const { changes } = await computeChanges(resourceContext(eng, { platform: to.platform }), {
    desired: to,
    previous: from,
    observe: false,
  });
  return { changes, inputs: await inputChanges(eng.state, from.inputs, to.inputs, changes) };
}

/** A package whose installed version differs between two generations. */
export interface VersionChange {
  id: string;
  from: string;
  to: string;
}

/** Installed versions (installed.json) that changed between two generations, by id. */
export async function diffVersions(eng: Engine, a: number, b: number): Promise<VersionChange[]> {
  const [from, to] = await Promise.all([
    readInstalled(eng.host, genDir(eng.state, a)),
    readInstalled(eng.host, genDir(eng.state, b)),
  ]);
  return Object.keys(to)
    .sort()
    .flatMap((id) => {
      const [x, y] = [from[id], to[id]];
      return x !== undefined && y !== undefined && x !== y ? [{ id, from: x, to: y }] : [];
    });
}
