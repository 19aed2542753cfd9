import { dirname } from "node:path";
import { HostError, isHostError, type Stat } from "../../host/host.js";
import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { FileResource } from "../file/resource.js";
import type { Step, StepOp } from "../step.js";
import type { SymlinkResource } from "../symlink/resource.js";
import type { Resource } from "../types.js";

export interface PathObservation {
  abs: string;
  stat: Stat | null;
  /** For symlinks: where they point. */
  linkTarget?: string;
  /** Set when a parent directory is a symlink leading outside HOME, or a loop. */
  unsafe?: string;
  /** Not read from the machine: what the last generation left there (plans between two commits). */
  assumed?: true;
  /** For an assumed copy: the store object it holds. */
  assumedObject?: string;
}

/** The machine as the last generation left it at `id`, whatever kind was there: no I/O. */
export function assumeHomePath(
  ctx: ResourceContext,
  prev: Resource | undefined,
  id: string,
): PathObservation {
  const abs = absHome(ctx, id);
  const stat = (type: Stat["type"], mode: number): Stat => ({ type, mode, size: 0, mtimeMs: 0 });
  switch (prev?.kind) {
    case "dir":
      return { abs, stat: stat("dir", 0o755), assumed: true };
    case "link":
      return { abs, stat: stat("symlink", 0o777), linkTarget: currentHomePath(ctx, id), assumed: true };
    case "file": {
      const file = prev as FileResource;
      return { abs, stat: stat("file", file.mode), assumedObject: file.object, assumed: true };
    }
    case "symlink":
      return {
        abs,
        stat: stat("symlink", 0o777),
        linkTarget: (prev as SymlinkResource).target,
        assumed: true,
      };
    default:
      return { abs, stat: null, assumed: true };
  }
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

/** The config repo and the state dir, symlinks resolved (memoised): never written through a link. */
function ownDirs(ctx: ResourceContext): Promise<[string, string][]> {
  let p = ctx.memo.get("own-dirs") as Promise<[string, string][]> | undefined;
  if (!p) {
    const real = async (dir: string | undefined, what: string): Promise<[string, string][]> => {
      if (!dir) return [];
      try {
        return [[await ctx.host.realpath(dir), what]];
      } catch {
        return []; // not there (yet): nothing to write into
      }
    };
    p = Promise.all([real(ctx.repoDir, "the config repo"), real(ctx.state.dir, "dotops' state dir")]).then(
      (a) => a.flat(),
    );
    ctx.memo.set("own-dirs", p);
  }
  return p;
}

async function checkParent(ctx: ResourceContext, dir: string): Promise<string | undefined> {
  if (dir === ctx.host.home) return undefined;
  const st = await ctx.host.lstat(dir);
  // A file where a directory is needed is not a reason to refuse here: that
  // directory is a dir resource of its own, which refuses or (--backup) moves it.
  if (st?.type !== "symlink") return parentProblem(ctx, dirname(dir));
  // dotops' own link (a managed file that becomes a directory) is replaced by the plan, not
  // written through; with the state dir outside HOME it would look like a link out of HOME.
  if (isOurLink(ctx, await ctx.host.readlink(dir))) return parentProblem(ctx, dirname(dir));
  try {
    const real = await ctx.host.realpath(dir);
    const home = await realHome(ctx);
    if (real !== home && !real.startsWith(`${home}/`))
      return `${dir} is a symlink to ${real}, outside HOME; dotops will not write through it`;
    // Writing through it would change dotops' own files: a folded GNU Stow package links a
    // whole directory of HOME into the config repo, and a link there would replace a repo file.
    for (const [own, what] of await ownDirs(ctx)) {
      if (real !== own && !real.startsWith(`${own}/`)) continue;
      return `${dir} is a symlink into ${what} (${real}); dotops will not write through it into its own files. Replace the link with a real directory (a folded GNU Stow package: \`stow -D <package>\` in the stow directory), then apply again`;
    }
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

/**
 * Why a step must not act on `path` (in HOME) now: its nearest existing
 * directory resolves outside HOME, or is a link to nowhere. The plan refused
 * such paths already (checkParent); a step asks again just before it acts,
 * because a directory can be swapped for a symlink between the plan and the
 * step (another process, or someone racing the apply), and mkdir, symlink and
 * rename follow it. Never memoised, for that reason. Without openat(2) in Node
 * this narrows the window to one realpath; it cannot close it.
 */
export async function escapesHome(ctx: ResourceContext, path: string): Promise<string | undefined> {
  const home = ctx.host.home;
  if (!path.startsWith(`${home}/`)) return undefined;
  for (let dir = dirname(path); dir !== home && dir.startsWith(`${home}/`); dir = dirname(dir)) {
    try {
      const real = await ctx.host.realpath(dir);
      const realHomeDir = await realHome(ctx);
      if (real === realHomeDir || real.startsWith(`${realHomeDir}/`)) return undefined;
      return `${dir} now leads to ${real}, outside HOME (it changed since the plan); dotops will not write through it`;
    } catch (err) {
      if (isHostError(err, "ELOOP")) return `${dir} is a symlink loop now (it changed since the plan)`;
      if (!isHostError(err, "ENOENT")) throw err;
      if ((await ctx.host.lstat(dir))?.type === "symlink")
        return `${dir} is a symlink to nowhere now (it changed since the plan); dotops will not write through it`;
      // Missing: the step (or one before it) makes it, inside whatever holds it; ask about that.
    }
  }
  return undefined;
}

/**
 * Step ops that re-check their paths with escapesHome: a run whose path leads
 * out of HOME fails (and the transaction is undone); an undo is skipped, as
 * there is nothing of dotops' own outside HOME to take back.
 */
export function guardedInHome<S extends Step>(
  op: StepOp<S>,
  paths: (s: S, ctx: ResourceContext) => string[],
): StepOp<S> {
  const problem = async (ctx: ResourceContext, s: S) => {
    for (const path of paths(s, ctx)) {
      const why = await escapesHome(ctx, path);
      if (why) return { why, path };
    }
    return undefined;
  };
  return {
    ...op,
    run: async (ctx, s) => {
      const p = await problem(ctx, s);
      if (p) throw new HostError(p.why, "EXDEV", p.path);
      return op.run(ctx, s);
    },
    undo: async (ctx, s) => {
      if (!(await problem(ctx, s))) return op.undo(ctx, s);
    },
  };
}

/**
 * The content at the path: a file's, or that of the file a foreign symlink
 * leads to (stow's links); null for dotops' own links, directories, and
 * links that lead nowhere readable.
 */
export async function contentAt(ctx: ResourceContext, o: PathObservation): Promise<Buffer | null> {
  if (o.assumedObject) return ctx.content(o.assumedObject);
  if (o.assumed) return null;
  if (o.stat?.type === "file") return ctx.host.readFile(o.abs);
  if (o.stat?.type !== "symlink" || isOurLink(ctx, o.linkTarget)) return null;
  if ((await ctx.host.lstat(`${o.abs}/.`))?.type === "dir") return null;
  return ctx.host.readFile(o.abs).catch(() => null);
}

export function describeObserved(o: PathObservation): string {
  if (!o.stat) return "nothing";
  if (o.stat.type === "symlink") return `a symlink to ${o.linkTarget}`;
  if (o.stat.type === "dir") return "a directory";
  if (o.stat.type === "file") return "a file";
  return "a special file";
}

/** How to clear a path for a new resource: steps, or a refusal saying why not. */
export interface Way {
  steps: Step[];
  note?: string;
  refusal?: string;
  destructive?: boolean;
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
): Promise<Way> {
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

/**
 * Entries under the directory `abs` that dotops does not manage (so removing
 * the directory would lose them): anything but subdirectories, dotops' own
 * links and the copies it wrote. At most `limit` are listed.
 */
export async function unmanagedInside(ctx: ResourceContext, abs: string, limit = 5): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await ctx.host.readdir(dir)) {
      if (found.length >= limit) return;
      const path = `${dir}/${name}`;
      const st = await ctx.host.lstat(path);
      if (st?.type === "dir") await walk(path);
      else if (!(await isManagedEntry(ctx, path, st))) found.push(path.slice(ctx.host.home.length + 1));
    }
  };
  await walk(abs);
  return found;
}

async function isManagedEntry(ctx: ResourceContext, path: string, st: Stat | null): Promise<boolean> {
  if (st?.type === "symlink") return isOurLink(ctx, await ctx.host.readlink(path));
  const id = `~/${path.slice(ctx.host.home.length + 1)}`;
  const prev = ctx.previous?.get(id);
  return st?.type === "file" && (prev?.kind === "file" || (await filesMadeForBlocks(ctx)).has(id));
}

/**
 * Files dotops created to hold a block (`within`, owned with `createdFile`):
 * they leave with their last block, so the directory around them may too
 * (an rmdir that finds the file still there, with the user's lines, fails harmlessly).
 */
function filesMadeForBlocks(ctx: ResourceContext): Promise<Set<string>> {
  let p = ctx.memo.get("block-files") as Promise<Set<string>> | undefined;
  if (!p) {
    const out = new Set<string>();
    for (const r of ctx.previous?.values() ?? []) {
      const owned = ctx.ownership?.get(r.id) as { createdFile?: boolean } | undefined;
      if (typeof r.within === "string" && owned?.createdFile) out.add(r.within);
    }
    p = Promise.resolve(out);
    ctx.memo.set("block-files", p);
  }
  return p;
}

/** Where a destructive step puts what it removes: inside the state dir, until `dotops gc`. */
export function trashPath(ctx: ResourceContext, id: string): string {
  return `${ctx.state.dir}/trash/${ctx.runId}/${id.slice(2)}`;
}

/**
 * A directory dotops managed is where a file or link now goes (`place`). Once
 * the managed entries inside are removed (earlier phases) it is removed too;
 * one that still holds the user's files is moved aside with --backup, or, as
 * a destructive step, into the state dir's trash.
 */
export async function replaceDirectory(
  ctx: ResourceContext,
  kind: string,
  id: string,
  o: PathObservation,
  place: Step,
  diff: string,
): Promise<Change> {
  const change = (way: Way): Change => ({
    kind,
    id,
    action: "update",
    phase: Phase.replaceDirs,
    needsRoot: false,
    destructive: way.destructive ?? false,
    steps: [...way.steps, place],
    diff,
    note: way.note,
    refusal: way.refusal,
  });
  const left = o.assumed ? [] : await unmanagedInside(ctx, o.abs);
  if (!left.length)
    return change({
      steps: [{ op: "rmdir", path: o.abs, required: true }],
      note: "a directory becomes a file",
    });
  const names = `${left.join(", ")}${left.length >= 5 ? ", …" : ""}`;
  if (ctx.backupExt !== undefined) {
    const way = await clearTheWay(ctx, id, o);
    return change({ ...way, note: way.note && `${way.note} (it still holds ${names})` });
  }
  const to = trashPath(ctx, id);
  return change({
    steps: [{ op: "backup", path: o.abs, to }],
    destructive: true,
    note: `removes directory ${id}, which still holds files dotops does not manage (${names}); they are kept in ${to} until \`dotops gc\`, or rerun with --backup to keep them as ${id}.dotops-backup`,
  });
}

/**
 * Steps that take dotops' own link or copy away from `id` so that another kind
 * can take the path (a file becomes a directory). What the user changed there
 * is not ours: it is cleared like any file in the way.
 */
export async function removeOwned(
  ctx: ResourceContext,
  id: string,
  o: PathObservation,
  replaced: Resource | undefined,
): Promise<Way | null> {
  const ownLink = replaced?.kind === "symlink" ? (replaced as SymlinkResource).target : undefined;
  if (o.stat?.type === "symlink" && (isOurLink(ctx, o.linkTarget) || o.linkTarget === ownLink))
    return { steps: [{ op: "unlink-link", path: o.abs, target: o.linkTarget as string }] };
  if (o.stat?.type === "file" && replaced?.kind === "file") {
    const object = (replaced as FileResource).object;
    const observed = await contentAt(ctx, o);
    if (observed?.equals(await ctx.content(object)))
      return { steps: [{ op: "unlink-file", path: o.abs, object, mode: o.stat.mode }] };
    return clearTheWay(ctx, id, o, true);
  }
  return null;
}
