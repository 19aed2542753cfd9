import { DotopsError } from "../../errors.js";
import type { ResourceContext } from "../context.js";
import type { StepOps } from "../step.js";
import { readRecord, type ScriptRecord, writeRecord } from "./record.js";

/** How to start the script: argv, with `~/` expanded (there is no shell to do it). */
export type Argv = string[];

export type ScriptStep =
  /** Runs the script and records `hash`; undo runs `undo` (first run only) and puts `prev` back. */
  | {
      op: "script-run";
      name: string;
      argv: Argv;
      hash: string;
      token: string;
      prev: ScriptRecord | null;
      undo?: Argv;
    }
  /** Runs the script's undo and forgets it; undo runs the script again. */
  | { op: "script-undo"; name: string; argv: Argv; undo: Argv; token: string; prev: ScriptRecord };

const expand = (ctx: ResourceContext, arg: string) =>
  arg === "~" ? ctx.host.home : arg.startsWith("~/") ? `${ctx.host.home}/${arg.slice(2)}` : arg;

/** Runs argv in HOME without a shell; every line it prints goes to the log. A non-zero exit throws. */
export async function runArgv(ctx: ResourceContext, name: string, what: string, argv: Argv): Promise<void> {
  const [cmd, ...args] = argv.map((a) => expand(ctx, a));
  const tail: string[] = [];
  const r = await ctx.host.exec(cmd as string, args, {
    cwd: ctx.host.home,
    onLine: (line, stream) => {
      ctx.log?.(`script ${name}${what}: ${line}`);
      if (stream === "stderr") tail.push(line);
      if (tail.length > 5) tail.shift();
    },
  });
  if (r.exitCode !== 0 || r.timedOut) {
    const said = tail.length ? tail : r.stderr.trim().split("\n").slice(-5);
    throw new DotopsError(
      `script ${name}${what} failed (${r.timedOut ? "timed out" : `exit ${r.exitCode}`})${said.join("").trim() ? `: ${said.join(" | ").trim()}` : ""}`,
    );
  }
}

const stamp = (hash: string, token: string): ScriptRecord => ({
  hash,
  token,
  ranAt: new Date().toISOString(),
});

export const scriptSteps: StepOps<ScriptStep> = {
  "script-run": {
    async run(ctx, s) {
      await runArgv(ctx, s.name, "", s.argv);
      await writeRecord(ctx, s.name, stamp(s.hash, s.token));
    },
    async undo(ctx, s) {
      // Only a run that finished wrote this token: a failed or never-started run has nothing to undo.
      if ((await readRecord(ctx, s.name))?.token !== s.token) return;
      if (s.prev === null && s.undo) await runArgv(ctx, s.name, " (undo)", s.undo);
      await writeRecord(ctx, s.name, s.prev);
    },
    describe: (s) => `run script ${s.name}: ${s.argv.join(" ")}`,
  },
  "script-undo": {
    async run(ctx, s) {
      await runArgv(ctx, s.name, " (undo)", s.undo);
      await writeRecord(ctx, s.name, null);
    },
    async undo(ctx, s) {
      // The record is gone only when the undo command finished: then the script runs again.
      if (await readRecord(ctx, s.name)) return;
      await runArgv(ctx, s.name, "", s.argv);
      await writeRecord(ctx, s.name, { ...s.prev, token: s.token });
    },
    describe: (s) => `undo script ${s.name}: ${s.undo.join(" ")}`,
  },
};
