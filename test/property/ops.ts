/**
 * The operations of a sequence, as plain data so that a shrunk counterexample
 * reads as a script. Indices (`pick`) are taken modulo what exists when the
 * operation runs (commits, generations, managed files), so any sequence is valid.
 */
import fc from "fast-check";
import { changeArb, type Slot, type Spec, textArb } from "./config-model.js";

/** --backup and --allow-destructive, as apply and rollback take them. */
export interface Flags {
  backup?: true;
  destructive?: true;
}

/** Where the user drops a file of their own: beside, inside and at the paths dotops manages. */
export const USER_PATHS = ["notes.txt", "u", ".a", ".c/x", ".c/mine", "t/mine", "t/sub/mine"] as const;
export type UserPath = (typeof USER_PATHS)[number];

/**
 * How the user edits a managed file: replace it with a file of their own (as
 * `sed -i` does to a link), write a copy in place, chmod a copy, delete it,
 * or write through a link into the store (as root, an installer appending to ~/.zshrc).
 */
export type EditHow = "replace" | "inplace" | "chmod" | "delete" | "through";

export type Op =
  | { op: "commit"; set: [Slot, Spec | null][] }
  /** A commit applied at once: what a user mostly does. */
  | ({ op: "change"; set: [Slot, Spec | null][] } & Flags)
  | ({ op: "apply" } & Flags)
  | ({ op: "revert"; pick: number } & Flags)
  | ({ op: "rollback"; to: "previous" | number } & Flags)
  | { op: "gc"; keep?: number }
  | { op: "drop"; at: UserPath; text: string }
  | { op: "edit"; pick: number; how: EditHow; text: string; sameSize: boolean }
  /** A commit whose apply fails (a step throws) at a journaled point: it must be undone whole. */
  | ({ op: "fail"; set: [Slot, Spec | null][]; point: number } & Flags)
  /** A commit whose apply (through the CLI) is killed at a journaled step, then the next command. */
  | ({
      op: "crash";
      set: [Slot, Spec | null][];
      point: number;
      next: "status" | "apply" | "rollback" | "gc";
      pick: number;
    } & Flags);

const flagsArb: fc.Arbitrary<Flags> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.constant({ backup: true as const }) },
  { weight: 1, arbitrary: fc.constant({ destructive: true as const }) },
  { weight: 1, arbitrary: fc.constant({ backup: true as const, destructive: true as const }) },
);

const withFlags = <T extends object>(arb: fc.Arbitrary<T>) =>
  fc.tuple(arb, flagsArb).map(([o, f]) => ({ ...o, ...f }));

const pickArb = fc.nat({ max: 31 });

export function opArb(opts: { crash: boolean }): fc.Arbitrary<Op> {
  const ops: fc.WeightedArbitrary<Op>[] = [
    { weight: 3, arbitrary: changeArb.map((set): Op => ({ op: "commit", set })) },
    { weight: 8, arbitrary: withFlags(changeArb.map((set) => ({ op: "change" as const, set }))) },
    { weight: 3, arbitrary: withFlags(fc.constant({ op: "apply" as const })) },
    { weight: 3, arbitrary: withFlags(fc.record({ op: fc.constant("revert" as const), pick: pickArb })) },
    {
      weight: 3,
      arbitrary: withFlags(
        fc.record({
          op: fc.constant("rollback" as const),
          to: fc.oneof(fc.constant("previous" as const), pickArb),
        }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record(
        { op: fc.constant("gc" as const), keep: fc.integer({ min: 1, max: 4 }) },
        { requiredKeys: ["op"] },
      ),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant("drop" as const),
        at: fc.constantFrom(...USER_PATHS),
        text: textArb,
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant("edit" as const),
        pick: pickArb,
        how: fc.constantFrom<EditHow>("replace", "inplace", "chmod", "delete", "through"),
        text: textArb,
        sameSize: fc.boolean(),
      }),
    },
  ];
  ops.push({
    weight: 2,
    arbitrary: withFlags(fc.record({ op: fc.constant("fail" as const), set: changeArb, point: pickArb })),
  });
  if (opts.crash)
    ops.push({
      weight: 1,
      arbitrary: withFlags(
        fc.record({
          op: fc.constant("crash" as const),
          set: changeArb,
          point: pickArb,
          next: fc.constantFrom("status" as const, "apply" as const, "rollback" as const, "gc" as const),
          pick: pickArb,
        }),
      ),
    });
  return fc.oneof(...ops);
}

/** A sequence: the config of the first commit (mostly applied at once), then the operations. */
export interface Sequence {
  initial: [Slot, Spec | null][];
  applied: boolean;
  ops: Op[];
}

export function sequenceArb(opts: { crash: boolean; maxOps: number }): fc.Arbitrary<Sequence> {
  return fc.record({
    initial: changeArb,
    applied: fc.oneof(
      { weight: 4, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    ops: fc.array(opArb(opts), { minLength: 1, maxLength: opts.maxOps }),
  });
}
