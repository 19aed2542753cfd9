import { DotopsError } from "../errors.js";
import type { Host } from "../host/host.js";
import { ioProblem } from "../host/io-problem.js";
import type { ResourceContext } from "../resources/context.js";
import { stepOps } from "../resources/registry.js";
import type { Step, StepOp } from "../resources/step.js";
import { needsDoor, throughDoor } from "./privilege.js";
import { engineSteps } from "./switch-step.js";

/**
 * Write-ahead journal of one apply: a `begin` line that lists every step of
 * the transaction, fsynced once before the first step runs; then a `step`
 * line as each step starts (progress: how far it got); then `commit`
 * (fsynced). Undo is idempotent, so recovery undoes every step the `begin`
 * line lists, whether it ran, ran halfway or never started. One fsync per
 * transaction instead of one per step: that was most of a first apply's time.
 */
const ownOps: Record<string, StepOp<never>> = engineSteps;

function opFor(step: Step): StepOp<Step> {
  const op = (ownOps[step.op] ?? stepOps[step.op]) as StepOp<Step> | undefined;
  if (!op) throw new Error(`unknown step ${step.op} (journal from a newer dotops?)`);
  return op;
}

/**
 * Neighbouring steps of one op that runs them in one go (`runBatch`), else one
 * step per group. Root steps group by themselves: one `sudo` call for them.
 */
function batches(steps: Step[], batched: (op: StepOp<Step>) => boolean): Step[][] {
  const out: Step[][] = [];
  for (const step of steps) {
    const last = out.at(-1);
    const head = last?.[0];
    if (last && head?.op === step.op && head.root === step.root && (batched(opFor(step)) || step.root))
      last.push(step);
    else out.push([step]);
  }
  return out;
}

async function runGroup(ctx: ResourceContext, group: Step[]) {
  const op = opFor(group[0] as Step);
  if (await needsDoor(ctx, group)) await throughDoor(ctx, group, "run");
  else if (op.runBatch) await op.runBatch(ctx, group);
  else for (const step of group) await op.run(ctx, step);
}

async function undoGroup(ctx: ResourceContext, group: Step[]) {
  const op = opFor(group[0] as Step);
  if (await needsDoor(ctx, group)) await throughDoor(ctx, group, "undo");
  else if (op.undoBatch) await op.undoBatch(ctx, group);
  else for (const step of group) await op.undo(ctx, step);
}

export interface JournalBegin {
  type: "begin";
  /** Generation being switched to; null when only drift is repaired in place. */
  generation: number | null;
  pid: number;
  startedAt: string;
  /** Every step, durable before any runs. Absent in journals of older versions (then: the step lines). */
  steps?: Step[];
}

type Line = JournalBegin | { type: "step"; i: number; step: Step } | { type: "commit" };

export interface Failpoints {
  /** Called at named points (`step:<i>`, `commit`) so tests can crash or fail an apply there. */
  hit(name: string): void;
}

/** A failed apply whose steps were all undone: an error with a cause, not a crash of dotops (exit 1). */
export class TransactionError extends DotopsError {
  /** Ids of the resources whose steps failed, named by the caller that knows whose steps they are. */
  resources: string[] = [];

  constructor(
    readonly reason: unknown,
    readonly undone: number,
    /** The steps running when it failed (a whole batch); empty when it failed between steps or on commit. */
    readonly failedSteps: Step[] = [],
  ) {
    const io = ioProblem(reason);
    super(
      `apply failed and was undone (${undone} steps reverted): ${io?.message ?? describe(reason)}`,
      1,
      `the machine is as it was before; ${io?.hint ?? "fix the cause above and rerun"}`,
    );
  }
}

/**
 * A failed apply whose undo failed too (the disk still full): the journal
 * stays, and the next command that takes the lock finishes the undo.
 */
export class IncompleteUndoError extends DotopsError {
  constructor(reason: unknown, undoError: unknown, journal: string) {
    const io = ioProblem(undoError) ?? ioProblem(reason);
    super(
      `apply failed (${ioProblem(reason)?.message ?? describe(reason)}) and undoing it failed too (${ioProblem(undoError)?.message ?? describe(undoError)}); the journal ${journal} is kept`,
      1,
      `${io ? `${io.hint.replace(/ and rerun$/, "")}; then ` : ""}any dotops command (\`dotops status\`) finishes the undo`,
    );
  }
}

/** The steps are all done and committed, but recording the outcome failed: recovery records it. */
export class UnrecordedError extends DotopsError {
  constructor(reason: unknown, journal: string) {
    const io = ioProblem(reason);
    super(
      `the apply is done, but recording it failed: ${io?.message ?? describe(reason)}; the journal ${journal} is kept`,
      1,
      `${io ? `${io.hint.replace(/ and rerun$/, "")}; then ` : ""}any dotops command (\`dotops status\`) finishes the record`,
    );
  }
}

const describe = (err: unknown) => (err as Error)?.message ?? String(err);

export async function runTransaction(
  ctx: ResourceContext,
  journal: string,
  begin: JournalBegin,
  steps: Step[],
  fail?: Failpoints,
  /** Records the outcome; runs after `commit` is durable, and again by recovery if we crash first. */
  finalize: () => Promise<void> = async () => {},
  /** Told how long each group of steps took to run (timings.json). */
  timed?: (group: Step[], ms: number) => void,
): Promise<void> {
  const host = ctx.host;
  const started: Step[] = [];
  let running: Step[] = [];
  try {
    await host.unlink(journal);
    await write(host, journal, { ...begin, steps }, { sync: true });
    for (const group of batches(steps, (op) => op.runBatch !== undefined)) {
      running = group;
      for (const step of group) {
        const i = started.length;
        await write(host, journal, { type: "step", i, step }, { sync: false });
        started.push(step);
        fail?.hit(`step:${i}`);
      }
      const t0 = performance.now();
      await runGroup(ctx, group);
      timed?.(group, performance.now() - t0);
      ctx.progress?.("apply", started.length, steps.length);
    }
    running = [];
    fail?.hit("commit");
    await write(host, journal, { type: "commit" }, { sync: true });
  } catch (err) {
    try {
      await undoAll(ctx, started);
    } catch (undoError) {
      throw new IncompleteUndoError(err, undoError, journal);
    }
    await host.unlink(journal);
    throw new TransactionError(err, started.length, running);
  }
  fail?.hit("finalize");
  try {
    await finalize();
  } catch (err) {
    throw new UnrecordedError(err, journal);
  }
  await host.unlink(journal);
}

async function undoAll(ctx: ResourceContext, steps: Step[]) {
  for (const group of batches([...steps].reverse(), (op) => op.undoBatch !== undefined))
    await undoGroup(ctx, group);
}

async function write(host: Host, journal: string, line: Line, opts: { sync: boolean }) {
  await host.appendFile(journal, `${JSON.stringify(line)}\n`, opts);
}

export interface Recovery {
  /** null when the journal's first line is unreadable (torn by a crash as it was written). */
  begin: Omit<JournalBegin, "steps"> | null;
  committed: boolean;
  undone: number;
  /** Lines that could not be read (a line torn by a power loss, a step of an unknown kind): reported, not undone. */
  unreadable: string[];
}

/**
 * Brings an interrupted apply to an end: a committed one is finished (the
 * caller records it), anything else is rolled back step by step. A journal
 * torn by a power loss is read as far as it goes: what it names is undone,
 * the rest is reported.
 */
export async function recoverJournal(ctx: ResourceContext, journal: string): Promise<Recovery | null> {
  if (!(await ctx.host.lstat(journal))) return null;
  const unreadable: string[] = [];
  const lines = (await ctx.host.readFile(journal))
    .toString("utf8")
    .split("\n")
    .flatMap((l) => {
      if (!l) return [];
      const line = parseLine(l);
      if (!line) unreadable.push(l);
      return line ? [line] : [];
    });
  const begin = lines.find((l): l is JournalBegin => l.type === "begin") ?? null;
  const committed = lines.some((l) => l.type === "commit");
  const started = lines.flatMap((l) => (l.type === "step" ? [l.step] : []));
  // Every planned step (those that never started undo as no-ops); a journal without the list: the started ones.
  const planned = begin?.steps ?? started;
  // A step of a kind this dotops does not know (a journal of a newer version) cannot be undone here: reported.
  for (const s of new Set([...planned, ...started].filter((s) => !isKnown(s)).map((s) => JSON.stringify(s))))
    unreadable.push(s);
  if (!committed) await undoAll(ctx, planned.filter(isKnown));
  await ctx.host.unlink(journal);
  if (!begin && !started.length && !unreadable.length) return null;
  return {
    begin: begin && withoutSteps(begin),
    committed,
    undone: committed ? 0 : started.filter(isKnown).length,
    unreadable,
  };
}

function withoutSteps({ steps: _steps, ...head }: JournalBegin): Omit<JournalBegin, "steps"> {
  return head;
}

const isKnown = (s: Step) => Boolean(ownOps[s.op] ?? stepOps[s.op]);

/** One journal line, or null when it is torn or not a line dotops writes. */
function parseLine(text: string): Line | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const l = v as Partial<Line> & { step?: { op?: unknown }; steps?: unknown };
  if (l.type === "commit") return l as Line;
  if (l.type === "step" && typeof l.step?.op === "string") return l as Line;
  if (l.type === "begin" && (l.steps === undefined || Array.isArray(l.steps))) return l as Line;
  return null;
}
