import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import { contentDiff } from "../shared/content-diff.js";
import { type NixSystemConfResource, SYSTEM_NIX_CONF } from "./resource.js";
import { type NixConfSystemStep, nixSteps } from "./steps.js";

/** Where the system nix.conf is: /etc/nix/nix.conf (tests point DOTOPS_NIX_SYSTEM_CONF elsewhere). */
export const systemConfPath = (ctx: ResourceContext) =>
  ctx.host.env.DOTOPS_NIX_SYSTEM_CONF || SYSTEM_NIX_CONF;

/** What the file held before dotops first wrote it (Change.owns): base64, or null for nothing. */
type ConfOwnership = { prev: string | null };

/**
 * `nix.settings` with `scope: system`: /etc/nix/nix.conf, which the Nix
 * installer wrote, rewritten as root through the privilege door. What it
 * held before is kept with every generation (owns), so unmanaging puts the
 * installer's file back.
 */
export const nixSystemConfKind: KindHandler<NixSystemConfResource, Buffer | null> = {
  kind: "nix-conf-system",
  steps: nixSteps,
  describe: (r) => `nix.conf ${r.id} (system, as root)`,
  async observe(ctx) {
    const path = systemConfPath(ctx);
    return (await ctx.host.lstat(path))?.type === "file" ? ctx.host.readFile(path) : null;
  },
  assume: () => null,
  async plan(ctx, desired, previous, observed): Promise<Change | null> {
    const path = systemConfPath(ctx);
    const id = (desired ?? previous)?.id ?? SYSTEM_NIX_CONF;
    const base = { kind: "nix-conf-system", id, needsRoot: true, destructive: false };
    const b64 = (b: Buffer | null) => (b ? b.toString("base64") : null);
    if (!desired) {
      const before = ctx.ownership?.get(id) as ConfOwnership | undefined;
      if (!previous || !before || !observed?.equals(await ctx.content(previous.object))) return null;
      const step: NixConfSystemStep = {
        op: "nix-conf-system-write",
        path,
        content: before.prev,
        prev: b64(observed),
        root: true,
      };
      return {
        ...base,
        action: "delete",
        phase: Phase.remove,
        steps: [step],
        note:
          before.prev === null ? "removes it: dotops created it" : "puts back what was there before dotops",
      };
    }
    const want = await ctx.content(desired.object);
    if (observed?.equals(want)) return null;
    const step: NixConfSystemStep = {
      op: "nix-conf-system-write",
      path,
      content: want.toString("base64"),
      prev: b64(observed),
      root: true,
    };
    const owns: ConfOwnership | undefined = previous ? undefined : { prev: step.prev };
    return {
      ...base,
      action: observed ? "update" : "create",
      phase: Phase.settings,
      steps: [step],
      ...(owns ? { owns } : {}),
      ...(ctx.diffs ? { diff: contentDiff(path, observed, want) } : {}),
    };
  },
};
