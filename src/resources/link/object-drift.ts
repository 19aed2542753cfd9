import { type Change, Phase } from "../change.js";
import { objectPath, type ResourceContext } from "../context.js";

/**
 * A managed link is unchanged, but is the store object behind it? Writing
 * through the link (an installer running as root appends to ~/.zshrc) edits
 * the object in place; its size and mtime, recorded when the generation was
 * applied, give it away without reading it. The change carries no step: the
 * build of an apply rewrites every changed object it needs from the config
 * (engine/store.ts writeBlobs); the change is what makes that apply happen.
 */
export async function objectDrift(
  ctx: ResourceContext,
  id: string,
  object: string,
  assumed: boolean | undefined,
): Promise<Change | null> {
  const recorded = assumed ? undefined : ctx.objectStats?.get(object);
  if (!recorded) return null;
  const path = objectPath(ctx.state, object);
  const st = await ctx.host.lstat(path);
  if (st?.type === "file" && st.size === recorded.size && st.mtimeMs === recorded.mtimeMs) return null;
  return {
    kind: "link",
    id,
    action: "update",
    destructive: false,
    needsRoot: false,
    phase: Phase.place,
    steps: [],
    note: `its content in the store (${path}) was ${st ? "changed in place, e.g. written through the link" : "deleted"}; apply restores it from the config`,
  };
}
