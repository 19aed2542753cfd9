import { type ApplyRequest, type ApplyResult, apply, switchGeneration } from "./apply.js";
import type { Engine } from "./engine.js";
import { currentGeneration, listGenerations, previousApplied, readMeta, writeMeta } from "./generations.js";
import { type HealthResult, runHealthChecks } from "./health-checks.js";

export interface DeployResult extends ApplyResult {
  health: HealthResult[];
  /** Checks a dry run did not run: the new generation was never applied, so they would prove nothing. */
  healthNotRun: string[];
  /** Set when a health check failed and the machine was switched back. */
  rolledBackTo: number | null;
}

/**
 * Apply, then prove it (deploy-rs's "magic rollback" for a workstation): the
 * config's health checks run against the new generation, and a failure
 * switches straight back to the one before and marks the new one rolled-back.
 */
export async function deploy(eng: Engine, req: ApplyRequest): Promise<DeployResult> {
  let before = await currentGeneration(eng.host, eng.state);
  const result = await apply(eng, req);
  const checks = result.desired?.config.agent.healthChecks ?? [];
  const none = { health: [], healthNotRun: [], rolledBackTo: null };
  const n = result.generation;
  if (!checks.length || n === null) return { ...result, ...none };
  if (eng.dryRun)
    return { ...result, ...none, healthNotRun: result.created ? checks.map((c) => c.name) : [] };
  let meta = await readMeta(eng.host, eng.state, n);
  if (!result.created) {
    // Unchanged, unless the process that applied it died during its checks: they run now.
    if (meta.health !== "pending") return { ...result, ...none };
    before = previousApplied(await listGenerations(eng.host, eng.state), n)?.number ?? null;
  }
  // Recorded first, so that a pass killed during the checks leaves them to the next one.
  meta = { ...meta, health: "pending" };
  await writeMeta(eng.host, eng.state, meta);
  const health = await runHealthChecks(eng.host, checks);
  const failed = health.find((h) => !h.ok);
  await writeMeta(eng.host, eng.state, { ...meta, health: failed ? "failed" : "passed" });
  if (!failed) return { ...result, ...none, health };

  eng.log.error(
    { generation: n, check: failed.name, detail: failed.detail },
    `health check "${failed.name}" failed`,
  );
  if (before === null) {
    eng.log.error({ generation: n }, "no earlier generation to roll back to: the new one stays");
    return { ...result, ...none, health };
  }
  // Automatic: nothing may block it; a destructive step only moves things into the trash.
  await switchGeneration(eng, before, { backupExt: req.backupExt, allowDestructive: true });
  await writeMeta(eng.host, eng.state, {
    ...meta,
    health: "failed",
    outcome: "rolled-back",
    error: `health check "${failed.name}" failed: ${failed.detail}`,
  });
  eng.log.warn({ generation: n, rolledBackTo: before }, `rolled back to generation ${before}`);
  return { ...result, health, healthNotRun: [], rolledBackTo: before };
}
