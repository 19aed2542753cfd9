import type { Change } from "./change.js";
import type { ResourceContext } from "./context.js";
import type { Resource } from "./types.js";

/**
 * What every resource kind implements. `observe` reads the machine, `assume`
 * stands in for it when planning between two commits without a machine, and
 * `plan` compares desired, last-applied and observed (chezmoi's three states).
 * Doing and undoing is in the kind's steps, run by the engine's transaction.
 */
export interface KindHandler<R extends Resource = Resource, O = unknown> {
  kind: R["kind"];
  observe(ctx: ResourceContext, r: R): Promise<O>;
  /** `previous`: what the last generation had at this id, of any kind. */
  assume(ctx: ResourceContext, previous: Resource | undefined, id: string): O;
  plan(
    ctx: ResourceContext,
    desired: R | undefined,
    previous: R | undefined,
    observed: O,
    /** The last-applied resource of another kind at this path (mode: copy → link), if any. */
    replaced?: Resource,
  ): Promise<Change | null>;
  describe(r: R): string;
}
