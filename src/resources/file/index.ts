import { type Change, Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { contentDiff } from "../shared/content-diff.js";
import {
  assumeHomePath,
  clearTheWay,
  contentAt,
  observeHomePath,
  type PathObservation,
  removeOwned,
  replaceDirectory,
  trashPath,
  unsafeChange,
} from "../shared/home-path.js";
import { homeSteps } from "../shared/home-steps.js";
import type { Step } from "../step.js";
import type { FileResource } from "./resource.js";

export type { FileResource };

/** A real file copied out of the store (mode: copy), with its own permissions. */
export const fileKind: KindHandler<FileResource, PathObservation> = {
  kind: "file",
  steps: homeSteps,
  describe: (r) => `file ${r.id} (${r.mode.toString(8)})`,
  observe: (ctx, r) => observeHomePath(ctx, r.id),
  assume: assumeHomePath,
  async plan(ctx, desired, previous, o, replaced): Promise<Change | null> {
    const id = (desired ?? previous)?.id as string;
    const base = { kind: "file", id, destructive: false, needsRoot: false };
    if (o.unsafe) return unsafeChange("file", id, desired !== undefined, o.unsafe);
    const observed = await contentAt(ctx, o);
    const prevContent = previous ? await ctx.content(previous.object) : null;
    const ours = o.stat?.type === "file" && prevContent !== null && observed?.equals(prevContent) === true;

    if (!desired) {
      if (!o.stat) return null;
      if (ours && previous)
        return {
          ...base,
          action: "delete",
          phase: Phase.remove,
          steps: [{ op: "unlink-file", path: o.abs, object: previous.object, mode: previous.mode }],
          diff: contentDiff(id, prevContent, null),
        };
      if (previous && o.stat.type === "file") {
        // dotops' copy, edited since: removing it loses the edits, so it needs approval.
        const to = trashPath(ctx, id);
        return {
          ...base,
          action: "delete",
          phase: Phase.remove,
          destructive: true,
          steps: [{ op: "backup", path: o.abs, to }],
          diff: contentDiff(id, observed, null),
          note: `edited since dotops wrote it: the edits are lost from HOME (kept in ${to} until \`dotops gc\`)`,
        };
      }
      return {
        ...base,
        action: "delete",
        phase: Phase.remove,
        steps: [],
        note: "changed outside dotops: left in place",
      };
    }

    const after = await ctx.content(desired.object);
    const write: Step = { op: "write", path: o.abs, object: desired.object, mode: desired.mode };
    const change = (c: Omit<Change, keyof typeof base> & Partial<Change>): Change => ({ ...base, ...c });
    if (!o.stat)
      return change({
        action: "create",
        phase: Phase.place,
        steps: [write],
        diff: contentDiff(id, null, after),
      });
    if (o.stat.type === "file" && observed?.equals(after)) {
      if (o.stat.mode === desired.mode) return null;
      return change({
        action: "update",
        phase: Phase.place,
        steps: [{ op: "chmod", path: o.abs, mode: desired.mode, prevMode: o.stat.mode }],
        note: `permissions ${o.stat.mode.toString(8)} → ${desired.mode.toString(8)}`,
      });
    }
    if (ours && previous) {
      return change({
        action: "update",
        phase: Phase.place,
        steps: [{ ...write, prev: { object: previous.object, mode: previous.mode } }],
        diff: contentDiff(id, prevContent, after),
      });
    }
    const owned = replaced && replaced.kind !== "dir" ? await removeOwned(ctx, id, o, replaced) : null;
    if (owned && !owned.refusal) {
      return change({
        action: "update",
        phase: Phase.place,
        steps: [...owned.steps, write],
        diff: contentDiff(
          id,
          replaced?.kind === "link" && replaced.object ? await ctx.content(replaced.object) : null,
          after,
        ),
        note: `a ${replaced?.kind === "link" ? "link" : "kept symlink"} becomes a copy`,
      });
    }
    if (o.stat.type === "dir" && replaced?.kind === "dir")
      return replaceDirectory(ctx, "file", id, o, write, contentDiff(id, null, after));
    if (o.stat.type === "symlink" && observed?.equals(after)) {
      // A link to identical content (stow's): moving in needs no backup.
      return change({
        action: "create",
        phase: Phase.place,
        steps: [{ op: "unlink-link", path: o.abs, target: o.linkTarget as string }, write],
        note: "replaces a link to identical content",
      });
    }
    const way = await clearTheWay(ctx, id, o, previous !== undefined && o.stat.type === "file");
    return change({
      action: previous ? "update" : "create",
      phase: Phase.place,
      steps: [...way.steps, write],
      diff: contentDiff(id, o.stat.type === "file" ? observed : null, after),
      note: way.note ?? (previous ? "changed outside dotops" : undefined),
      refusal: way.refusal,
    });
  },
};
