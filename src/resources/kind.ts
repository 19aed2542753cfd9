import type { Change } from "./change.js";
import type { ResourceContext, StateView } from "./context.js";
import type { Step, StepOps } from "./step.js";
import type { Resource } from "./types.js";

/**
 * What every resource kind implements (src/resources/README.md). `observe`
 * reads the machine, `assume` stands in for it when planning between two
 * commits without a machine, and `plan` compares desired, last-applied and
 * observed (chezmoi's three states) into a change made of steps. The kind's
 * `steps` carry them out and undo them, run by the engine's transaction.
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
    /** The last-applied resource of another kind at this id (mode: copy → link), if any. */
    replaced?: Resource,
  ): Promise<Change | null>;
  describe(r: R): string;
  /** The ops of the steps its changes are made of, by name (they may be shared with other kinds). */
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own step union
  steps: StepOps<any>;
  /**
   * A link the generation's own tree holds for this resource (a linked
   * dotfile: `home/<path>` → its store object), so that switching `current`
   * switches it. Paths are relative to the generation dir.
   */
  generationLink?(r: R, state: StateView): { path: string; target: string } | undefined;
  /**
   * What is installed for these resources now, by id (a package's version):
   * recorded with each generation so `dotops diff` shows version changes. One
   * batched observation for all of them.
   */
  inventory?(ctx: ResourceContext, rs: R[]): Promise<Record<string, string>>;
  /**
   * `dotops gc`: what the kind keeps outside dotops' store per generation (a
   * Nix profile generation) that no generation left after gc uses, deleted, or
   * only listed with `dryRun`. `kept`: per remaining generation, its resources
   * of this kind and its installed.json. Null: nothing of the kind here.
   */
  collect?(ctx: ResourceContext, kept: KeptGeneration<R>[], dryRun: boolean): Promise<Collected | null>;
  /**
   * `dotops health`: lines about these resources of the current generation
   * (is the tool there, is what it manages the generation's). One batched look.
   */
  health?(ctx: ResourceContext, rs: R[]): Promise<KindHealth[]>;
}

export interface KeptGeneration<R extends Resource = Resource> {
  resources: R[];
  installed: Record<string, string>;
}

/** What a kind's `collect` deleted: `what` of `path`, and what the user may do next (`hint`). */
export interface Collected {
  what: string;
  path: string;
  deleted: (number | string)[];
  hint?: string;
}

/**
 * A health line. `warn`: reported, not failed (a tool that is not installed).
 * `explains`: ids whose drift this line already accounts for (their tool is
 * missing), so `health` does not fail them again as drift.
 */
export interface KindHealth {
  name: string;
  ok: boolean;
  warn?: true;
  detail: string;
  explains?: string[];
}

export type { Step };
