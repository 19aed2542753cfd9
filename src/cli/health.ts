import { existsSync } from "node:fs";
import type { Command } from "commander";
import { type HealthItem, systemHealth } from "../agent/system-health.js";
import { ExitCode } from "../errors.js";
import type { Cli } from "./context.js";
import { helpText } from "./help-text.js";
import type { CliFactory } from "./program.js";

/** The prose `dotops health --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "Checks, each ok, warn or fail with the command that fixes it: the state dir (not set up yet, owned by another user, readable by others), a lock or journal left by an apply that did not end (reading the state recovers it), generations whose records cannot be read, the current generation and how many commits it is behind the repo's tip (as last fetched), store objects (size and time of each, and a sample hashed; --full hashes all), disk used by the store and generations, drift, Homebrew (brew doctor) and Nix when the generation manages them, the agent, and the config's agent.healthChecks.",
  "",
  "--json prints { ok, status, items: [{ name, status, ok, detail, fix? }] }. Exit 0 when all are ok, 6 with a warning, 1 with a failure.",
].join("\n");

export function registerHealth(program: Command, cli: CliFactory) {
  program
    .command("health")
    .addHelpText("after", helpText(HELP))
    .alias("health-check")
    .description(
      "system status, each line ok, warn or fail with its fix: state dir, interrupted applies, generation, commits behind, store, disk, drift, Homebrew and Nix, agent, the config's health checks (exit 1 on a fail, 6 on a warn)",
    )
    .option("--full", "verify every store object by its hash (reads them all; default: a sample)")
    .action(async (o: { full?: boolean }) => {
      const c = cli();
      const items = await runHealth(c, o.full);
      if (c.opts.json) c.printJson({ ok: items.every((i) => i.ok), status: overall(items), items });
      else printHealth(c, items);
      process.exitCode = healthExit(items);
    });
}

/** The report, for `health` and `maintain`; the config's own checks only when a repo is found. */
export async function runHealth(c: Cli, full?: boolean): Promise<HealthItem[]> {
  let repo: string | undefined;
  try {
    repo = c.repoDir();
  } catch {
    repo = undefined; // no repo here: the config's own checks are skipped
  }
  return systemHealth(c.engine(), {
    repo: repo && existsSync(repo) ? repo : undefined,
    loadOptions: c.loadOptions(),
    full,
  });
}

export function overall(items: HealthItem[]): "ok" | "warn" | "fail" {
  return items.some((i) => i.status === "fail")
    ? "fail"
    : items.some((i) => i.status === "warn")
      ? "warn"
      : "ok";
}

export function healthExit(items: HealthItem[]): number {
  const o = overall(items);
  return o === "fail" ? ExitCode.error : o === "warn" ? ExitCode.warnings : ExitCode.ok;
}

export function printHealth(c: Cli, items: HealthItem[]): void {
  const p = c.palette;
  const width = Math.max(12, ...items.map((i) => i.name.length));
  for (const i of items) {
    const mark = i.status === "fail" ? p.red("✗") : i.status === "warn" ? p.yellow("!") : p.green("✓");
    c.print(`${mark} ${i.name.padEnd(width)} ${i.detail}`);
    if (i.fix && i.status !== "ok") c.print(`  ${" ".repeat(width)} ${p.dim(`→ ${i.fix}`)}`);
  }
  const o = overall(items);
  c.print(
    o === "ok"
      ? p.green("Healthy.")
      : o === "warn"
        ? p.yellow("Healthy, with warnings: see the ! lines.")
        : p.red("Not healthy: see the ✗ lines."),
  );
}
