import { ENTRY_FILE, listHosts, loadConfig, loadPolicy } from "../../src/config/load.js";
import { type ConfigSource, withContent } from "../../src/config/source.js";
import { type DesiredRequest, planApply, planBetween } from "../../src/engine/apply.js";
import type { Engine } from "../../src/engine/engine.js";
import type { Plan } from "../../src/engine/plan.js";
import { ConfigError, DotopsError, formatProblem } from "../../src/errors.js";
import { buildManifest } from "../../src/modules/manifest.js";
import { type EphemeralResult, proveOnRunner } from "./ephemeral.js";
import type { Mode } from "./input.js";

export type Platform = "darwin" | "linux";

/** Why a config cannot be used: the message and each problem as `file:line:col: message`. */
export interface Failure {
  message: string;
  problems: string[];
  /** Where each located problem is, for annotations on the PR's files. */
  at?: { file: string; line: number; col: number; message: string }[];
}

/** What was done against the runner's own machine (modes plan and ephemeral). */
export type RunnerResult =
  | { kind: "skipped"; reason: string }
  | { kind: "plan"; plan: Plan }
  | EphemeralResult
  | { kind: "failed"; message: string };

export interface HostReport {
  host: string;
  platform?: Platform;
  /** Its wave in the head config's staged rollout (`rollout:`), of `waves`. */
  wave?: { n: number; of: number };
  /** The head config is invalid for this host, or planning it failed. */
  error?: Failure;
  /** Why the plan starts from nothing although there is a base commit. */
  baseNote?: string;
  /** base → head, without a machine. */
  plan?: Plan;
  runner?: RunnerResult;
}

/** The config at the PR's base (null: nothing to start from) and at its head. */
export interface Snapshots {
  base: ConfigSource | null;
  head: ConfigSource;
  /** Set when there is a base commit but no config in it (a first PR). */
  baseNote?: string;
}

export function describeFailure(err: unknown): Failure {
  if (err instanceof ConfigError)
    return {
      message: "invalid config",
      problems: err.problems.map((p) => formatProblem(p)),
      at: err.problems.flatMap((p) =>
        p.origin ? [{ ...p.origin, message: formatProblem({ ...p, origin: undefined }) }] : [],
      ),
    };
  if (err instanceof DotopsError)
    return { message: err.message, problems: err.hint ? [`hint: ${err.hint}`] : [] };
  return { message: `unexpected error: ${(err as Error)?.message ?? String(err)}`, problems: [] };
}

/** The hosts of a snapshot, or the reason it has none (dotops.yaml missing or invalid). */
export function hostsOf(src: ConfigSource): { hosts: Record<string, Platform> } | { error: Failure } {
  try {
    return {
      hosts: Object.fromEntries(Object.entries(listHosts(src)).map(([name, h]) => [name, h.platform])),
    };
  } catch (err) {
    if (err instanceof ConfigError) return { error: describeFailure(err) };
    throw err;
  }
}

/**
 * The hosts this run covers: the `hosts` input, each checked against the
 * config; by default every host whose platform is the runner's.
 */
export function selectHosts(
  requested: string[],
  known: Record<string, Platform>,
  runner: string,
): { selected: string[] } | { error: string } {
  const names = Object.keys(known).sort();
  if (requested.length) {
    const unknown = requested.filter((h) => !(h in known));
    if (unknown.length)
      return {
        error: `input hosts names ${unknown.map((h) => `"${h}"`).join(", ")}, not in ${ENTRY_FILE}; hosts: ${names.join(", ") || "(none)"}`,
      };
    return { selected: requested };
  }
  return { selected: names.filter((h) => known[h] === runner) };
}

/** A base without dotops.yaml is a first PR: the plan starts from nothing. */
export function snapshots(base: ConfigSource | null, head: ConfigSource): Snapshots {
  if (base && !base.files.has(ENTRY_FILE))
    return { base: null, head, baseNote: `${base.label} has no ${ENTRY_FILE}: planned from nothing` };
  return { base, head };
}

export interface PlanHostOptions {
  mode: Mode;
  runner: string;
  /** Plans between commits: looks at no machine. */
  pure: Engine;
  /** Plans against the runner (reads only). */
  dryRun: Engine;
  /** Applies on the runner (mode ephemeral). */
  real: Engine;
}

/** Validate, plan base → head, and (on a matching runner) plan or apply against the runner. */
export async function planHost(
  host: string,
  platform: Platform | undefined,
  snaps: Snapshots,
  o: PlanHostOptions,
): Promise<HostReport> {
  const report: HostReport = { host, platform, baseNote: snaps.baseNote };
  const to: DesiredRequest = { load: async () => snaps.head, loadOptions: { host } };
  try {
    const rollout = await withContent(snaps.head, () => {
      buildManifest(loadConfig(snaps.head, { host }));
      return loadPolicy(snaps.head, { host }).rollout;
    });
    if (rollout) report.wave = { n: rollout.wave, of: rollout.waves.length };
  } catch (err) {
    return { ...report, error: describeFailure(err) };
  }
  const from = await baseRequest(host, snaps, report);
  try {
    report.plan = await planBetween(o.pure, from, to);
  } catch (err) {
    return { ...report, error: describeFailure(err) };
  }
  if (o.mode === "check") return report;
  if (platform !== o.runner) {
    report.runner = {
      kind: "skipped",
      reason: `the runner is ${o.runner}, the host is ${platform}`,
    };
    return report;
  }
  report.runner = await againstRunner(to, o);
  return report;
}

async function baseRequest(
  host: string,
  snaps: Snapshots,
  report: HostReport,
): Promise<DesiredRequest | null> {
  const base = snaps.base;
  if (!base) return null;
  const known = hostsOf(base);
  if ("error" in known) {
    report.baseNote = `${ENTRY_FILE} in ${base.label} is invalid: planned from nothing`;
    return null;
  }
  if (!(host in known.hosts)) {
    report.baseNote = `${host} is new in this change: planned from nothing`;
    return null;
  }
  try {
    await withContent(base, () => buildManifest(loadConfig(base, { host })));
  } catch {
    report.baseNote = `the config in ${base.label} is invalid for ${host}: planned from nothing`;
    return null;
  }
  return { load: async () => base, loadOptions: { host } };
}

async function againstRunner(to: DesiredRequest, o: PlanHostOptions): Promise<RunnerResult> {
  try {
    if (o.mode === "plan") return { kind: "plan", plan: (await planApply(o.dryRun, to)).plan };
    return await proveOnRunner(o.real, to);
  } catch (err) {
    const f = describeFailure(err);
    return { kind: "failed", message: [f.message, ...f.problems].join("\n") };
  }
}
