import { dirname } from "node:path";
import { isHostError, type Stat } from "../../host/host.js";
import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";

export interface PathObservation {
  abs: string;
  stat: Stat | null;
  /** For symlinks: where they point. */
  linkTarget?: string;
  /** Set when a parent directory is a symlink leading outside HOME, or a loop. */
  unsafe?: string;
}

export function absHome(ctx: ResourceContext, id: string): string {
  return `${ctx.host.home}/${id.slice(2)}`;
}

/** The path in the current generation's home tree that a managed HOME link points to. */
export function currentHomePath(ctx: ResourceContext, id: string): string {
  return `${ctx.state.current}/home/${id.slice(2)}`;
}

/** A link dotops made: it points into the state dir. */
export function isOurLink(ctx: ResourceContext, target: string | undefined): boolean {
  return target?.startsWith(`${ctx.state.dir}/`) ?? false;
}

export async function observeHomePath(ctx: ResourceContext, id: string): Promise<PathObservation> {
  const abs = absHome(ctx, id);
  const unsafe = await parentProblem(ctx, dirname(abs));
  if (unsafe) return { abs, stat: null, unsafe };
  const stat = await ctx.host.lstat(abs);
  const linkTarget = stat?.type === "symlink" ? await ctx.host.readlink(abs) : undefined;
  return { abs, stat, linkTarget };
}

/**
 * Checks that `dir` (or its nearest existing ancestor) really is inside HOME
 * once symlinks are resolved. Memoised: thousands of files share parents.
 */
function parentProblem(ctx: ResourceContext, dir: string): Promise<string | undefined> {
  const key = `parent:${dir}`;
  let p = ctx.memo.get(key) as Promise<string | undefined> | undefined;
  if (!p) {
    p = checkParent(ctx, dir);
    ctx.memo.set(key, p);
  }
  return p;
}

async function realHome(ctx: ResourceContext): Promise<string> {
  let p = ctx.memo.get("realhome") as Promise<string> | undefined;
  if (!p) {
    p = ctx.host.realpath(ctx.host.home);
    ctx.memo.set("realhome", p);
  }
  return p;
}

async function checkParent(ctx: ResourceContext, dir: string): Promise<string | undefined> {
  if (dir === ctx.host.home) return undefined;
  const st = await ctx.host.lstat(dir);
  // A file where a directory is needed is not a reason to refuse here: that
  // directory is a dir resource of its own, which refuses or (--backup) moves it.
  if (st?.type !== "symlink") return parentProblem(ctx, dirname(dir));
  try {
    const real = await ctx.host.realpath(dir);
    const home = await realHome(ctx);
    if (real !== home && !real.startsWith(`${home}/`))
      return `${dir} is a symlink to ${real}, outside HOME; dotops will not write through it`;
    return undefined;
  } catch (err) {
    const why = isHostError(err, "ELOOP")
      ? "a symlink loop"
      : isHostError(err, "ENOENT")
        ? "a dangling symlink"
        : undefined;
    if (!why) throw err;
    // Leads nowhere, so nothing can be written through it; with --backup its own
    // dir resource moves it aside and creates the directory.
    return ctx.backupExt === undefined ? `${dir} is ${why}` : undefined;
  }
}

export function describeObserved(o: PathObservation): string {
  if (!o.stat) return "nothing";
  if (o.stat.type === "symlink") return `a symlink to ${o.linkTarget}`;
  if (o.stat.type === "dir") return "a directory";
  if (o.stat.type === "file") return "a file";
  return "a special file";
}

/**
 * Steps to clear an unmanaged path in the way: a backup when --backup is on,
 * else a refusal explaining both ways out (Home Manager's "would be clobbered").
 */
export async function clearTheWay(
  ctx: ResourceContext,
  id: string,
  o: PathObservation,
  /** The path is dotops' own, but was edited since dotops wrote it. */
  edited = false,
): Promise<{ steps: import("../steps.js").Step[]; note?: string; refusal?: string }> {
  const what = describeObserved(o);
  if (ctx.backupExt === undefined) {
    const why = edited
      ? `was changed outside dotops since it was applied; copy your edits into the config repo`
      : `exists and is ${what} that dotops does not manage; move it away`;
    return { steps: [], refusal: `${id} ${why}, or rerun with --backup to keep it as ${id}.dotops-backup` };
  }
  const to = `${o.abs}${ctx.backupExt}`;
  if (await ctx.host.lstat(to)) {
    return {
      steps: [],
      refusal: `${id} is in the way and its backup ${to} already exists; move one of them away`,
    };
  }
  return {
    steps: [{ op: "backup", path: o.abs, to }],
    note: `moves ${what} at ${id} to ${id}${ctx.backupExt}`,
  };
}

/** The change for a path dotops must not write through (a parent outside HOME, a loop): refused. */
export function unsafeChange(kind: string, id: string, creating: boolean, unsafe: string): Change {
  return {
    kind,
    id,
    destructive: false,
    needsRoot: false,
    action: creating ? "create" : "delete",
    phase: Phase.place,
    steps: [],
    refusal: unsafe,
  };
}
