import { type Change, Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { contentDiff } from "../shared/content-diff.js";
import {
  absHome,
  clearTheWay,
  isOurLink,
  observeHomePath,
  type PathObservation,
  unsafeChange,
} from "../shared/home-path.js";
import type { Step } from "../steps.js";
import type { FileResource } from "../types.js";

/** A real file copied out of the store (mode: copy), with its own permissions. */
export const fileKind: KindHandler<FileResource, PathObservation> = {
  kind: "file",
  describe: (r) => `file ${r.id} (${r.mode.toString(8)})`,
  observe: (ctx, r) => observeHomePath(ctx, r.id),
  assume: (ctx, prev, id) => ({
    abs: absHome(ctx, id),
    stat: prev ? { type: "file", mode: prev.mode, size: 0, mtimeMs: 0 } : null,
    assumedObject: prev?.object,
  }),
  async plan(ctx, desired, previous, o): Promise<Change | null> {
    const id = (desired ?? previous)?.id as string;
    const base = { kind: "file", id, destructive: false, needsRoot: false };
    if (o.unsafe) return unsafeChange("file", id, desired !== undefined, o.unsafe);
    const observed = await readObserved(ctx, o);
    const prevContent = previous ? await ctx.content(previous.object) : null;
    const ours = observed !== null && prevContent !== null && observed.equals(prevContent);

    if (!desired) {
      if (!o.stat) return null;
      if (!ours || !previous)
        return {
          ...base,
          action: "delete",
          phase: Phase.remove,
          steps: [],
          note: "changed outside dotops: left in place",
        };
      return {
        ...base,
        action: "delete",
        phase: Phase.remove,
        steps: [{ op: "unlink-file", path: o.abs, object: previous.object, mode: previous.mode }],
        diff: contentDiff(id, prevContent, null),
      };
    }

    const after = await ctx.content(desired.object);
    const write: Step = { op: "write", path: o.abs, object: desired.object, mode: desired.mode };
    if (!o.stat)
      return {
        ...base,
        action: "create",
        phase: Phase.place,
        steps: [write],
        diff: contentDiff(id, null, after),
      };
    if (observed?.equals(after)) {
      if (o.stat.mode === desired.mode) return null;
      return {
        ...base,
        action: "update",
        phase: Phase.place,
        steps: [{ op: "chmod", path: o.abs, mode: desired.mode, prevMode: o.stat.mode }],
        note: `permissions ${o.stat.mode.toString(8)} → ${desired.mode.toString(8)}`,
      };
    }
    if (ours && previous) {
      return {
        ...base,
        action: "update",
        phase: Phase.place,
        steps: [{ ...write, prev: { object: previous.object, mode: previous.mode } }],
        diff: contentDiff(id, prevContent, after),
      };
    }
    if (o.stat.type === "symlink" && isOurLink(ctx, o.linkTarget)) {
      return {
        ...base,
        action: "update",
        phase: Phase.place,
        steps: [{ op: "unlink-link", path: o.abs, target: o.linkTarget as string }, write],
        diff: contentDiff(id, prevContent, after),
        note: "a link becomes a copy",
      };
    }
    const way = await clearTheWay(ctx, id, o, previous !== undefined && o.stat.type === "file");
    return {
      ...base,
      action: previous ? "update" : "create",
      phase: Phase.place,
      steps: [...way.steps, write],
      diff: contentDiff(id, observed, after),
      note: way.note ?? (previous ? "changed outside dotops" : undefined),
      refusal: way.refusal,
    };
  },
};

async function readObserved(
  ctx: Parameters<typeof observeHomePath>[0],
  o: PathObservation & { assumedObject?: string },
): Promise<Buffer | null> {
  if (o.assumedObject) return ctx.content(o.assumedObject);
  return o.stat?.type === "file" ? ctx.host.readFile(o.abs) : null;
}
