import { existsSync } from "node:fs";
import type { Command } from "commander";
import { systemHealth } from "../agent/system-health.js";
import { ExitCode } from "../errors.js";
import type { CliFactory } from "./program.js";

export function registerHealth(program: Command, cli: CliFactory) {
  program
    .command("health")
    .alias("health-check")
    .description(
      "quick system status: generation, store, drift, agent, and the config's health checks (exit 1 if any fails)",
    )
    .option("--full", "verify every store object by its hash (reads them all)")
    .action(async (o: { full?: boolean }) => {
      const c = cli();
      let repo: string | undefined;
      try {
        repo = c.repoDir();
      } catch {
        repo = undefined; // no repo here: the config's own checks are skipped
      }
      const items = await systemHealth(c.engine(), {
        repo: repo && existsSync(repo) ? repo : undefined,
        loadOptions: c.loadOptions(),
        full: o.full,
      });
      const ok = items.every((i) => i.ok);
      if (c.opts.json) c.printJson({ ok, items });
      else {
        for (const i of items)
          c.print(
            `${!i.ok ? c.palette.red("✗") : i.warn ? c.palette.yellow("!") : c.palette.green("✓")} ${i.name.padEnd(12)} ${i.detail}`,
          );
        const warned = items.some((i) => i.warn);
        c.print(
          ok
            ? c.palette.green(`Healthy${warned ? " (see the ! lines)" : ""}.`)
            : c.palette.red("Not healthy: see the ✗ lines."),
        );
      }
      if (!ok) process.exitCode = ExitCode.error;
    });
}
