import type { LoadOptions } from "../config/load.js";
import { canonicalJson, sha256 } from "../modules/objects.js";
import type { Manifest } from "../resources/types.js";
import { codeIdentity } from "../self.js";
import type { Engine } from "./engine.js";
import { currentGeneration, genDir } from "./generations.js";
import type { Plan } from "./plan.js";
import { baseline, makePlan } from "./planning.js";

/*
 * A no-op apply that reads no config. What a config builds is a function of
 * its commit, the host it is built for and dotops' own code, unless it asked
 * the machine something (a `!secret`, a template's env, hostname, lookPath or
 * output). So each generation keeps the keys of what it is known to be built
 * from (`built-from.json`: its own, and those of later commits found to build
 * the same manifest, such as a README edit). An apply whose key is among the
 * current generation's only observes the machine against that generation's
 * manifest; with nothing to do it is done without reading the commit's tree,
 * parsing YAML or running the modules. Anything to do, or a key not known,
 * takes the full path.
 */

export interface KeyRequest {
  loadOptions: LoadOptions;
  repoDir?: string;
  /** Custom modules (tests): what they build is not known from a commit. */
  modules?: unknown;
}

const FILE = "built-from.json";
/** Keys kept a generation: the last few commits that built it are enough to catch a no-op. */
const KEEP = 16;

/** The key of building `commit` for this machine, when the build asks nothing of it; else undefined. */
export function buildKey(
  eng: Engine,
  req: KeyRequest,
  commit: string | null | undefined,
): string | undefined {
  const o = req.loadOptions;
  if (!commit || req.modules || o.resolveSecret) return undefined;
  if (o.secrets?.consulted || o.machine?.consulted) return undefined;
  return sha256(
    canonicalJson({
      code: codeIdentity(),
      commit,
      // Without --host the host is picked by this machine's name.
      host: o.host ?? null,
      hostname: o.host ? null : (o.hostname ?? null),
      home: eng.host.home,
      state: eng.state.dir,
      repo: req.repoDir ?? null,
    }),
  );
}

async function keysOf(eng: Engine, dir: string): Promise<string[]> {
  try {
    const keys = JSON.parse((await eng.host.readFile(`${dir}/${FILE}`)).toString("utf8")) as unknown;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Records that `key` builds generation `n` (in a generation being built, or
 * the current one after a no-op). A cache: a write lost to a race or a full
 * disk costs one full no-op later.
 */
export async function rememberBuild(eng: Engine, dir: string, key: string | undefined): Promise<void> {
  if (!key || eng.dryRun) return;
  const keys = await keysOf(eng, dir);
  if (keys.includes(key)) return;
  await eng.host
    .writeFile(`${dir}/${FILE}`, `${JSON.stringify([...keys, key].slice(-KEEP))}\n`, 0o644)
    .catch((err) => eng.log.debug(`could not record what built ${dir}: ${(err as Error).message}`));
}

/**
 * The plan of an apply of a commit the current generation is known to be
 * built from, when the machine matches it (nothing to do); undefined
 * otherwise, for the full path to decide.
 */
export async function unchangedSinceBuilt(
  eng: Engine,
  key: string | undefined,
  commit: string,
): Promise<{ plan: Plan; generation: number } | undefined> {
  if (!key) return undefined;
  const n = await currentGeneration(eng.host, eng.state);
  if (n === null) return undefined;
  if (!(await keysOf(eng, genDir(eng.state, n))).includes(key)) return undefined;
  // Every record, as the full path reads them: a corrupt one stops this apply the same way.
  const base = await baseline(eng);
  const meta = base.currentMeta;
  // Health checks a killed pass left pending run on the full path (deploy).
  if (base.current !== n || meta?.outcome !== "applied" || meta.health === "pending") return undefined;
  const manifest = base.previous as Manifest;
  const plan = await makePlan(eng, { manifest, blobs: new Map(), commit }, base, {});
  return plan.changes.length ? undefined : { plan, generation: n };
}
