import { type Change, Phase } from "../change.js";
import { objectPath, type ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import type { ScriptRecord } from "./record.js";
import { readRecord } from "./record.js";
import type { ScriptResource } from "./resource.js";
import { type Argv, type ScriptStep, scriptSteps } from "./steps.js";

/** The argv that starts the script: its command, or its file in the store. */
function argvOf(ctx: ResourceContext, r: ScriptResource): Argv {
  if (r.command) return r.command;
  const file = objectPath(ctx.state, r.object as string);
  return r.shell ? ["sh", file] : [file];
}

const WHY = {
  once: "runs once on this machine",
  onchange: "its command or watched content changed",
  always: "runs on every apply",
} as const;

/**
 * Kind `script`: runs a command after the files are in place. Observed is
 * this machine's record of the last run (record.ts); without a machine (a
 * plan between commits) the last generation's hash stands in for it.
 */
export const scriptKind: KindHandler<ScriptResource, ScriptRecord | null> = {
  kind: "script",
  steps: scriptSteps,
  describe: (r) => `script ${r.name} (run: ${r.run})`,
  observe: (ctx, r) => readRecord(ctx, r.name),
  assume: (_ctx, previous) =>
    previous?.kind === "script" ? { hash: (previous as ScriptResource).hash, token: "", ranAt: "" } : null,
  async plan(ctx, desired, previous, observed): Promise<Change | null> {
    const base = { kind: "script", destructive: false, needsRoot: false, phase: Phase.scripts };
    if (!desired) {
      // Unmanaged (removed, or a rollback to before it): its undo runs; without one its effect stays, and so does its record.
      if (!previous?.undo || !observed) return null;
      const step: ScriptStep = {
        op: "script-undo",
        name: previous.name,
        argv: argvOf(ctx, previous),
        undo: previous.undo,
        token: `${ctx.runId}:${previous.name}`,
        prev: observed,
      };
      return {
        ...base,
        action: "delete",
        id: previous.id,
        note: `runs its undo: ${previous.undo.join(" ")}`,
        steps: [step],
      };
    }
    const due =
      desired.run === "once"
        ? observed === null
        : desired.run === "onchange"
          ? observed?.hash !== desired.hash
          : // An `always` script is no drift: status and the agent's drift check leave it be.
            !ctx.checkingDrift;
    if (!due) return null;
    const argv = argvOf(ctx, desired);
    const step: ScriptStep = {
      op: "script-run",
      name: desired.name,
      argv,
      hash: desired.hash,
      token: `${ctx.runId}:${desired.name}`,
      prev: observed,
      ...(desired.undo ? { undo: desired.undo } : {}),
    };
    return {
      ...base,
      action: observed ? "update" : "create",
      id: desired.id,
      note: observed ? WHY[desired.run] : "has not run on this machine",
      diff: `$ ${argv.join(" ")}\n`,
      steps: [step],
    };
  },
};
