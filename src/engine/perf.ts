import { DotopsError } from "../errors.js";
import type { Host } from "../host/host.js";
import { mapLimit } from "./concurrency.js";
import { type GenerationMeta, generationNumbers, readMeta, readTimings } from "./generations.js";
import type { StatePaths } from "./state.js";
import type { ResourceTiming } from "./timer.js";

/** One generation's record as `dotops perf` reads it. */
export interface PerfGeneration {
  number: number;
  commit: string | null;
  createdAt: string;
  outcome: GenerationMeta["outcome"];
  /** Milliseconds per phase, as meta.json has them. */
  phases: Record<string, number>;
  /** The phases added up (`record` runs inside `apply`: counted once). */
  totalMs: number;
  /** timings.json, slowest first; empty when the generation has none (recorded before it existed). */
  resources: ResourceTiming[];
}

/** A generation perf could not read, and why; it is left out of everything. */
export interface PerfSkipped {
  generation: number;
  reason: string;
}

export interface PerfHistory {
  /** The generation analysed: --generation N, else the newest finished one; null when there is none. */
  selected: PerfGeneration | null;
  /** The last N readable generations, oldest first: one point each in a trend. */
  trend: PerfGeneration[];
  /** Every phase named in the trend or the selected generation, in pipeline order. */
  phases: string[];
  skipped: PerfSkipped[];
}

/** Phases in the order the pipeline runs them; any other name follows, alphabetically. */
const PIPELINE = ["source", "config", "modules", "plan", "build", "apply", "record"];
/** Phases timed inside another one (the record is written within the apply's transaction): not added again to the total. */
export const NESTED_IN: ReadonlyMap<string, string> = new Map([["record", "apply"]]);

/**
 * The generations' records for `dotops perf`: the last `last` readable ones
 * and the one to analyse. A generation whose meta.json or timings.json cannot
 * be read, or is not what dotops writes, is skipped and named in `skipped`.
 */
export async function perfHistory(
  host: Host,
  state: StatePaths,
  opts: { last: number; generation?: number },
): Promise<PerfHistory> {
  const numbers = await generationNumbers(host, state);
  const skipped: PerfSkipped[] = [];
  const read = async (n: number): Promise<PerfGeneration | null> => {
    const g = await readGeneration(host, state, n);
    if (typeof g === "string") skipped.push({ generation: n, reason: g });
    return typeof g === "string" ? null : g;
  };
  // Newest first, a window at a time, until `last` readable ones are found: older records are not read.
  const trend: PerfGeneration[] = [];
  for (let end = numbers.length; end > 0 && trend.length < opts.last; ) {
    const start = Math.max(0, end - (opts.last - trend.length));
    const window = await mapLimit(numbers.slice(start, end), 16, read);
    trend.unshift(...window.filter((g): g is PerfGeneration => g !== null));
    end = start;
  }
  let selected: PerfGeneration | null;
  if (opts.generation !== undefined) {
    const n = opts.generation;
    if (!numbers.includes(n))
      throw new DotopsError(`there is no generation ${n}`, 1, "see `dotops generations`");
    const g = trend.find((g) => g.number === n) ?? (await readGeneration(host, state, n));
    if (typeof g === "string") throw new DotopsError(`cannot analyse generation ${n}: ${g}`, 1);
    selected = g;
  } else {
    selected = trend.filter((g) => g.outcome !== "pending").at(-1) ?? trend.at(-1) ?? null;
  }
  const names = new Set([...trend, ...(selected ? [selected] : [])].flatMap((g) => Object.keys(g.phases)));
  skipped.sort((a, b) => a.generation - b.generation);
  return { selected, trend, phases: phaseOrder([...names]), skipped };
}

export function phaseOrder(names: string[]): string[] {
  const rank = (p: string) => (PIPELINE.includes(p) ? PIPELINE.indexOf(p) : PIPELINE.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** One generation's records, or why they cannot be used. */
async function readGeneration(host: Host, state: StatePaths, n: number): Promise<PerfGeneration | string> {
  let meta: GenerationMeta;
  let timings: Awaited<ReturnType<typeof readTimings>>;
  try {
    meta = await readMeta(host, state, n);
    timings = await readTimings(host, state, n);
  } catch (err) {
    return (err as Error).message;
  }
  const phases = meta && typeof meta === "object" ? meta.phases : undefined;
  if (!isRecordOf(phases, (v) => typeof v === "number" && Number.isFinite(v) && v >= 0))
    return `generation ${n}: meta.json has no phase timings dotops can read`;
  if (timings !== null && !(Array.isArray(timings?.resources) && timings.resources.every(isTiming)))
    return `generation ${n}: timings.json is not a list of resource timings`;
  const totalMs = Object.entries(phases)
    .filter(([p]) => !NESTED_IN.has(p))
    .reduce((sum, [, ms]) => sum + ms, 0);
  return {
    number: n,
    commit: typeof meta.commit === "string" ? meta.commit : null,
    createdAt: String(meta.createdAt ?? ""),
    outcome: meta.outcome,
    phases,
    totalMs: Math.round(totalMs * 10) / 10,
    resources: [...(timings?.resources ?? [])].sort((a, b) => b.ms - a.ms),
  };
}

function isRecordOf(v: unknown, ok: (x: unknown) => boolean): v is Record<string, number> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every(ok);
}

function isTiming(v: unknown): v is ResourceTiming {
  const t = v as Partial<ResourceTiming> | null;
  return (
    typeof t === "object" &&
    t !== null &&
    typeof t.id === "string" &&
    typeof t.kind === "string" &&
    typeof t.ms === "number" &&
    Number.isFinite(t.ms)
  );
}
