import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { UsageError } from "../errors.js";
import type { LogFormat } from "../report/line-log.js";

/**
 * The global flags and the paths they decide, without the engine: shared by
 * the full program (program.ts) and the light one that runs the agent's
 * long-lived supervisor (agent-main.ts).
 */
export interface GlobalOptions {
  repo?: string;
  host?: string;
  state?: string;
  json?: boolean;
  logFormat?: LogFormat;
  verbose?: number;
  quiet?: boolean;
  color?: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option("--repo <dir>", "config repo (default: $DOTOPS_REPO, the current dir, or the agent's clone)")
    .option(
      "--host <name>",
      "host from dotops.yaml (default: the one named like this machine, or the only one)",
    )
    .option("--state <dir>", "state dir (default: $XDG_STATE_HOME/dotops or ~/.local/state/dotops)")
    .option("--json", "machine-readable output on stdout")
    .addOption(new Option("--log-format <format>", "log format on stderr").choices(["pretty", "json"]))
    .option("-v, --verbose", "more logs (repeat for trace)", (_v, prev: number) => prev + 1, 0)
    .option("-q, --quiet", "only errors on stderr")
    .option("--no-color", "no colours (NO_COLOR is honoured too)");
}

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

export function stateDirOf(opts: GlobalOptions, env: NodeJS.ProcessEnv, home = homeDir(env)): string {
  return resolve(
    opts.state ??
      (env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, "dotops") : join(home, ".local/state/dotops")),
  );
}

/** --repo, else $DOTOPS_REPO, resolved; undefined when neither is given. */
export function explicitRepoDir(opts: GlobalOptions, env: NodeJS.ProcessEnv): string | undefined {
  const explicit = opts.repo ?? env.DOTOPS_REPO;
  if (!explicit) return undefined;
  const dir = resolve(explicit);
  if (!existsSync(dir)) throw new UsageError(`config repo ${dir} does not exist`);
  return dir;
}
