import { join } from "node:path";
import { assertSupervised, reconcileOnceLocked, reconcilePass } from "../agent/once.js";
import type { ReconcileOptions } from "../agent/reconcile.js";
import { parseDuration } from "../config/duration.js";
import { ensureClone } from "../git/remote.js";
import { fileOutbox } from "../report/github-outbox.js";
import { createLogger } from "../report/logger.js";
import { type AgentCliOptions, agentLogLevel, agentRepo, exitCodeOf } from "./agent-options.js";
import { Cli } from "./context.js";
import { githubReporter } from "./github-credentials.js";
import type { GlobalOptions } from "./globals.js";

export { githubToken } from "./github-credentials.js";

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
  const outbox = fileOutbox(eng.host, join(c.stateDir, "github-outbox.json"));
  const opts: ReconcileOptions = {
    repo: repo.dir,
    loadOptions: c.loadOptions({ host: eng.host }),
    branch: o.branch,
    clone: repo.clone ? { remote: o.remote } : undefined,
    reporter: (policy, host) => githubReporter(c, eng.host, policy.github, host, log, outbox),
    reportsDue: async () => {
      const held = await outbox.load();
      return held !== null && Date.parse(held.until) <= Date.now();
    },
    signal: stop.signal,
    ignoreRollout: o.ignoreRollout,
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

async function readStdin(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
