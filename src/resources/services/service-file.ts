import { dirname } from "node:path";
import type { ResourceContext } from "../context.js";
import { guardedInHome } from "../shared/home-path.js";
import type { StepOp } from "../step.js";

/**
 * A service's definition file (a launchd plist, a systemd unit): dotops
 * writes it as a real file — launchd does not follow symlinked plists
 * reliably — and keeps the previous bytes in the step, so undo puts back
 * exactly what was there (an edited plist included). `content: null` removes it.
 */
export type ServiceFileStep = {
  op: "service-file";
  path: string;
  content: string | null;
  prev: string | null;
  /** Directories this step creates (outermost first): undo removes them again if empty. */
  mkdirs?: string[];
};

/** The text of the regular file at `path`, or null when there is none. */
export async function readText(ctx: ResourceContext, path: string): Promise<string | null> {
  const st = await ctx.host.lstat(path);
  return st?.type === "file" ? (await ctx.host.readFile(path)).toString("utf8") : null;
}

async function put(ctx: ResourceContext, path: string, content: string | null) {
  if (content === null) await ctx.host.unlink(path);
  else {
    await ctx.host.mkdir(dirname(path));
    await ctx.host.writeFile(path, content, 0o644);
  }
}

/** Checked again as it runs: the file's directory may have become a link out of HOME since the plan. */
export const serviceFileOp: StepOp<ServiceFileStep> = guardedInHome<ServiceFileStep>(
  {
    run: (ctx, s) => put(ctx, s.path, s.content),
    undo: async (ctx, s) => {
      // Only what this step wrote is taken back (it may never have run, or someone changed it since).
      if ((await readText(ctx, s.path)) !== s.content) return;
      await put(ctx, s.path, s.prev);
      for (const dir of [...(s.mkdirs ?? [])].reverse()) await ctx.host.rmdir(dir);
    },
    describe: (s) => (s.content === null ? `remove ${s.path}` : `write ${s.path}`),
  },
  (s) => [s.path],
);

/** The directories above `path` that do not exist yet, up to HOME (outermost first). */
export async function missingDirs(ctx: ResourceContext, path: string): Promise<string[]> {
  const out: string[] = [];
  for (let dir = dirname(path); dir.startsWith(`${ctx.host.home}/`); dir = dirname(dir)) {
    if (await ctx.host.lstat(dir)) break;
    out.unshift(dir);
  }
  return out;
}
