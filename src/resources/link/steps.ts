import type { StepOps } from "../step.js";

/** Rewrites a store object that was changed in place (written through its link) with its content from the config. */
export type LinkStep = { op: "restore-object"; path: string; object: string };

export const linkSteps: StepOps<LinkStep> = {
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
};
