import { join } from "node:path";
import { type Command, Option } from "commander";
import { DURATION_HINT, isDuration, parseDuration } from "../config/duration.js";
import { UsageError } from "../errors.js";
import { lineLogger } from "../report/line-log.js";
import { type AgentCliOptions, agentLogLevel, agentRepo } from "./agent-options.js";
import { type GlobalOptions, homeDir, stateDirOf } from "./globals.js";

/*
 * Light on purpose: `dotops agent` runs through agent-main.ts, and the
 * long-running agent keeps whatever it loads for as long as it runs. The
 * engine comes in only with ./agent-pass.js, in a process that runs one pass.
 */

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
    .option(
      "--ignore-rollout",
      "with --once: apply the tip now, without waiting for the earlier waves of a staged rollout (rollout:)",
    )
    .addOption(new Option("--child", "one pass for the running agent, reported as JSON on stdout").hideHelp())
    .action(async (o: AgentCliOptions) => {
      if (o.interval !== undefined && !isDuration(o.interval))
        throw new UsageError(`--interval wants ${DURATION_HINT}, not "${o.interval}"`);
      if (o.ignoreRollout && !o.once)
        throw new UsageError(
          "--ignore-rollout is for one pass on this host: dotops agent --once --ignore-rollout",
        );
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
