import type { Config, LoadOptions } from "../config/load.js";
import { allOnDemand } from "../config/machine.js";
import { type ConfigSource, withContent } from "../config/source.js";
import { ConfigError, DotopsError, formatProblem } from "../errors.js";
import type { Module } from "../modules/module.js";
import { protectedPaths, protectedTargetProblems } from "../modules/protected.js";
import { type Change, Phase } from "../resources/change.js";
import type { ResourceContext } from "../resources/context.js";
import type { Step } from "../resources/step.js";
import type { Blob, Manifest, Resource } from "../resources/types.js";
import { writeBlobIndex } from "./blob-index.js";
import { buildKey, rememberBuild, unchangedSinceBuilt } from "./built-from.js";
import { type Engine, recoverIfInterrupted, refuseWhileApplying, resourceContext } from "./engine.js";
import { type GenerationMeta, genDir, readManifest, writeMeta, writeTimings } from "./generations.js";
import { runTransaction, TransactionError } from "./journal.js";
import type { Plan } from "./plan.js";
import { type Baseline, baseline, makePlan, targetOf } from "./planning.js";
import { planThenLock } from "./preflight.js";
import { nextOwnership, readOwnership, writeInstalled, writeOwnership } from "./records.js";
import { verifyObject, writeBlobs, writeHomeTree, writeObjectStats } from "./store.js";
import { PhaseTimer, ResourceTimer } from "./timer.js";

export interface DesiredRequest {
  /** Reads the config snapshot (Git tree at a commit, or the work tree). */
  load: () => Promise<ConfigSource>;
  /**
   * The commit `load` reads, resolved and nothing more read (none for a work
   * tree): an apply of a commit the current generation is known to be built
   * from checks the machine without loading the config (built-from.ts).
   */
  commit?: () => Promise<string>;
  loadOptions: LoadOptions;
  /** Where the config repo is on this machine: no target may be inside it. */
  repoDir?: string;
  /** The modules that turn config into resources (default: the built-in list). */
  modules?: Module[];
}

export interface ApplyRequest extends DesiredRequest {
  /** Move unmanaged files in the way aside with this suffix instead of refusing. */
  backupExt?: string;
  allowDestructive?: boolean;
  /** Asked (on a TTY) before destructive steps when they are not allowed outright; no lock is held meanwhile. */
  confirmDestructive?: (plan: Plan) => Promise<boolean>;
  parentCommit?: string | null;
  superseded?: string[];
}

export interface Desired {
  config: Config;
  source: ConfigSource;
  manifest: Manifest;
  blobs: Map<string, Blob>;
}

export interface ApplyResult {
  plan: Plan;
  /** The generation now current; null when nothing was ever applied. */
  generation: number | null;
  /** True when a new generation was recorded. */
  created: boolean;
  noop: boolean;
  phases: Record<string, number>;
  storeObjectsWritten: number;
  /** What the config built; absent when the apply found nothing to do without loading it. */
  desired?: Desired;
}

async function loadDesired(eng: Engine, req: DesiredRequest, timer: PhaseTimer): Promise<Desired> {
  const source = await timer.run("source", req.load);
  const { loadConfig, buildManifest } = await timer.run("config", () => import("../config/kit.js"));
  // Config and modules are one pure pass over the snapshot, run again once the content it
  // references is read (only that content is ever read); the reading counts as "source".
  const t0 = performance.now();
  const before = (timer.phases.config ?? 0) + (timer.phases.modules ?? 0);
  const { config, manifest, blobs, warnings } = await withContent(
    source,
    allOnDemand(req.loadOptions.secrets, req.loadOptions.machine),
    () => {
      const config = timer.time("config", () => loadConfig(source, req.loadOptions));
      return { config, ...timer.time("modules", () => buildManifest(config, req.modules)) };
    },
  );
  const pure = (timer.phases.config ?? 0) + (timer.phases.modules ?? 0) - before;
  timer.add("source", performance.now() - t0 - pure);
  for (const w of warnings) eng.log.warn(formatProblem(w));
  const problems = protectedTargetProblems(
    manifest,
    protectedPaths(eng.host.home, eng.state.dir, req.repoDir),
  );
  if (problems.length) throw new ConfigError(problems);
  return { config, source, manifest, blobs };
}

/** `dotops plan`: what apply would do, against the last generation and the machine. */
export async function planApply(eng: Engine, req: ApplyRequest): Promise<{ plan: Plan; desired: Desired }> {
  await recoverIfInterrupted(eng);
  const timer = new PhaseTimer();
  const desired = await loadDesired(eng, req, timer);
  const plan = await makePlan(eng, targetOf(desired), await baseline(eng), {
    backupExt: req.backupExt,
    repoDir: req.repoDir,
  });
  return { plan, desired };
}

/** A plan between two commits, with no machine: what the PR changes. */
export async function planBetween(
  eng: Engine,
  from: DesiredRequest | null,
  to: DesiredRequest,
): Promise<Plan> {
  const timer = new PhaseTimer();
  const desired = await loadDesired(eng, to, timer);
  const previous = from ? await loadDesired(eng, from, timer) : null;
  const blobs = new Map([...(previous?.blobs ?? []), ...desired.blobs]);
  const base: Baseline = {
    current: null,
    currentMeta: undefined,
    previous: previous?.manifest ?? null,
    gens: [],
  };
  const plan = await makePlan(eng, { ...targetOf(desired), blobs }, base, { observe: false });
  return { ...plan, from: previous ? { generation: null, commit: previous.source.commit ?? null } : null };
}

/** A plan towards `desired` from the state as it is now. */
async function planNow(eng: Engine, desired: Desired, req: ApplyRequest, timer: PhaseTimer) {
  const base = await baseline(eng);
  const plan = await timer.run("plan", () =>
    makePlan(eng, targetOf(desired), base, { backupExt: req.backupExt, repoDir: req.repoDir }),
  );
  const sameAsCurrent = base.currentMeta?.manifestHash === desired.manifest.hash;
  return { base, plan, sameAsCurrent, noop: sameAsCurrent && plan.changes.length === 0 };
}

/**
 * `dotops apply`: source → config → modules → plan → build → apply → record,
 * each phase timed. A second apply of the same config is a no-op and records
 * nothing; a failure anywhere in apply undoes every step taken.
 */
export async function apply(eng: Engine, req: ApplyRequest): Promise<ApplyResult> {
  const timer = new PhaseTimer();
  const known = await alreadyBuilt(eng, req, timer);
  if (known) return known;
  // Config and modules are pure: an invalid config fails here, before the state dir is touched.
  const desired = await loadDesired(eng, req, timer);
  const key = buildKey(eng, req, desired.source.commit);
  const result = (p: Planned) => ({ plan: p.plan, desired, phases: timer.phases, storeObjectsWritten: 0 });
  // Planned and approved before the state dir is created or the lock taken (preflight.ts).
  const applied = await planThenLock(
    eng,
    "apply",
    req,
    () => planNow(eng, desired, req, timer),
    (p) => {
      if (!p.noop) return undefined;
      eng.log.debug({ generation: p.base.current }, "no changes");
      return { ...result(p), generation: p.base.current, created: false, noop: true };
    },
    (planned) => applyPlanned(eng, req, desired, timer, planned, result(planned), key),
  );
  // This commit builds the current generation's manifest (a README edit, a drift repair): said so, the next apply of it reads no config.
  if (!applied.created && applied.generation !== null)
    await rememberBuild(eng, genDir(eng.state, applied.generation), key);
  return applied;
}

/** An apply of a commit the current generation is known to be built from, with nothing to do (built-from.ts). */
async function alreadyBuilt(
  eng: Engine,
  req: ApplyRequest,
  timer: PhaseTimer,
): Promise<ApplyResult | undefined> {
  if (!req.commit) return undefined;
  const commit = await timer.run("source", req.commit);
  await recoverIfInterrupted(eng);
  await refuseWhileApplying(eng);
  const known = await timer.run("plan", () => unchangedSinceBuilt(eng, buildKey(eng, req, commit), commit));
  if (!known) return undefined;
  eng.log.debug({ generation: known.generation }, "no changes (the config of this commit is known)");
  return { ...known, created: false, noop: true, phases: timer.phases, storeObjectsWritten: 0 };
}

type Planned = Awaited<ReturnType<typeof planNow>>;

/** The build, the transaction and the record of a plan approved under the lock. */
async function applyPlanned(
  eng: Engine,
  req: ApplyRequest,
  desired: Desired,
  timer: PhaseTimer,
  { base, plan, sameAsCurrent }: Planned,
  result: Omit<ApplyResult, "generation" | "created" | "noop">,
  key: string | undefined,
): Promise<ApplyResult> {
  const ctx = resourceContext(eng, {
    blobs: desired.blobs,
    backupExt: req.backupExt,
    platform: desired.manifest.platform,
    ownership: base.ownership,
  });
  const { written, stats } = await timer.run("build", () =>
    writeBlobs(
      eng.host,
      eng.state,
      desired.blobs.values(),
      eng.progress,
      base.objectStats,
      secretObjects(desired.manifest.resources),
    ),
  );
  if (sameAsCurrent) {
    // Only drift: put the machine back to the current generation, no new record.
    await eng.host.sync(eng.state.dir);
    try {
      await timer.run("apply", () =>
        runTransaction(ctx, eng.state.journal, begin(null), stepsOf(plan.changes), eng.failpoints),
      );
    } catch (err) {
      throw nameFailed(err, plan.changes);
    }
    // The build rewrote any changed object: record them as they are now.
    await writeObjectStats(eng.host, genDir(eng.state, base.current as number), stats);
    eng.log.info({ generation: base.current, repaired: plan.changes.length }, "repaired drift");
    return {
      ...result,
      storeObjectsWritten: written,
      generation: base.current,
      created: false,
      noop: false,
    };
  }

  const n = (base.gens.at(-1)?.number ?? 0) + 1;
  const meta: GenerationMeta = {
    number: n,
    commit: desired.source.commit ?? null,
    parentCommit: req.parentCommit ?? base.currentMeta?.commit ?? null,
    source: desired.source.commit ? "commit" : "worktree",
    manifestHash: desired.manifest.hash,
    host: desired.manifest.host,
    createdAt: new Date().toISOString(),
    phases: timer.phases,
    outcome: "pending",
    sameContentAs: plan.rollbackTo?.generation ?? null,
    superseded: req.superseded ?? [],
    summary: { create: plan.summary.create, update: plan.summary.update, delete: plan.summary.delete },
  };
  await timer.run("build", async () => {
    const partial = `${genDir(eng.state, n)}.partial`;
    try {
      await eng.host.removeTree(partial);
      await eng.host.mkdir(partial, 0o755);
      await writeHomeTree(eng.host, eng.state, partial, desired.manifest);
      const later = { deferSync: true };
      await writeObjectStats(eng.host, partial, stats, later);
      await writeBlobIndex(eng.host, partial, desired.blobs.values(), later);
      await rememberBuild(eng, partial, key);
      const owned = nextOwnership(desired.manifest, plan.changes, base.ownership);
      await writeOwnership(eng.host, partial, owned, later);
      const json = (v: unknown, indent: number) => `${JSON.stringify(v, null, indent)}\n`;
      await eng.host.writeFile(`${partial}/manifest.json`, json(desired.manifest, 1), 0o644, later);
      // The steps as approved; the diffs are the store's to recompute (`dotops diff`): at 20,000 new files they were 35 MB.
      const recorded = { ...plan, changes: plan.changes.map(({ diff: _diff, ...c }) => c) };
      await eng.host.writeFile(`${partial}/plan.json`, json(recorded, 1), 0o644, later);
      await eng.host.writeFile(`${partial}/meta.json`, json(meta, 2), 0o644, later);
      await eng.host.rename(partial, genDir(eng.state, n));
      // One flush for the store objects and the generation: durable before the journal names it.
      await eng.host.sync(eng.state.dir);
    } catch (err) {
      // A full disk, most likely: what was built goes (recovery would remove it otherwise).
      await eng.host.removeTree(partial).catch(() => {});
      throw err;
    }
  });
  const steps = stepsOf(plan.changes, {
    op: "switch",
    link: eng.state.current,
    to: genDir(eng.state, n),
    from: base.current === null ? null : genDir(eng.state, base.current),
  });
  const resources = new ResourceTimer(plan.changes);
  try {
    await timer.run("apply", () =>
      runTransaction(
        ctx,
        eng.state.journal,
        begin(n),
        steps,
        eng.failpoints,
        () =>
          timer.run("record", async () => {
            await recordInstalled(eng, ctx, genDir(eng.state, n), desired.manifest);
            await recordTimings(eng, n, resources);
            await writeMeta(eng.host, eng.state, { ...meta, phases: timer.phases, outcome: "applied" });
          }),
        resources.record,
      ),
    );
  } catch (err) {
    nameFailed(err, plan.changes);
    // Every step undone: the generation failed. Otherwise (the undo or the record cut short)
    // its journal is kept, and the recovery that finishes it records the outcome.
    if (err instanceof TransactionError)
      await writeMeta(eng.host, eng.state, {
        ...meta,
        phases: timer.phases,
        outcome: "failed",
        error: String(err.message),
      }).catch((e) =>
        // Left pending, the next command marks it failed (engine failOrphan); the apply's own error is the news.
        eng.log.warn(`could not record generation ${n} as failed: ${(e as Error).message}`),
      );
    throw err;
  }
  // The record inside the transaction could not know how long the switch and the record took.
  await writeMeta(eng.host, eng.state, { ...meta, phases: timer.phases, outcome: "applied" });
  eng.log.info(
    { generation: n, commit: meta.commit, ...plan.summary, sameContentAs: meta.sameContentAs },
    plan.rollbackTo
      ? `generation ${n}: rolled back to the content of generation ${plan.rollbackTo.generation}`
      : `generation ${n} applied`,
  );
  return { ...result, storeObjectsWritten: written, generation: n, created: true, noop: false };
}

/**
 * Switches the machine to an existing generation (rollback, or `switch N`):
 * the same plan/transaction path as apply, with the generation's manifest as
 * desired state and its home tree already built.
 */
export async function switchGeneration(
  eng: Engine,
  target: number,
  opts: { backupExt?: string; allowDestructive?: boolean } = {},
): Promise<Plan> {
  // The generation was approved when it was applied; what can still need approval is
  // what the user did since (files left in a directory that becomes a file again).
  // As in apply, that is settled before the lock is taken (preflight.ts).
  return planThenLock(
    eng,
    "rollback",
    opts,
    async () => {
      const base = await baseline(eng);
      const meta = base.gens.find((g) => g.number === target);
      if (!meta) throw new DotopsError(`there is no generation ${target}`, 1, "see `dotops generations`");
      // A failed (or health-rolled-back) generation was never proven whole on this machine:
      // switching to it would leave `current` on a record that says it failed.
      if (meta.outcome !== "applied")
        throw new DotopsError(
          `generation ${target} is ${meta.outcome}${meta.error ? ` (${meta.error})` : ""}: only an applied generation can be made current again`,
          1,
          `roll back to an applied one (see \`dotops generations\`)${meta.commit ? `, or apply its commit again: dotops apply --commit ${meta.commit}` : ""}`,
        );
      const manifest = await readManifest(eng.host, eng.state, target);
      const to = { manifest, blobs: new Map(), commit: meta.commit };
      return { base, meta, manifest, plan: await makePlan(eng, to, base, { backupExt: opts.backupExt }) };
    },
    ({ base, plan }) => (base.current === target && plan.changes.length === 0 ? plan : undefined),
    async ({ base, meta, manifest, plan }) => {
      await refuseChangedContent(eng, target, meta.commit, plan);
      const ctx = resourceContext(eng, {
        backupExt: opts.backupExt,
        platform: manifest.platform,
        ownership: base.ownership,
      });
      const steps = stepsOf(
        plan.changes,
        base.current === target
          ? undefined
          : {
              op: "switch",
              link: eng.state.current,
              to: genDir(eng.state, target),
              from: base.current === null ? null : genDir(eng.state, base.current),
            },
      );
      await runTransaction(ctx, eng.state.journal, begin(target), steps, eng.failpoints, async () => {
        // While N is current again, its resources are owned as the machine had them (the latest record first).
        const dir = genDir(eng.state, target);
        const before = new Map([...(await readOwnership(eng.host, dir)), ...(base.ownership ?? [])]);
        await writeOwnership(eng.host, dir, nextOwnership(manifest, plan.changes, before));
        await recordInstalled(eng, ctx, dir, manifest);
      });
      eng.log.info({ generation: target, from: base.current }, `switched to generation ${target}`);
      return plan;
    },
  );
}

/**
 * A switch has no config to rebuild content from: a store object its steps copy
 * into HOME (or compare a file with) that was changed in place since the
 * generation was applied, written through a link, would be deployed as it is
 * now, and nothing would tell (a link shows such an object as drift; a copy
 * hides it). So the switch stops and says how to get the content back from Git.
 */
async function refuseChangedContent(eng: Engine, target: number, commit: string | null, plan: Plan) {
  const changed: string[] = [];
  for (const c of plan.changes) {
    const objects = c.steps.flatMap((s) => (typeof s.object === "string" ? [s.object] : []));
    for (const o of objects) {
      // By hash, not by recorded size and mtime: a later apply may have rewritten it rightly.
      const v = await verifyObject(eng.host, eng.state, o);
      if (v === "ok") continue;
      changed.push(
        `${c.id} (${v === "missing" ? "gone from the store" : "changed in place, e.g. written through a link"})`,
      );
      break;
    }
  }
  if (changed.length)
    throw new DotopsError(
      `cannot switch to generation ${target}: the stored content of ${changed.join(", ")} is not what was applied, and switching would put it in HOME as it is now`,
      1,
      commit
        ? `apply that generation's commit instead, which rebuilds the content from Git: dotops apply --commit ${commit}`
        : "apply the config of that generation again, which rebuilds the content from it",
    );
}

/** Versions of what is installed now, for `diff`; a tool that fails to answer only costs the record. */
async function recordInstalled(eng: Engine, ctx: ResourceContext, dir: string, manifest: Manifest) {
  try {
    await writeInstalled(ctx, dir, manifest);
  } catch (err) {
    eng.log.warn(`could not record installed versions: ${(err as Error).message}`);
  }
}

/** How long each resource's steps took (`dotops perf`); a record that cannot be written only costs the report. */
async function recordTimings(eng: Engine, n: number, resources: ResourceTimer) {
  const timings = resources.timings();
  if (!timings.length) return;
  try {
    await writeTimings(eng.host, eng.state, n, timings);
  } catch (err) {
    eng.log.warn(`could not record the timings of generation ${n}: ${(err as Error).message}`);
  }
}

/** Names the resources whose steps failed (by the steps' identity), so a report can say which one. */
function nameFailed(err: unknown, changes: Change[]): unknown {
  if (err instanceof TransactionError && err.failedSteps.length)
    err.resources = changes.filter((c) => c.steps.some((s) => err.failedSteps.includes(s))).map((c) => c.id);
  return err;
}

function begin(generation: number | null) {
  return { type: "begin" as const, generation, pid: process.pid, startedAt: new Date().toISOString() };
}

/** Orders every change's steps by phase, with the `current` switch between placing and removing. */
function stepsOf(changes: Change[], switchStep?: Step): Step[] {
  const before = changes.filter((c) => c.phase < Phase.switch).flatMap((c) => c.steps);
  const after = changes.filter((c) => c.phase >= Phase.switch).flatMap((c) => c.steps);
  return [...before, ...(switchStep ? [switchStep] : []), ...after];
}

/** Store objects holding content rendered with `!secret` values. */
function secretObjects(resources: readonly Resource[]): Set<string> {
  return new Set(resources.flatMap((r) => (r.secret && r.object ? [r.object] : [])));
}
