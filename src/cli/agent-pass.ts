import { join } from "node:path";
import { assertSupervised, reconcileOnceLocked, reconcilePass } from "../agent/once.js";
import type { ReconcileOptions } from "../agent/reconcile.js";
import { parseDuration } from "../config/duration.js";
import type { AgentConfig } from "../config/schema.js";
import { ensureClone } from "../git/remote.js";
import type { Host } from "../host/host.js";
import { GitHubReporter } from "../report/github.js";
import { createLogger } from "../report/logger.js";
import { registerSecret } from "../report/redact.js";
import { type AgentCliOptions, agentLogLevel, agentRepo, exitCodeOf } from "./agent-options.js";
import { Cli } from "./context.js";
import type { GlobalOptions } from "./globals.js";

/**
 * One reconcile in this process: `dotops agent --once` (under the agent lock,
 * the exit code says what happened), or `--child`, a pass for the running
 * agent that started this process (it holds the lock and reads the pass as
 * JSON on stdout).
 */
export async function agentPass(g: GlobalOptions, o: AgentCliOptions): Promise<void> {
  // A stop (SIGTERM, SIGINT) lets an apply in flight finish or roll back, never cuts it; what it
  // cuts short is the wait for GitHub at the end of the pass, so the pass ends within moments.
  const stop = new AbortController();
  if (o.child) {
    // The agent passes its stop on (systemd and a terminal may send it here too) and waits for
    // this pass to end. If the agent is gone, so is stdout.
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => stop.abort());
    process.stdout.on("error", () => {});
    // In a process group of its own (agent/child.ts), a pass outlives an agent killed outright
    // (launchd's, systemd's last resort): with nobody waiting for it, it ends as on a stop.
    const agent = process.ppid;
    const orphaned = setInterval(() => process.ppid !== agent && stop.abort(), 1000);
    orphaned.unref();
  }
  const c = new Cli(g);
  if (o.child) await assertSupervised(c.engine().host, c.stateDir);
  const log = createLogger({
    level: agentLogLevel(g),
    format: c.opts.logFormat,
    file: join(c.stateDir, "agent.log"),
  });
  const repo = agentRepo(g, c.env, c.stateDir, o, log);
  if (repo.clone) await ensureClone(repo.dir, o.remote);
  const eng = { ...c.engine(), log, diffs: false };
  const opts: ReconcileOptions = {
    repo: repo.dir,
    loadOptions: c.loadOptions({ host: eng.host }),
    branch: o.branch,
    clone: repo.clone ? { remote: o.remote } : undefined,
    reporter: (policy, host) => githubReporter(c, eng.host, policy.github, host, log),
    signal: stop.signal,
  };
  if (o.child) {
    const intervalMs = o.interval ? parseDuration(o.interval) : undefined;
    const pass = await reconcilePass(eng, { ...opts, intervalMs }, readStdin);
    c.print(JSON.stringify(pass));
    return;
  }
  const onSignal = (sig: string) => {
    log.info(`${sig}: finishing the current reconcile, then stopping`);
    stop.abort();
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  const outcome = await reconcileOnceLocked(eng, opts);
  if (c.opts.json) c.printJson(outcome);
  process.exitCode = exitCodeOf(outcome);
}

async function githubReporter(
  c: Cli,
  machine: Host,
  gh: AgentConfig["github"],
  host: string,
  log: ReturnType<typeof createLogger>,
): Promise<GitHubReporter | null> {
  if (!gh) return null;
  const token = await githubToken(machine, c.env.DOTOPS_GITHUB_TOKEN, gh, log);
  if (!token) return null;
  return new GitHubReporter({
    ...gh,
    token,
    host,
    log,
    timeoutMs: gh.timeout ? parseDuration(gh.timeout) : undefined,
    baseDelayMs: c.env.DOTOPS_GITHUB_RETRY_MS ? Number(c.env.DOTOPS_GITHUB_RETRY_MS) : undefined,
  });
}

/**
 * The token the agent reports with: $DOTOPS_GITHUB_TOKEN, else
 * agent.github.tokenFile read through the host (`~` is its home). Null, with
 * a warning saying why, when there is none: the pass applies, unreported.
 */
export async function githubToken(
  machine: Host,
  fromEnv: string | undefined,
  gh: { tokenFile?: string },
  log: { warn(msg: string): void },
): Promise<string | null> {
  let token = fromEnv;
  if (!token && gh.tokenFile) {
    const path = gh.tokenFile.replace(/^~(?=\/)/, machine.home);
    try {
      token = (await machine.readFile(path)).toString("utf8").trim();
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
  registerSecret(token);
  return token;
}

async function readStdin(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
