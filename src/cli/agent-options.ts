import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ReconcileOutcome } from "../agent/reconcile.js";
import type { Log } from "../engine/engine.js";
import { ExitCode } from "../errors.js";
import { explicitRepoDir, type GlobalOptions } from "./globals.js";

/*
 * What `dotops agent` and its passes share: the command's options, the repo
 * it follows, its log level and exit code. A module of its own, so that
 * agent.ts (the light supervisor) and agent-pass.ts (one pass, loaded by it on
 * demand) both import it and neither imports the other back.
 */

export interface AgentCliOptions {
  once?: boolean;
  remote?: string;
  branch?: string;
  interval?: string;
  /** With --once: apply the tip now, whatever the earlier waves of a staged rollout did. */
  ignoreRollout?: boolean;
  /** Internal: one pass for the running agent that started this process. */
  child?: boolean;
}

/**
 * The repo the agent follows, by SPEC §2's rule for --repo: --repo, else
 * $DOTOPS_REPO, else the current dir when it holds dotops.yaml, else the
 * agent's clone in the state dir (`clone`). --remote asks for the clone, so
 * it passes over the current dir; beside --repo or $DOTOPS_REPO it is ignored.
 */
export function agentRepo(
  g: GlobalOptions,
  env: NodeJS.ProcessEnv,
  stateDir: string,
  o: AgentCliOptions,
  log: Log,
): { dir: string; clone: boolean } {
  const explicit = explicitRepoDir(g, env);
  if (explicit) {
    if (o.remote)
      log.warn(`--remote ${o.remote} is ignored: the agent follows ${explicit} (--repo or DOTOPS_REPO)`);
    return { dir: explicit, clone: false };
  }
  if (!o.remote && existsSync("dotops.yaml")) return { dir: process.cwd(), clone: false };
  return { dir: join(stateDir, "repo"), clone: true };
}

/** -q errors only, -v debug, -vv trace (as for every other command). */
export function agentLogLevel(g: GlobalOptions): string {
  if (g.quiet) return "error";
  if (!g.verbose) return "info";
  return g.verbose > 1 ? "trace" : "debug";
}

export function exitCodeOf(o: ReconcileOutcome): number {
  switch (o.kind) {
    case "refused":
    case "halted":
      return ExitCode.refused;
    case "rolled-back":
      return ExitCode.rolledBack;
    case "failed":
    case "offline":
      return ExitCode.error;
    default:
      return ExitCode.ok;
  }
}
