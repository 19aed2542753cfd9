import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import type { ReconcileOutcome } from "../agent/reconcile.js";
import { DURATION_HINT, isDuration, parseDuration } from "../config/duration.js";
import type { Log } from "../engine/engine.js";
import { ExitCode, UsageError } from "../errors.js";
import { lineLogger } from "../report/line-log.js";
import { explicitRepoDir, type GlobalOptions, homeDir, stateDirOf } from "./globals.js";

/*
 * Light on purpose: `dotops agent` runs through agent-main.ts, and the
 * long-running agent keeps whatever it loads for as long as it runs. The
 * engine comes in only with ./agent-pass.js, in a process that runs one pass.
 */

export interface AgentCliOptions {
  once?: boolean;
  remote?: string;
  branch?: string;
  interval?: string;
  /** Internal: one pass for the running agent that started this process. */
  child?: boolean;
}

export function registerAgent(program: Command) {
  program
    .command("agent")
    .description("the GitOps loop: apply every new commit of the config repo as a generation")
    .option("--once", "reconcile once and exit (exit code says what happened)")
    .option(
      "--remote <url>",
      "the repo the agent clones into the state dir (needed on first run); overrides agent.remote",
    )
    .option("--branch <name>", "branch to follow (default: agent.branch, else the remote's default branch)")
    .option("--interval <duration>", "poll interval, e.g. 60s or 1h (default: agent.interval)")
    .addOption(new Option("--child", "one pass for the running agent, reported as JSON on stdout").hideHelp())
    .action(async (o: AgentCliOptions) => {
      if (o.interval !== undefined && !isDuration(o.interval))
        throw new UsageError(`--interval wants ${DURATION_HINT}, not "${o.interval}"`);
      const globals = program.opts<GlobalOptions>();
      if (o.once || o.child) {
        const { agentPass } = await import("./agent-pass.js");
        await agentPass(globals, o);
      } else {
        await supervise(globals, o);
      }
    });
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

/**
 * The long-running agent: the agent lock, the ref watcher, the timers and the
 * signals, here; each reconcile in a short-lived `agent --once --child`
 * process with a time limit. SIGTERM is passed on to the pass in flight,
 * which finishes an apply it started but stops waiting on GitHub, then the
 * agent stops.
 */
async function supervise(g: GlobalOptions, o: AgentCliOptions): Promise<void> {
  const env = process.env;
  const home = homeDir(env);
  const stateDir = stateDirOf(g, env, home);
  const log = lineLogger({ level: agentLogLevel(g), format: g.logFormat, file: join(stateDir, "agent.log") });
  const repo = agentRepo(g, env, stateDir, o, log);
  const [{ runAgentLoop }, { childReconciler }] = await Promise.all([
    import("../agent/loop.js"),
    import("../agent/child.js"),
  ]);
  const stop = new AbortController();
  const onSignal = (sig: string) => {
    log.info(`${sig}: finishing the current reconcile, then stopping`);
    stop.abort();
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  const outcome = await runAgentLoop({
    home,
    stateDir,
    repo: repo.dir,
    log,
    reconcile: childReconciler(childArgs(g, o, stateDir, repo), { stopping: stop.signal }),
    intervalMs: o.interval ? parseDuration(o.interval) : undefined,
    signal: stop.signal,
  });
  if (g.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
}

/** The pass's command line: this one's flags, with paths resolved, and its result as JSON. */
function childArgs(
  g: GlobalOptions,
  o: AgentCliOptions,
  stateDir: string,
  repo: { dir: string; clone: boolean },
): string[] {
  const args = ["--json", "--state", stateDir];
  if (!repo.clone) args.push("--repo", repo.dir);
  if (g.host) args.push("--host", g.host);
  if (g.logFormat) args.push("--log-format", g.logFormat);
  for (let i = 0; i < (g.verbose ?? 0); i++) args.push("-v");
  if (g.quiet) args.push("-q");
  if (g.color === false) args.push("--no-color");
  args.push("agent", "--once", "--child");
  if (o.remote && repo.clone) args.push("--remote", o.remote);
  if (o.branch) args.push("--branch", o.branch);
  if (o.interval) args.push("--interval", o.interval);
  return args;
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
