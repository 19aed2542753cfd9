import type { ResourceContext } from "./context.js";

/**
 * A primitive, journaled step: `op` names who carries it out (a kind's own
 * ops, the shared home-path ops, or the engine's `switch`), the rest is data
 * enough to undo it. Both directions are idempotent: recovery after a crash
 * may replay an undo for a step that never ran, or ran halfway.
 */
export type Step = { op: string } & Record<string, unknown>;

export interface StepOp<S extends Step = Step> {
  run(ctx: ResourceContext, step: S): Promise<void>;
  undo(ctx: ResourceContext, step: S): Promise<void>;
  describe(step: S): string;
  /**
   * Runs neighbouring steps of this op in one go (one `brew install a b c`
   * instead of three processes). The journal lists each step as started
   * before the batch runs, so recovery undoes every one of them.
   */
  runBatch?(ctx: ResourceContext, steps: S[]): Promise<void>;
  /** Undoes neighbouring steps of this op in one go (given in undo order). */
  undoBatch?(ctx: ResourceContext, steps: S[]): Promise<void>;
  /**
   * Whether this step may be carried out as root by `dotops privileged` (a
   * step marked `root: true`): only ones that touch a system location, so
   * the sudoers rule for the door grants no more than that.
   */
  mayRunAsRoot?(step: S): boolean;
}

/** The ops of one step union, each typed with its own step. */
export type StepOps<S extends Step> = { [K in S["op"]]: StepOp<Extract<S, { op: K }>> };

/** What a journal line holds: any op known to this dotops. */
export type AnyStepOps = Record<string, StepOp<never>>;
