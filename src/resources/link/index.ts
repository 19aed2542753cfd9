import { type Change, Phase } from "../change.js";
import { objectPath } from "../context.js";
import type { KindHandler } from "../kind.js";
import { contentDiff } from "../shared/content-diff.js";
import {
  assumeHomePath,
  clearTheWay,
  contentAt,
  currentHomePath,
  isOurLink,
  observeHomePath,
  type PathObservation,
  removeOwned,
  replaceDirectory,
  unsafeChange,
} from "../shared/home-path.js";
import { homeSteps } from "../shared/home-steps.js";
import type { Step } from "../step.js";
import { objectDrift } from "./object-drift.js";
import type { LinkResource } from "./resource.js";

export type { LinkResource };

/**
 * A dotfile as a symlink into `current/home/...`. Content changes need no step
 * in HOME at all: switching `current` changes every link at once.
 */
export const linkKind: KindHandler<LinkResource, PathObservation> = {
  kind: "link",
  steps: homeSteps,
  generationLink: (r, state) => ({ path: `home/${r.id.slice(2)}`, target: objectPath(state, r.object) }),
  describe: (r) => `link ${r.id}`,
  observe: (ctx, r) => observeHomePath(ctx, r.id),
  assume: assumeHomePath,
  async plan(ctx, desired, previous, o, replaced): Promise<Change | null> {
    const id = (desired ?? previous)?.id as string;
    const base = { kind: "link", id, destructive: false, needsRoot: false };
    if (o.unsafe) return unsafeChange("link", id, desired !== undefined, o.unsafe);

    if (!desired) {
      if (o.stat?.type === "symlink" && isOurLink(ctx, o.linkTarget)) {
        return {
          ...base,
          action: "delete",
          phase: Phase.remove,
          steps: [{ op: "unlink-link", path: o.abs, target: o.linkTarget as string }],
          diff: previous ? contentDiff(id, await ctx.content(previous.object), null) : undefined,
        };
      }
      if (!o.stat) return null;
      return {
        ...base,
        action: "delete",
        phase: Phase.remove,
        steps: [],
        note: "changed outside dotops: left in place",
      };
    }

    const expected = currentHomePath(ctx, id);
    const ours = o.stat?.type === "symlink" && isOurLink(ctx, o.linkTarget);
    // Unchanged, the common case of status, drift checks and no-op applies: no store reads.
    if (ours && o.linkTarget === expected && previous?.object === desired.object)
      return objectDrift(ctx, id, desired.object, o.assumed);
    if (ours) {
      // The switch of `current` carries the new content: only the diff needs the files.
      const steps: Step[] =
        o.linkTarget === expected
          ? []
          : [{ op: "symlink", path: o.abs, target: expected, replace: o.linkTarget }];
      if (!steps.length && previous?.object === desired.object) return null;
      return {
        ...base,
        action: previous || replaced ? "update" : "create",
        phase: Phase.place,
        steps,
        diff: ctx.diffs
          ? contentDiff(
              id,
              previous ? await ctx.content(previous.object) : null,
              await ctx.content(desired.object),
            )
          : undefined,
      };
    }
    const after = await ctx.content(desired.object);
    const link: Step = { op: "symlink", path: o.abs, target: expected };
    if (!o.stat) {
      return {
        ...base,
        action: "create",
        phase: Phase.place,
        steps: [link],
        diff: contentDiff(id, null, after),
        note: previous ? "was removed outside dotops" : undefined,
      };
    }
    if (o.stat.type === "dir" && replaced?.kind === "dir")
      return replaceDirectory(ctx, "link", id, o, link, contentDiff(id, null, after));
    const current = await contentAt(ctx, o);
    if (current?.equals(after)) {
      // An identical file, or a link to identical content (stow's): moving in needs no backup.
      const remove: Step =
        o.stat.type === "file"
          ? { op: "unlink-file", path: o.abs, object: desired.object, mode: o.stat.mode }
          : { op: "unlink-link", path: o.abs, target: o.linkTarget as string };
      return {
        ...base,
        action: "create",
        phase: Phase.place,
        steps: [remove, link],
        note: o.stat.type === "file" ? "replaces an identical file" : "replaces a link to identical content",
      };
    }
    // What dotops put here last time as another kind (a copy, a kept symlink) makes way for the link.
    const owned = replaced ? await removeOwned(ctx, id, o, replaced) : null;
    const way = owned ?? (await clearTheWay(ctx, id, o));
    if (owned && !owned.refusal)
      return {
        ...base,
        action: "update",
        phase: Phase.place,
        steps: [...owned.steps, link],
        diff: contentDiff(id, o.stat.type === "file" ? current : null, after),
        note: `a ${replaced?.kind === "file" ? "copy" : "kept symlink"} becomes a link`,
      };
    return {
      ...base,
      action: previous ? "update" : "create",
      phase: Phase.place,
      steps: [...way.steps, link],
      diff: contentDiff(id, o.stat.type === "file" ? current : null, after),
      note: way.note,
      refusal: way.refusal,
    };
  },
};
