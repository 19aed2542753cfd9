import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import {
  assumeHomePath,
  clearTheWay,
  observeHomePath,
  type PathObservation,
  removeOwned,
  trashPath,
  unmanagedInside,
} from "../shared/home-path.js";
import { homeSteps } from "../shared/home-steps.js";
import type { Step } from "../step.js";
import type { DirResource } from "./resource.js";

export type { DirResource };

/** What the directory's permissions were before dotops first set them: put back when it stops. */
type OwnedMode = { mode: number };

/**
 * A directory in HOME that managed files live in. Created when missing;
 * removed only when empty. With `mode` its permissions are set (and the ones
 * it had are put back when dotops stops setting them); with `exact` whatever
 * dotops does not manage inside is moved to the trash (destructive).
 */
export const dirKind: KindHandler<DirResource, PathObservation> = {
  kind: "dir",
  steps: homeSteps,
  describe: (r) =>
    `directory ${r.id}${r.mode === undefined ? "" : ` (${r.mode.toString(8)})`}${r.exact ? " (exact)" : ""}`,
  observe: (ctx, r) => observeHomePath(ctx, r.id),
  assume: assumeHomePath,
  async plan(ctx, desired, previous, o, replaced): Promise<Change | null> {
    const id = (desired ?? previous)?.id as string;
    const base = { kind: "dir", id, destructive: false, needsRoot: false };
    if (o.unsafe) return { ...base, action: "create", phase: Phase.createDirs, steps: [], refusal: o.unsafe };
    if (!desired) {
      if (o.stat?.type !== "dir") return null;
      const left = o.assumed ? [] : await unmanagedInside(ctx, o.abs);
      if (left.length) {
        const restore = restoreMode(ctx, id, previous, o);
        return {
          ...base,
          action: "delete",
          phase: Phase.removeDirs,
          steps: restore,
          note: `kept: it holds files dotops does not manage (${left.join(", ")}${left.length >= 5 ? ", …" : ""})${restore.length ? "; its permissions are put back" : ""}`,
        };
      }
      return { ...base, action: "delete", phase: Phase.removeDirs, steps: [{ op: "rmdir", path: o.abs }] };
    }
    const setMode = (prevMode: number): Step[] =>
      desired.mode === undefined ? [] : [{ op: "chmod", path: o.abs, mode: desired.mode, prevMode }];
    if (o.stat?.type === "dir") return existingDir(ctx, desired, previous, o);
    const mkdir = { op: "mkdir" as const, path: o.abs };
    if (!o.stat)
      return { ...base, action: "create", phase: Phase.createDirs, steps: [mkdir, ...setMode(0o755)] };
    // dotops' own file or link at this path in the last generation: it makes way for the directory.
    const owned = replaced ? await removeOwned(ctx, id, o, replaced) : null;
    if (owned)
      return {
        ...base,
        action: "update",
        phase: Phase.createDirs,
        steps: [...owned.steps, mkdir, ...setMode(0o755)],
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
      steps: [...way.steps, mkdir, ...setMode(0o755)],
      note: way.note,
      refusal: way.refusal,
    };
  },
};

/** A directory that is there: its permissions, and for an exact one what does not belong inside. */
async function existingDir(
  ctx: ResourceContext,
  desired: DirResource,
  previous: DirResource | undefined,
  o: PathObservation,
): Promise<Change | null> {
  const mode = (o.stat?.mode ?? 0o755) & 0o7777;
  const steps: Step[] = [];
  const notes: string[] = [];
  let owns: OwnedMode | undefined;
  if (desired.mode !== undefined && (o.assumed ? previous?.mode !== desired.mode : mode !== desired.mode)) {
    const prevMode = o.assumed ? (previous?.mode ?? 0o755) : mode;
    steps.push({ op: "chmod", path: o.abs, mode: desired.mode, prevMode });
    notes.push(`permissions ${prevMode.toString(8)} → ${desired.mode.toString(8)}`);
    if (previous?.mode === undefined) owns = { mode: prevMode };
  } else if (desired.mode === undefined) steps.push(...restoreMode(ctx, desired.id, previous, o));
  const stray = desired.exact && !o.assumed ? await strayEntries(ctx, desired, o.abs) : [];
  for (const name of stray)
    steps.push({ op: "backup", path: `${o.abs}/${name}`, to: trashPath(ctx, `${desired.id}/${name}`) });
  if (stray.length)
    notes.push(
      `exact: removes ${stray.join(", ")}, which dotops does not manage; kept in ${trashPath(ctx, desired.id)} until \`dotops gc\``,
    );
  if (!steps.length) return null;
  return {
    kind: "dir",
    id: desired.id,
    action: "update",
    phase: Phase.createDirs,
    needsRoot: false,
    destructive: stray.length > 0,
    steps,
    note: notes.join("; "),
    ...(owns ? { owns } : {}),
  };
}

/** Puts back the permissions the directory had before dotops set them, if they were changed. */
function restoreMode(
  ctx: ResourceContext,
  id: string,
  previous: DirResource | undefined,
  o: PathObservation,
): Step[] {
  const owned = ctx.ownership?.get(id) as OwnedMode | undefined;
  if (previous?.mode === undefined || owned?.mode === undefined || o.assumed) return [];
  const mode = (o.stat?.mode ?? 0) & 0o7777;
  return mode === owned.mode ? [] : [{ op: "chmod", path: o.abs, mode: owned.mode, prevMode: mode }];
}

/**
 * Entries directly inside an exact directory that nothing manages: not in
 * `keep` (what the manifest puts there), and not the last generation's (their
 * own kinds remove them).
 */
async function strayEntries(ctx: ResourceContext, r: DirResource, abs: string): Promise<string[]> {
  const keep = new Set(r.keep ?? []);
  const names = await ctx.host.readdir(abs).catch(() => [] as string[]);
  return names.filter((name) => !keep.has(name) && !ctx.previous?.has(`${r.id}/${name}`)).sort();
}
