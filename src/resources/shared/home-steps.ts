import { dirname } from "node:path";
import { atomicSymlink, HostError, isHostError } from "../../host/host.js";
import { move, settleMove } from "../../host/move.js";
import type { ResourceContext } from "../context.js";
import type { StepOp, StepOps } from "../step.js";
import { guardedInHome } from "./home-path.js";

/**
 * The steps every kind that owns a path in HOME is made of (link, file, dir,
 * symlink): create and remove files, links and directories, move what is in
 * the way aside. Each records enough to undo itself.
 */
export type HomeStep =
  | { op: "mkdir"; path: string }
  /** `required`: the directory must go (a file or link takes its place), so one that is not empty fails the step. */
  | { op: "rmdir"; path: string; required?: true }
  | { op: "symlink"; path: string; target: string; replace?: string }
  | { op: "unlink-link"; path: string; target: string }
  | { op: "write"; path: string; object: string; mode: number; prev?: { object: string; mode: number } }
  | { op: "unlink-file"; path: string; object: string; mode: number }
  | { op: "chmod"; path: string; mode: number; prevMode: number }
  | { op: "backup"; path: string; to: string };

async function linkTarget(ctx: ResourceContext, path: string): Promise<string | null> {
  const st = await ctx.host.lstat(path);
  return st?.type === "symlink" ? ctx.host.readlink(path) : null;
}

async function sameContent(ctx: ResourceContext, path: string, object: string): Promise<boolean> {
  const st = await ctx.host.lstat(path);
  if (st?.type !== "file") return false;
  return (await ctx.host.readFile(path)).equals(await ctx.content(object));
}

/** symlink(2) where nothing is; false when the parent is missing or something appeared meanwhile. */
async function createLink(ctx: ResourceContext, target: string, path: string): Promise<boolean> {
  try {
    await ctx.host.symlink(target, path);
    return true;
  } catch (err) {
    if (isHostError(err, "ENOENT") || isHostError(err, "EEXIST")) return false;
    throw err;
  }
}

const ops: StepOps<HomeStep> = {
  mkdir: {
    run: (ctx, s) => ctx.host.mkdir(s.path),
    undo: async (ctx, s) => {
      // Looked at first: rmdir(2) of nothing in a read-only dir fails (EROFS), and what is there now
      // may not be the directory made (a link put in its place): not ours to remove.
      if ((await ctx.host.lstat(s.path))?.type === "dir") await ctx.host.rmdir(s.path);
    },
    describe: (s) => `create directory ${s.path}`,
  },
  rmdir: {
    run: async (ctx, s) => {
      // Only when empty: never removes the user's files.
      if (!(await ctx.host.rmdir(s.path)) && s.required && (await ctx.host.lstat(s.path)))
        throw new HostError(
          `${s.path} is not empty: something was put there since the plan`,
          "ENOTEMPTY",
          s.path,
        );
    },
    undo: (ctx, s) => ctx.host.mkdir(s.path),
    describe: (s) => `remove directory ${s.path} if empty`,
  },
  symlink: {
    run: async (ctx, s) => {
      if (s.replace !== undefined) return atomicSymlink(ctx.host, s.path, s.target);
      const st = await ctx.host.lstat(s.path);
      // Nothing there (the common case): symlink(2) itself is atomic, no temporary link and rename needed.
      if (!st && (await createLink(ctx, s.target, s.path))) return;
      if (st?.type === "symlink" && (await ctx.host.readlink(s.path)) === s.target) return;
      await ctx.host.mkdir(dirname(s.path));
      await atomicSymlink(ctx.host, s.path, s.target);
    },
    undo: async (ctx, s) => {
      if ((await linkTarget(ctx, s.path)) !== s.target) return;
      if (s.replace !== undefined) await atomicSymlink(ctx.host, s.path, s.replace);
      else await ctx.host.unlink(s.path);
    },
    describe: (s) => `link ${s.path} -> ${s.target}`,
  },
  "unlink-link": {
    run: async (ctx, s) => {
      if ((await linkTarget(ctx, s.path)) === s.target) await ctx.host.unlink(s.path);
    },
    undo: async (ctx, s) => {
      if (!(await ctx.host.lstat(s.path))) await ctx.host.symlink(s.target, s.path);
    },
    describe: (s) => `remove link ${s.path}`,
  },
  write: {
    run: async (ctx, s) => ctx.host.writeFile(s.path, await ctx.content(s.object), s.mode),
    undo: async (ctx, s) => {
      if (!(await sameContent(ctx, s.path, s.object))) return;
      if (s.prev) await ctx.host.writeFile(s.path, await ctx.content(s.prev.object), s.prev.mode);
      else await ctx.host.unlink(s.path);
    },
    describe: (s) => `write ${s.path} (mode ${s.mode.toString(8)})`,
  },
  "unlink-file": {
    run: async (ctx, s) => {
      if (await sameContent(ctx, s.path, s.object)) await ctx.host.unlink(s.path);
    },
    undo: async (ctx, s) => {
      if (!(await ctx.host.lstat(s.path)))
        await ctx.host.writeFile(s.path, await ctx.content(s.object), s.mode);
    },
    describe: (s) => `remove ${s.path}`,
  },
  chmod: {
    run: (ctx, s) => ctx.host.chmod(s.path, s.mode),
    undo: async (ctx, s) => {
      if (await ctx.host.lstat(s.path)) await ctx.host.chmod(s.path, s.prevMode);
    },
    describe: (s) => `chmod ${s.mode.toString(8)} ${s.path}`,
  },
  backup: {
    run: async (ctx, s) => {
      if (!(await ctx.host.lstat(s.path))) return;
      await ctx.host.mkdir(dirname(s.to)); // the state dir's trash may not exist yet
      await move(ctx.host, s.path, s.to); // the trash may be on another file system than HOME
    },
    undo: async (ctx, s) => {
      // A move between file systems that a crash cut short, either way, is ended first.
      await settleMove(ctx.host, s.path, s.to);
      await settleMove(ctx.host, s.to, s.path);
      // Later steps are undone first, so whatever dotops put at `path` is gone by now.
      if ((await ctx.host.lstat(s.to)) && !(await ctx.host.lstat(s.path))) await move(ctx.host, s.to, s.path);
    },
    describe: (s) => `move ${s.path} to ${s.to}`,
  },
};

/**
 * Every op re-checks, as it acts, that its paths are still inside HOME
 * (escapesHome); a backup's destination too, unless it is the state dir's
 * trash (which may live anywhere).
 */
export const homeSteps = Object.fromEntries(
  Object.entries(ops).map(([name, op]) => [
    name,
    guardedInHome(op as StepOp<HomeStep>, (s, ctx) =>
      "to" in s && !s.to.startsWith(`${ctx.state.dir}/`) ? [s.path, s.to] : [s.path],
    ),
  ]),
) as unknown as StepOps<HomeStep>;
