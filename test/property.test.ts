/**
 * Property-based tests (issue 14): random configs and random sequences of
 * commits, applies, reverts, rollbacks, gc, edits by the user and crashes, on
 * a real config repo and a sandbox HOME, with the invariants of
 * property/invariants.ts checked after every operation.
 *
 * Replay a failure with the seed and path it prints:
 *   DOTOPS_PROPERTY_SEED=<seed> DOTOPS_PROPERTY_PATH=<path> npx vitest run test/property.test.ts
 * More sequences: DOTOPS_PROPERTY_RUNS=2000 (and DOTOPS_PROPERTY_CLI_RUNS for the end-to-end ones).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { checkInvariants } from "./property/invariants.js";
import { type Sequence, sequenceArb } from "./property/ops.js";
import { type Driver, inProcess, lastError, tally, throughCli, World } from "./property/world.js";

const SEED = Number(process.env.DOTOPS_PROPERTY_SEED ?? 20141114);
const RUNS = Number(process.env.DOTOPS_PROPERTY_RUNS ?? 200);
const CLI_RUNS = Number(process.env.DOTOPS_PROPERTY_CLI_RUNS ?? 4);
const PATH = process.env.DOTOPS_PROPERTY_PATH;

/** The property runs only (not the regressions), for the summary line. */
const totals = { inProcess: 0, cli: 0, steps: 0 };
/** DOTOPS_PROPERTY_PROFILE=1: milliseconds spent per kind of operation, to keep the file fast. */
const profile = new Map<string, number>();
const counts = new Map<string, number>();
const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    profile.set(what, (profile.get(what) ?? 0) + performance.now() - t0);
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
};
const root = tempDir("dotops-property-");
let firstFailure = false;

/** Runs one sequence in a fresh repo and HOME, checking the invariants after every operation. */
async function runSequence(driver: Driver, seq: Sequence, after?: (w: World) => void): Promise<number> {
  const w = await timed("setup", () => World.create(mkdtempSync(join(root, "run-")), root, driver));
  let ok = false;
  try {
    await timed("setup", () => w.commit(seq.initial));
    if (seq.applied) await timed("apply", () => w.apply({}, { unchangedIfNot: true }));
    await timed("check", () => checkInvariants(w));
    for (const op of seq.ops) {
      await timed(op.op === "crash" ? `crash+${op.next}` : op.op, () => w.run(op));
      await timed("check", () => checkInvariants(w));
    }
    if (process.env.DOTOPS_PROPERTY_VERBOSE) console.log(w.log.join("\n"));
    after?.(w);
    ok = true;
    return w.steps;
  } catch (err) {
    // Shrinking may outlast the time limit: the first failure is worth having as it came.
    if (!firstFailure) {
      firstFailure = true;
      console.error(
        `first failing sequence (before shrinking): ${JSON.stringify(seq)}\n${(err as Error).message}`,
      );
    }
    throw err;
  } finally {
    if (ok || !process.env.DOTOPS_KEEP_TMP) w.dispose();
  }
}

async function check(
  driver: Driver,
  opts: { runs: number; crash: boolean; maxOps: number; seed: number; timeLimitMs: number },
) {
  const property = fc.asyncProperty(sequenceArb(opts), async (seq) => {
    totals.steps += await runSequence(driver, seq);
    if (driver === inProcess) totals.inProcess++;
    else totals.cli++;
  });
  try {
    await fc.assert(property, {
      seed: opts.seed,
      numRuns: opts.runs,
      path: PATH,
      // Checked between runs: a slow machine or a long shrink ends as a failure with the
      // counterexample so far, not as a test timeout that says nothing.
      interruptAfterTimeLimit: opts.timeLimitMs,
      markInterruptAsFailure: true,
    });
  } catch (err) {
    // fast-check's report has the seed, the path and the shrunk sequence; this says how to replay it.
    const m = /seed: (-?\d+), path: "([^"]*)"/.exec(String((err as Error).message));
    const replay = m
      ? `\nreplay: DOTOPS_PROPERTY_SEED=${m[1]} DOTOPS_PROPERTY_PATH=${m[2]} npx vitest run test/property.test.ts`
      : "";
    (err as Error).message += replay;
    throw err;
  }
}

describe("random configs and operation sequences", () => {
  afterAll(() => {
    if (process.env.DOTOPS_PROPERTY_PROFILE) {
      console.log(
        [...tally]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, n]) => `${String(n).padStart(5)} ${k}`)
          .join("\n"),
      );
      console.log([...profile].map(([k, ms]) => `${k}: ${Math.round(ms)} ms / ${counts.get(k)}`).join("\n"));
    }
    const n = totals.inProcess + totals.cli;
    if (n)
      console.log(
        `property tests: ${n} sequences (${totals.inProcess} in process, ${totals.cli} through the CLI), ${totals.steps} steps, seed ${SEED}`,
      );
  });

  it(`in process, crashes through the CLI: ${RUNS} sequences`, async () => {
    console.log(`property tests: seed ${SEED} (DOTOPS_PROPERTY_SEED), ${RUNS} runs (DOTOPS_PROPERTY_RUNS)`);
    // 200 sequences take a few minutes on two quiet cores and three times that on a loaded machine.
    await check(inProcess, { runs: RUNS, crash: true, maxOps: 12, seed: SEED, timeLimitMs: 2_400_000 });
  }, 2_500_000);

  it(`end to end through the CLI: ${CLI_RUNS} sequences`, async () => {
    await check(throughCli, {
      runs: CLI_RUNS,
      crash: false,
      maxOps: 8,
      seed: SEED + 1,
      timeLimitMs: 240_000,
    });
  }, 300_000);
});

/*
 * Sequences the property tests shrank to (or that they pointed at), kept as
 * plain tests: each failed before the fix in src/ that its comment names.
 */
describe("regressions found by the property tests", () => {
  const link = (text: string) => ({ kind: "file", mode: "link", inline: false, text, exec: false }) as const;
  const copy = (text: string) => ({ kind: "file", mode: "copy", inline: false, text, exec: false }) as const;

  // engine/apply.ts switchGeneration: a failed generation was made current by `rollback N`.
  it("a rollback to a generation whose apply was killed is refused, naming its outcome", async () => {
    await runSequence(
      inProcess,
      {
        initial: [["t/f1", null]],
        applied: false,
        ops: [
          { op: "crash", set: [], point: 0, next: "status", pick: 0, backup: true, destructive: true },
          { op: "rollback", to: 0 },
        ],
      },
      (w) => {
        expect(w.log).toContain("5. rollback to 1: error");
        expect(lastError()).toMatch(/^generation 1 is failed \(interrupted .*\): only an applied generation/);
        expect(w.current()).toBeNull();
      },
    );
  });

  // engine/store.ts writeBlobs: an object the current generation does not record was trusted by its size.
  it.each([
    ["in process", inProcess],
    ["through the CLI", throughCli],
  ] as const)(
    "%s: a revert rebuilds same-size bytes written through an old generation's link",
    async (_, driver) => {
      await runSequence(
        driver,
        {
          initial: [[".a", link("aaaa\n")]],
          applied: true,
          ops: [
            { op: "edit", pick: 0, how: "through", text: "", sameSize: true },
            { op: "change", set: [[".a", link("b\n")]] },
            { op: "revert", pick: 1 },
          ],
        },
        (w) => expect(readFileSync(join(w.home, ".a"), "utf8")).toBe("aaaa\n"),
      );
    },
  );

  // engine/apply.ts switchGeneration: a rollback copied a store object written through a link into a copy.
  it("a rollback refuses to copy bytes written through a link into HOME", async () => {
    await runSequence(
      inProcess,
      {
        initial: [
          ["u", { kind: "tree", mode: "link", files: { f1: { text: "x\n", exec: false } } }],
          ["t/f1", copy("x\n")],
        ],
        applied: true,
        ops: [
          { op: "change", set: [["t/f1", copy("y\n")]] },
          { op: "edit", pick: 1, how: "through", text: "", sameSize: true },
          { op: "rollback", to: "previous" },
        ],
      },
      (w) => {
        expect(w.log.at(-1)).toBe("6. rollback to 1: error");
        expect(lastError()).toContain(
          "the stored content of ~/t/f1 (changed in place, e.g. written through a link)",
        );
        expect(readFileSync(join(w.home, "t/f1"), "utf8")).toBe("y\n");
      },
    );
  });
});
