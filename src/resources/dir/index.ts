import { type Change, Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { clearTheWay, observeHomePath, type PathObservation } from "../shared/home-path.js";
import type { DirResource } from "../types.js";

/** A directory in HOME that managed files live in. Created when missing; removed only when empty. */
export const dirKind: KindHandler<DirResource, PathObservation> = {
  kind: "dir",
  describe: (r) => `directory ${r.id}`,
  observe: (ctx, r) => observeHomePath(ctx, r.id),
  assume: (ctx, prev, id) => ({
    abs: `${ctx.host.home}/${id.slice(2)}`,
    stat: prev ? { type: "dir", mode: 0o755, size: 0, mtimeMs: 0 } : null,
  }),
  async plan(ctx, desired, _previous, o): Promise<Change | null> {
    const base = {
      kind: "dir",
      id: (desired ?? _previous)?.id as string,
      destructive: false,
      needsRoot: false,
    };
    if (o.unsafe) return { ...base, action: "create", phase: Phase.createDirs, steps: [], refusal: o.unsafe };
    if (!desired) {
      if (o.stat?.type !== "dir") return null;
      return {
        ...base,
        action: "delete",
        phase: Phase.removeDirs,
        steps: [{ op: "rmdir", path: o.abs }],
        note: "if empty",
      };
    }
    if (o.stat?.type === "dir") return null;
    if (o.stat?.type === "symlink" && o.linkTarget !== undefined) {
      const target = await ctx.host.lstat(`${o.abs}/.`); // follows the link: a link to a directory inside HOME is fine
      if (target?.type === "dir") return null;
    }
    if (!o.stat)
      return { ...base, action: "create", phase: Phase.createDirs, steps: [{ op: "mkdir", path: o.abs }] };
    const way = await clearTheWay(ctx, base.id, o);
    return {
      ...base,
      action: "create",
      phase: Phase.createDirs,
      destructive: false,
      steps: [...way.steps, { op: "mkdir", path: o.abs }],
      note: way.note,
      refusal: way.refusal,
    };
  },
};
