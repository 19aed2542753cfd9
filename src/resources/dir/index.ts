import { type Change, Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import {
  assumeHomePath,
  clearTheWay,
  observeHomePath,
  type PathObservation,
  removeOwned,
  unmanagedInside,
} from "../shared/home-path.js";
import { homeSteps } from "../shared/home-steps.js";
import type { DirResource } from "./resource.js";

export type { DirResource };

/** A directory in HOME that managed files live in. Created when missing; removed only when empty. */
export const dirKind: KindHandler<DirResource, PathObservation> = {
  kind: "dir",
  steps: homeSteps,
  describe: (r) => `directory ${r.id}`,
  observe: (ctx, r) => observeHomePath(ctx, r.id),
  assume: assumeHomePath,
  async plan(ctx, desired, previous, o, replaced): Promise<Change | null> {
    const id = (desired ?? previous)?.id as string;
    const base = { kind: "dir", id, destructive: false, needsRoot: false };
    if (o.unsafe) return { ...base, action: "create", phase: Phase.createDirs, steps: [], refusal: o.unsafe };
    if (!desired) {
      if (o.stat?.type !== "dir") return null;
      const left = o.assumed ? [] : await unmanagedInside(ctx, o.abs);
      if (left.length)
        return {
          ...base,
          action: "delete",
          phase: Phase.removeDirs,
          steps: [],
          note: `kept: it holds files dotops does not manage (${left.join(", ")}${left.length >= 5 ? ", …" : ""})`,
        };
      return { ...base, action: "delete", phase: Phase.removeDirs, steps: [{ op: "rmdir", path: o.abs }] };
    }
    if (o.stat?.type === "dir") return null;
    const mkdir = { op: "mkdir" as const, path: o.abs };
    if (!o.stat) return { ...base, action: "create", phase: Phase.createDirs, steps: [mkdir] };
    // dotops' own file or link at this path in the last generation: it makes way for the directory.
    const owned = replaced ? await removeOwned(ctx, id, o, replaced) : null;
    if (owned)
      return {
        ...base,
        action: "update",
        phase: Phase.createDirs,
        steps: [...owned.steps, mkdir],
        note: owned.note ?? "a file becomes a directory",
        refusal: owned.refusal,
      };
    if (o.stat.type === "symlink" && !o.assumed) {
      const target = await ctx.host.lstat(`${o.abs}/.`); // follows the link: a link to a directory inside HOME is fine
      if (target?.type === "dir") return null;
    }
    const way = await clearTheWay(ctx, id, o);
    return {
      ...base,
      action: "create",
      phase: Phase.createDirs,
      steps: [...way.steps, mkdir],
      note: way.note,
      refusal: way.refusal,
    };
  },
};
