import { atomicSymlink } from "../host/host.js";
import type { StepOps } from "../resources/step.js";

/** The engine's own step: `current` pointed at the new generation, all linked files at once. */
export type SwitchStep = { op: "switch"; link: string; to: string; from: string | null };

export const engineSteps: StepOps<SwitchStep> = {
  switch: {
    run: (ctx, s) => atomicSymlink(ctx.host, s.link, s.to),
    undo: async (ctx, s) => {
      if (s.from === null) await ctx.host.unlink(s.link);
      else await atomicSymlink(ctx.host, s.link, s.from);
    },
    describe: (s) => `switch ${s.link} -> ${s.to}`,
  },
};
