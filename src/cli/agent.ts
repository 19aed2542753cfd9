import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { ReconcileOutcome } from "../agent/reconcile.js";
import { parseDuration } from "../config/schema.js";
import { ExitCode, UsageError } from "../errors.js";
import { GitHubReporter } from "../report/github.js";
import { createLogger } from "../report/logger.js";
import type { Cli } from "./context.js";
import type { CliFactory } from "./program.js";

interface AgentCliOptions {
  once?: boolean;
  remote?: string;
  branch?: string;
  interval?: string;
}

export function registerAgent(program: Command, cli: CliFactory) {
  program
    .command("agent")
    .description("the GitOps loop: apply every new commit of the config repo as a generation")
    .option("--once", "reconcile once and exit (exit code says what happened)")
    .option("--remote <url>", "clone this repo into the state dir on first run")
    .option("--branch <name>", "branch to follow (default: agent.branch, else main)")
    .option("--interval <duration>", "poll interval, e.g. 60s (default: agent.interval)")
    .action(async (o: AgentCliOptions) => {
      const c = cli();
      // Only this command needs the loop, chokidar and simple-git: loaded here, not by every command.
      const [{ runAgent }, { ensureClone }] = await Promise.all([
        import("../agent/loop.js"),
        import("../git/remote.js"),
      ]);
      if (o.interval && !/^\d+(ms|s|m|h)$/.test(o.interval))
        throw new UsageError(`--interval wants a duration like 60s, not "${o.interval}"`);
      const explicit = c.opts.repo ?? c.env.DOTOPS_REPO;
      const repo = explicit ? c.repoDir() : join(c.stateDir, "repo");
      if (!explicit) await ensureClone(repo, o.remote);
      const log = createLogger({
        level: c.opts.quiet ? "error" : c.opts.verbose ? "debug" : "info",
        format: c.opts.logFormat,
        file: join(c.stateDir, "agent.log"),
      });
      const eng = { ...c.engine(), log, diffs: false };
      const stop = new AbortController();
      const onSignal = (sig: string) => {
        log.info(`${sig}: finishing the current reconcile, then stopping`);
        stop.abort();
      };
      process.once("SIGTERM", () => onSignal("SIGTERM"));
      process.once("SIGINT", () => onSignal("SIGINT"));
      const outcome = await runAgent(eng, {
        repo,
        loadOptions: c.loadOptions(),
        branch: o.branch,
        once: o.once,
        intervalMs: o.interval ? parseDuration(o.interval) : undefined,
        signal: stop.signal,
        reporter: (policy, host) => githubReporter(c, policy.github, host, log),
      });
      if (c.opts.json) c.printJson(outcome);
      if (o.once) process.exitCode = exitCodeOf(outcome);
    });
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

function githubReporter(
  c: Cli,
  gh:
    | { repo: string; apiUrl?: string; tokenFile?: string; statuses?: boolean; deployments?: boolean }
    | undefined,
  host: string,
  log: ReturnType<typeof createLogger>,
): GitHubReporter | null {
  if (!gh) return null;
  let token = c.env.DOTOPS_GITHUB_TOKEN;
  if (!token && gh.tokenFile) {
    const path = gh.tokenFile.replace(/^~(?=\/)/, c.home);
    try {
      token = readFileSync(path, "utf8").trim();
    } catch {
      log.warn(`agent.github: cannot read the token file ${path}; not reporting to GitHub`);
      return null;
    }
  }
  if (!token) {
    log.warn(
      "agent.github is set but there is no token (DOTOPS_GITHUB_TOKEN or agent.github.tokenFile); not reporting",
    );
    return null;
  }
  return new GitHubReporter({
    ...gh,
    token,
    host,
    log,
    baseDelayMs: c.env.DOTOPS_GITHUB_RETRY_MS ? Number(c.env.DOTOPS_GITHUB_RETRY_MS) : undefined,
  });
}
