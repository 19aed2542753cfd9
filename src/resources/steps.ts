import { dirname } from "node:path";
import { HostError, isHostError } from "../host/host.js";
import type { ResourceContext } from "./context.js";

/**
 * Primitive, journaled steps. Each records enough to undo itself, and both
 * directions are idempotent: recovery after a crash may replay an undo for a
 * step that never ran, or ran halfway.
 */
export type Step =
  | { op: "mkdir"; path: string }
  /** `required`: the directory must go (a file or link takes its place), so one that is not empty fails the step. */
  | { op: "rmdir"; path: string; required?: true }
  | { op: "symlink"; path: string; target: string; replace?: string }
  | { op: "unlink-link"; path: string; target: string }
  | { op: "write"; path: string; object: string; mode: number; prev?: { object: string; mode: number } }
  | { op: "unlink-file"; path: string; object: string; mode: number }
  | { op: "chmod"; path: string; mode: number; prevMode: number }
  | { op: "backup"; path: string; to: string }
  | { op: "switch"; link: string; to: string; from: string | null }
  /** Rewrites a store object that was changed in place with its content from the config. */
  | { op: "restore-object"; path: string; object: string };

export interface StepOp<S extends Step> {
  run(ctx: ResourceContext, step: S): Promise<void>;
  undo(ctx: ResourceContext, step: S): Promise<void>;
  describe(step: S): string;
}

type OpTable = { [K in Step["op"]]: StepOp<Extract<Step, { op: K }>> };

async function linkTarget(ctx: ResourceContext, path: string): Promise<string | null> {
  const st = await ctx.host.lstat(path);
  return st?.type === "symlink" ? ctx.host.readlink(path) : null;
}

async function sameContent(ctx: ResourceContext, path: string, object: string): Promise<boolean> {
  const st = await ctx.host.lstat(path);
  if (st?.type !== "file") return false;
  return (await ctx.host.readFile(path)).equals(await ctx.content(object));
}

/** Points `link` at `target` atomically: a new symlink renamed over the old one. */
async function atomicSymlink(ctx: ResourceContext, link: string, target: string) {
  const tmp = `${link}.dotops-new`;
  await ctx.host.unlink(tmp);
  await ctx.host.symlink(target, tmp);
  await ctx.host.rename(tmp, link);
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

const ops: OpTable = {
  mkdir: {
    run: (ctx, s) => ctx.host.mkdir(s.path),
    undo: async (ctx, s) => {
      await ctx.host.rmdir(s.path);
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
      if (s.replace !== undefined) return atomicSymlink(ctx, s.path, s.target);
      const st = await ctx.host.lstat(s.path);
      // Nothing there (the common case): symlink(2) itself is atomic, no temporary link and rename needed.
      if (!st && (await createLink(ctx, s.target, s.path))) return;
      if (st?.type === "symlink" && (await ctx.host.readlink(s.path)) === s.target) return;
      await ctx.host.mkdir(dirname(s.path));
      await atomicSymlink(ctx, s.path, s.target);
    },
    undo: async (ctx, s) => {
      if ((await linkTarget(ctx, s.path)) !== s.target) return;
      if (s.replace !== undefined) await atomicSymlink(ctx, s.path, s.replace);
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
      await ctx.host.rename(s.path, s.to);
    },
    undo: async (ctx, s) => {
      // Later steps are undone first, so whatever dotops put at `path` is gone by now.
      if ((await ctx.host.lstat(s.to)) && !(await ctx.host.lstat(s.path)))
        await ctx.host.rename(s.to, s.path);
    },
    describe: (s) => `move ${s.path} to ${s.to}`,
  },
  "restore-object": {
    run: async (ctx, s) => {
      const blob = ctx.blob(s.object);
      if (!blob) throw new Error(`no content for store object ${s.object} in the config being applied`);
      // Already put right (the build rewrites changed objects it needs): a rewrite would only move its mtime.
      if ((await ctx.host.readFile(s.path).catch(() => null))?.equals(blob.data)) return;
      await ctx.host.writeFile(s.path, blob.data, blob.executable ? 0o555 : 0o444);
    },
    undo: async () => {}, // the right content back in place: nothing to take back
    describe: (s) => `restore store object ${s.object}`,
  },
  switch: {
    run: (ctx, s) => atomicSymlink(ctx, s.link, s.to),
    undo: async (ctx, s) => {
      if (s.from === null) await ctx.host.unlink(s.link);
      else await atomicSymlink(ctx, s.link, s.from);
    },
    describe: (s) => `switch ${s.link} -> ${s.to}`,
  },
};

function opFor<S extends Step>(step: S): StepOp<S> {
  const op = ops[step.op] as unknown as StepOp<S> | undefined;
  if (!op) throw new Error(`unknown step ${step.op} (journal from a newer dotops?)`);
  return op;
}

export const runStep = (ctx: ResourceContext, step: Step) => opFor(step).run(ctx, step);
export const undoStep = (ctx: ResourceContext, step: Step) => opFor(step).undo(ctx, step);
export const describeStep = (step: Step) => opFor(step).describe(step);
