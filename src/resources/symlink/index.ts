import { type Change, Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import {
  assumeHomePath,
  clearTheWay,
  isOurLink,
  observeHomePath,
  type PathObservation,
  removeOwned,
  unsafeChange,
} from "../shared/home-path.js";
import { homeSteps } from "../shared/home-steps.js";
import type { SymlinkResource } from "./resource.js";

export type { SymlinkResource };

/**
 * A symlink kept as the repo has it (`d/dirlink -> realdir` inside a directory
 * source, or any link with `symlinks: keep`): HOME gets a link with the same
 * text. It is a pointer, not content, so it needs no store object; it is
 * dotops' own while its text is the one recorded.
 */
export const symlinkKind: KindHandler<SymlinkResource, PathObservation> = {
  kind: "symlink",
  steps: homeSteps,
  describe: (r) => `symlink ${r.id} -> ${r.target}`,
  observe: (ctx, r) => observeHomePath(ctx, r.id),
  assume: assumeHomePath,
  async plan(ctx, desired, previous, o, replaced): Promise<Change | null> {
    const id = (desired ?? previous)?.id as string;
    const base = { kind: "symlink", id, destructive: false, needsRoot: false };
    if (o.unsafe) return unsafeChange("symlink", id, desired !== undefined, o.unsafe);
    const isLink = o.stat?.type === "symlink";
    if (!desired) {
      if (!previous || !isLink || o.linkTarget !== previous.target) return null;
      return {
        ...base,
        action: "delete",
        phase: Phase.remove,
        steps: [{ op: "unlink-link", path: o.abs, target: previous.target }],
      };
    }
    if (isLink && o.linkTarget === desired.target) return null;
    const link = { op: "symlink" as const, path: o.abs, target: desired.target };
    const diff = `symlink ${id} -> ${desired.target}\n`;
    if (!o.stat) return { ...base, action: "create", phase: Phase.place, steps: [link], diff };
    if (isLink && (o.linkTarget === previous?.target || isOurLink(ctx, o.linkTarget)))
      return {
        ...base,
        action: "update",
        phase: Phase.place,
        steps: [{ ...link, replace: o.linkTarget }],
        diff,
      };
    const owned = replaced ? await removeOwned(ctx, id, o, replaced) : null;
    const way = owned ?? (await clearTheWay(ctx, id, o));
    return {
      ...base,
      action: previous || replaced ? "update" : "create",
      phase: Phase.place,
      steps: [...way.steps, link],
      diff,
      note: way.note,
      refusal: way.refusal,
    };
  },
};
