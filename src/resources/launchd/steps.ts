import type { ResourceContext } from "../context.js";
import { type ServiceFileStep, serviceFileOp } from "../services/service-file.js";
import { type HomeStep, homeSteps } from "../shared/home-steps.js";
import { once } from "../shared/tools.js";
import type { StepOps } from "../step.js";
import { bootout, bootstrap, currentUid, guiDomain, printService } from "./launchctl.js";

/**
 * Load and unload, each the other's undo. The GUI domain is resolved when the
 * step runs (so a journal replayed after a crash asks the machine again).
 */
export type LaunchdStep =
  | { op: "launchd-bootstrap"; label: string; plist: string }
  /** `plist`: what undo loads again (the file it was loaded from). */
  | { op: "launchd-bootout"; label: string; plist: string };

export const domainOf = async (ctx: ResourceContext) =>
  guiDomain(await once(ctx, "uid", () => currentUid(ctx.host)));

/** 36 "Operation now in progress": launchd is already tearing it down. */
const TEARING_DOWN = 36;

type Steps = LaunchdStep | ServiceFileStep | Extract<HomeStep, { op: "backup" | "unlink-link" }>;

export const launchdSteps: StepOps<Steps> = {
  "launchd-bootstrap": {
    run: async (ctx, s) => bootstrap(ctx.host, await domainOf(ctx), s.plist),
    undo: async (ctx, s) => {
      await bootout(ctx.host, await domainOf(ctx), s.label, [TEARING_DOWN]);
    },
    describe: (s) => `launchctl bootstrap gui/<uid> ${s.plist}`,
  },
  "launchd-bootout": {
    run: async (ctx, s) => {
      await bootout(ctx.host, await domainOf(ctx), s.label, [TEARING_DOWN]);
    },
    undo: async (ctx, s) => {
      const domain = await domainOf(ctx);
      if (!(await printService(ctx.host, domain, s.label)) && (await ctx.host.lstat(s.plist)))
        await bootstrap(ctx.host, domain, s.plist);
    },
    describe: (s) => `launchctl bootout gui/<uid>/${s.label}`,
  },
  "service-file": serviceFileOp,
  backup: homeSteps.backup,
  "unlink-link": homeSteps["unlink-link"],
};
