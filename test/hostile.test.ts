/**
 * Runs the hostile config corpus (test/hostile/cases, one case per file)
 * through the built CLI, one case at a time. Each case is checked for its own
 * outcome and for what every case owes (test/hostile/case.ts): nothing outside
 * HOME touched, nothing leaked, nothing applied partially, and the issue's
 * limits of 2 s (CPU beyond start-up) and 200 MB per case.
 */
import { readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, it } from "vitest";
import { type Floor, type HostileCase, LIMITS, runCase } from "./hostile/case.js";

const dir = join(import.meta.dirname, "hostile/cases");
/** HOSTILE_ONLY=word runs only the cases whose file name holds it (while working on one). */
const only = process.env.HOSTILE_ONLY;
const cases = await Promise.all(
  readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && (!only || f.includes(only)))
    .sort()
    .map(async (f) => ({
      slug: f.slice(0, -3),
      c: ((await import(pathToFileURL(join(dir, f)).href)) as { default: HostileCase }).default,
    })),
);

/** At most `n` cases at once: the machine has two cores, and the limits are wall-clock. */
function limiter(n: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
// One case at a time: the limits are CPU time, and two cases side by side, beside the other test
// file vitest runs at the same time, put three busy processes on two cores (CPU time grew by a third).
const slot = limiter(1);
let startUp: { floor: Floor; at: number } = { floor: { cpuMs: 0, wallMs: 0 }, at: 0 };

const outcome = {
  run: 0,
  passed: 0,
  slowest: { slug: "", ms: 0, workMs: 0 },
  busiest: { slug: "", workMs: 0 },
  rssKb: 0,
  /** Start-up (dotops --help) as each case measured it. */
  startUp: [] as { cpuMs: number; wallMs: number }[],
};

afterAll(() => {
  const { slowest, busiest, startUp } = outcome;
  const r = Math.round;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(
    `hostile corpus: ${outcome.run} cases run, ${outcome.passed} passed` +
      ` (most CPU beyond start-up: ${busiest.slug} ${r(busiest.workMs)} ms of ${LIMITS.ms};` +
      ` slowest wall-clock: ${slowest.slug} ${r(slowest.ms)} ms; peak RSS ${r(outcome.rssKb / 1024)} MB of ${LIMITS.rssKb / 1024};` +
      ` start-up (dotops --help), median of the cases: ${r(median(startUp.map((f) => f.cpuMs)))} ms CPU,` +
      ` ${r(median(startUp.map((f) => f.wallMs)))} ms wall; load average ${loadavg()[0]?.toFixed(1)})`,
  );
});

describe("hostile config corpus", () => {
  it("has at least 40 cases, each with a decision", () => {
    if (cases.length < 40 && !only) throw new Error(`only ${cases.length} cases`);
    for (const { slug, c } of cases) if (!c.decision) throw new Error(`${slug} documents no decision`);
  });

  // A case may wait for its slot behind others (vitest starts five at once): its timeout allows for that.
  for (const { slug, c } of cases)
    it.concurrent(
      `${slug}: ${c.title}`,
      () =>
        slot(async () => {
          outcome.run++;
          // Start-up is measured again when the last measure is older than half a minute (the load changes).
          const fresh = Date.now() - startUp.at < 30_000 ? startUp.floor : undefined;
          const r = await runCase(c, fresh);
          if (!fresh) startUp = { floor: r.floor, at: Date.now() };
          outcome.passed++;
          outcome.startUp.push(r.floor);
          if (r.ms > outcome.slowest.ms) outcome.slowest = { slug, ms: r.ms, workMs: r.workMs };
          if (r.workMs > outcome.busiest.workMs) outcome.busiest = { slug, workMs: r.workMs };
          outcome.rssKb = Math.max(outcome.rssKb, r.rssKb);
        }),
      300_000,
    );
});
