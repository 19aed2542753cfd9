import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { Check, CheckStatus, RepoFound } from "../agent/doctor.js";
import { ExitCode } from "../errors.js";
import type { Palette } from "../report/color.js";
import { redact } from "../report/redact.js";
import { cliEntry, nodeEngines, version } from "../self.js";
import { type Cli, configRepoAbove } from "./context.js";
import { explicitRepoDir } from "./globals.js";
import type { CliFactory } from "./program.js";

export function registerDoctor(program: Command, cli: CliFactory) {
  program
    .command("doctor")
    .description(
      "report this machine for a bug report: versions, paths, config repo, agent, GitHub (exit 1 if any check is an error)",
    )
    .action(async () => {
      const c = cli();
      const { doctor } = await import("../agent/doctor.js");
      const checks = await doctor(c.engine(), {
        dotops: { version: version(), entry: cliEntry() },
        node: { version: process.version, path: process.execPath, engines: nodeEngines() },
        platform: process.platform,
        stateFrom: c.opts.state ? "--state" : c.env.XDG_STATE_HOME ? "$XDG_STATE_HOME" : "default",
        repo: findRepo(c),
        host: c.opts.host,
      });
      // Nothing read a secret into a line; redact() is there in case a tool's message repeats one.
      if (c.opts.json) c.print(redact(JSON.stringify({ checks }, null, 2)));
      else c.print(redact(renderChecks(checks, c.palette)));
      if (checks.some((x) => x.status === "error")) process.exitCode = ExitCode.error;
    });
}

/** Cli.repoDir's search, saying which way the repo was found, or what to do when none was. */
function findRepo(c: Cli): RepoFound {
  let explicit: string | undefined;
  try {
    explicit = explicitRepoDir(c.opts, c.env);
  } catch (err) {
    return { error: (err as Error).message, fix: "pass --repo DIR of an existing config repo" };
  }
  if (explicit) return { dir: explicit, how: c.opts.repo ? "--repo" : "$DOTOPS_REPO" };
  const above = configRepoAbove(process.cwd());
  if (above) return { dir: above, how: "the current dir" };
  const clone = join(c.stateDir, "repo");
  if (existsSync(clone)) return { dir: clone, how: "the agent's clone" };
  return {
    missing: `none found: no dotops.yaml in ${process.cwd()} or above, no --repo or $DOTOPS_REPO, no agent clone in ${clone}`,
    fix: "dotops init ~/dotfiles (or run dotops inside your config repo, or pass --repo DIR)",
  };
}

const WORDS: Record<CheckStatus, string> = { ok: "ok", info: "info", warn: "warning", error: "error" };

/** chezmoi doctor's table: RESULT, CHECK, MESSAGE, with each fix on a line of its own under its message. */
export function renderChecks(checks: Check[], palette: Palette): string {
  const paint: Record<CheckStatus, (s: string) => string> = {
    ok: palette.green,
    info: palette.dim,
    warn: palette.yellow,
    error: palette.red,
  };
  const w1 = Math.max("RESULT".length, ...checks.map((x) => WORDS[x.status].length)) + 2;
  const w2 = Math.max("CHECK".length, ...checks.map((x) => x.name.length)) + 2;
  const lines = [palette.bold(`${"RESULT".padEnd(w1)}${"CHECK".padEnd(w2)}MESSAGE`)];
  for (const x of checks) {
    // Padded before painting: colour codes take no columns.
    const result = paint[x.status](WORDS[x.status]) + " ".repeat(w1 - WORDS[x.status].length);
    lines.push(`${result}${x.name.padEnd(w2)}${x.message}`);
    if (x.fix) lines.push(`${" ".repeat(w1 + w2)}${palette.cyan(`fix: ${x.fix}`)}`);
  }
  return lines.join("\n");
}
