import { dirname } from "node:path";
import type { ResourceContext } from "../context.js";
import { readText } from "../services/service-file.js";
import { guardedInHome } from "../shared/home-path.js";
import { type HomeStep, homeSteps } from "../shared/home-steps.js";
import type { StepOps } from "../step.js";
import { daemonReload, disableNow, enableNow, tryRestart } from "./systemctl.js";

export interface UnitFile {
  path: string;
  /** null: the file goes. */
  content: string | null;
  prev: string | null;
}

/**
 * Unit files change together with the daemon-reload that makes systemd read
 * them, and the restart that makes a running unit use them: one step, so its
 * undo restores the files *before* reloading and restarting again.
 */
export type SystemdStep =
  | { op: "systemd-files"; files: UnitFile[]; restart: string[]; mkdirs?: string[] }
  /** `path`: the unit's file; undo acts only while it is there. */
  | { op: "systemd-enable"; unit: string; path: string }
  | { op: "systemd-disable"; unit: string; path: string };

async function put(ctx: ResourceContext, path: string, content: string | null) {
  if (content === null) return ctx.host.unlink(path);
  await ctx.host.mkdir(dirname(path));
  await ctx.host.writeFile(path, content, 0o644);
}

type Steps = SystemdStep | Extract<HomeStep, { op: "backup" | "unlink-link" }>;

export const systemdSteps: StepOps<Steps> = {
  // The unit files' directory is checked again as the step runs: it may have become a link out of HOME.
  "systemd-files": guardedInHome(
    {
      run: async (ctx, s) => {
        for (const f of s.files) await put(ctx, f.path, f.content);
        await daemonReload(ctx.host);
        for (const unit of s.restart) await tryRestart(ctx.host, unit);
      },
      undo: async (ctx, s) => {
        let restored = false;
        for (const f of s.files) {
          // Only what this step wrote is taken back: it may never have run, or only halfway.
          if ((await readText(ctx, f.path)) !== f.content) continue;
          await put(ctx, f.path, f.prev);
          restored = true;
        }
        for (const dir of [...(s.mkdirs ?? [])].reverse()) await ctx.host.rmdir(dir);
        if (!restored) return;
        await daemonReload(ctx.host);
        // The old definition runs again, where there still is one.
        const dir = dirname(s.files[0]?.path ?? "");
        for (const unit of s.restart)
          if (await ctx.host.lstat(`${dir}/${unit}`)) await tryRestart(ctx.host, unit);
      },
      describe: (s) =>
        `${s.files.map((f) => `${f.content === null ? "remove" : "write"} ${f.path}`).join(", ")}; systemctl --user daemon-reload${s.restart.length ? `; try-restart ${s.restart.join(" ")}` : ""}`,
    },
    (s) => s.files.map((f) => f.path),
  ),
  "systemd-enable": {
    run: async (ctx, s) => {
      await enableNow(ctx.host, s.unit);
    },
    undo: async (ctx, s) => {
      if (await ctx.host.lstat(s.path)) await disableNow(ctx.host, s.unit);
    },
    describe: (s) => `systemctl --user enable --now ${s.unit}`,
  },
  "systemd-disable": {
    run: async (ctx, s) => {
      if (await ctx.host.lstat(s.path)) await disableNow(ctx.host, s.unit);
    },
    undo: async (ctx, s) => {
      if (await ctx.host.lstat(s.path)) await enableNow(ctx.host, s.unit);
    },
    describe: (s) => `systemctl --user disable --now ${s.unit}`,
  },
  backup: homeSteps.backup,
  "unlink-link": homeSteps["unlink-link"],
};
