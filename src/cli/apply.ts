import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { deploy } from "../engine/deploy.js";
import type { Plan } from "../engine/plan.js";
import { ExitCode } from "../errors.js";
import { DryRunHost } from "../host/dry-run-host.js";
import { RealHost } from "../host/real-host.js";
import { terminalProgress } from "../report/progress.js";
import { planJson, printable, renderPlanText, summaryLine } from "../report/render-plan.js";
import { backupExt, withBackupOption, withDiffOption, withSourceOptions } from "./options.js";
import type { CliFactory } from "./program.js";

interface ApplyOptions {
  commit?: string;
  worktree?: boolean;
  dryRun?: boolean;
  backup?: string | boolean;
  allowDestructive?: boolean;
  yes?: boolean;
  diff?: boolean;
  ignoreRollout?: boolean;
}

export function registerApply(program: Command, cli: CliFactory) {
  const cmd = program
    .command("apply")
    .aliases(["rebuild", "switch"])
    .description("build, plan and apply the config atomically, recording a generation")
    .option("--dry-run", "do everything except change the machine; print what would be done")
    .option("--allow-destructive", "allow steps that delete or overwrite content dotops cannot restore")
    .option("-y, --yes", "do not ask before destructive steps (implies --allow-destructive)")
    .option(
      "--ignore-rollout",
      "apply a pushed commit on this host now, without waiting for the earlier waves of a staged rollout (rollout:)",
    );
  withDiffOption(withBackupOption(withSourceOptions(cmd))).action(async (o: ApplyOptions) => {
    const c = cli();
    const real = new RealHost({ home: c.home });
    const host = o.dryRun ? new DryRunHost(real) : real;
    const eng = c.engine(host);
    // The engine logs what it does; in a dry run none of it happened.
    if (o.dryRun) {
      eng.log = c.log.child({ dryRun: true }, { msgPrefix: "dry run, nothing done: " });
      eng.dryRun = true;
    }
    const progress =
      process.stderr.isTTY && !c.opts.json && !c.opts.quiet ? terminalProgress(process.stderr) : undefined;
    eng.progress = progress?.report;
    eng.activity = progress?.activity;
    const repo = c.repoDir();
    const load = c.sourceLoader(o, repo);
    const commit = c.sourceCommit(o, repo);
    const result = await deploy(eng, {
      // Checked once the config is read (a no-op apply reads none), before anything changes.
      load:
        commit && !o.ignoreRollout && !o.dryRun
          ? async () => {
              const source = await load();
              // Loaded with the config it reads: a no-op apply loads neither.
              const { checkRollout } = await import("./rollout-check.js");
              await checkRollout(c, eng, repo, source, await commit());
              return source;
            }
          : load,
      commit,
      repoDir: repo,
      loadOptions: c.loadOptions(),
      backupExt: backupExt(o.backup),
      allowDestructive: o.allowDestructive || o.yes,
      confirmDestructive: process.stdin.isTTY && !c.opts.json ? confirm : undefined,
    }).finally(() => progress?.end());
    const ops = host instanceof DryRunHost ? host.ops : undefined;
    // A rolled-back apply never exits 0 (health check failed, previous generation restored).
    if (result.rolledBackTo !== null) process.exitCode = ExitCode.rolledBack;
    // A failed check with nothing to roll back to (the first generation) is still a failure.
    const failedCheck = result.health.find((h) => !h.ok);
    if (failedCheck && result.rolledBackTo === null) process.exitCode = ExitCode.error;
    if (c.opts.json) {
      c.printJson({
        generation: result.generation,
        created: result.created && !o.dryRun,
        noop: result.noop,
        dryRun: Boolean(o.dryRun),
        outcome: result.noop
          ? "unchanged"
          : o.dryRun
            ? "dry-run"
            : result.rolledBackTo !== null
              ? "rolled-back"
              : "applied",
        rolledBackTo: result.rolledBackTo,
        health: [
          ...result.health,
          ...result.healthNotRun.map((name) => ({ name, ok: null, detail: "not run: dry run" })),
        ],
        storeObjectsWritten: result.storeObjectsWritten,
        phases: result.phases,
        plan: planJson(result.plan),
        ...(ops ? { operations: ops } : {}),
      });
      return;
    }
    if (result.rolledBackTo !== null) {
      const failed = result.health.find((h) => !h.ok);
      c.print(
        c.palette.red(
          `Health check "${failed?.name}" failed (${failed?.detail}): rolled back to generation ${result.rolledBackTo}; generation ${result.generation} is marked rolled-back.`,
        ),
      );
      return;
    }
    if (failedCheck) {
      c.print(
        c.palette.red(
          `Applied generation ${result.generation}, but health check "${failedCheck.name}" failed (${failedCheck.detail}) and there is no earlier generation to roll back to.`,
        ),
      );
      return;
    }
    if (result.noop) {
      c.print(`No changes: generation ${result.generation ?? "-"} is current and the machine matches it.`);
      return;
    }
    c.print(renderPlanText(result.plan, c.palette, c.renderOptions(o)));
    if (ops) {
      const listed = Boolean(c.opts.verbose || o.diff);
      c.print(
        c.palette.bold(
          `Dry run: ${ops.length} operations would be performed (nothing was changed)${listed ? ":" : "; -v lists them."}`,
        ),
      );
      if (listed)
        c.print(
          ops
            .map((op) => `  ${op.op} ${printable(op.path)}${op.detail ? ` ${printable(op.detail)}` : ""}`)
            .join("\n"),
        );
      if (result.healthNotRun.length)
        c.print(`Health checks not run (nothing was applied to check): ${result.healthNotRun.join(", ")}.`);
    } else if (result.created) {
      c.print(c.palette.green(`Applied generation ${result.generation}. ${summaryLine(result.plan)}`));
    } else {
      c.print(c.palette.green(`Repaired drift; generation ${result.generation} is current.`));
    }
  });
}

async function confirm(plan: Plan): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${plan.summary.destructive} destructive step(s). Apply anyway? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
