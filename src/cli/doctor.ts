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
import { helpText } from "./help-text.js";
import type { CliFactory } from "./program.js";

/** The prose `dotops doctor --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "One line a check (as chezmoi doctor): ok, info, warning or error, its name, what it found, and under it the command that fixes it. It covers the versions of dotops, Node (against engines), git (2.34 or newer for SSH-signed commits), brew, nix and direnv, the OS and shell; HOME, the state dir (its mode 0700, owner, free space, current generation), the config repo and how it was found, its HEAD, whether its config loads and which host this machine is; $XDG_*; the agent's service, last pass and suspension; and where a GitHub token comes from, never the token. A missing tool is a warning only when the config needs it.",
  "",
  '--json prints { "checks": [{ "name", "status", "message", "fix"? }] } (status: ok | info | warn | error). Exit 1 when a check is an error, else 0.',
].join("\n");

export function registerDoctor(program: Command, cli: CliFactory) {
  program
    .command("doctor")
    .addHelpText("after", helpText(HELP))
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
