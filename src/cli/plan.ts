import type { Command } from "commander";
import { planApply, planBetween } from "../engine/apply.js";
import type { Plan } from "../engine/plan.js";
import { ExitCode, UsageError } from "../errors.js";
import { commitSource } from "../git/source.js";
import { planJson, renderPlanMarkdown, renderPlanText } from "../report/render-plan.js";
import type { Cli } from "./context.js";
import { backupExt, withBackupOption, withDiffOption, withSourceOptions } from "./options.js";
import type { CliFactory } from "./program.js";

interface PlanOptions {
  commit?: string;
  worktree?: boolean;
  from?: string;
  to?: string;
  markdown?: boolean;
  detailedExitcode?: boolean;
  all?: boolean;
  backup?: string | boolean;
  diff?: boolean;
}

export function registerPlan(program: Command, cli: CliFactory) {
  const cmd = program
    .command("plan")
    .description("show what apply would do: desired config vs the last generation and the machine")
    .option("--from <rev>", "plan between two commits without looking at the machine (with --to)")
    .option("--to <rev>", "the commit to plan towards (with --from)")
    .option("--markdown", "render as markdown (for PR comments)")
    .option("--detailed-exitcode", "exit 3 when there are changes, 0 when none")
    .option("--all", "list the resources that stay unchanged too");
  withDiffOption(withBackupOption(withSourceOptions(cmd))).action(async (o: PlanOptions) => {
    const c = cli();
    let plan: Plan;
    if (o.from !== undefined || o.to !== undefined) {
      if (o.commit || o.worktree)
        throw new UsageError("--from/--to cannot be combined with --commit or --worktree");
      const repo = c.repoDir();
      const to = {
        repoDir: repo,
        load: () => commitSource(repo, o.to ?? "HEAD", { inputs: c.inputCache(repo) }),
        loadOptions: c.loadOptions({ secrets: false }),
      };
      const from = o.from
        ? {
            load: () => commitSource(repo, o.from as string, { inputs: c.inputCache(repo) }),
            loadOptions: c.loadOptions({ secrets: false }),
          }
        : null;
      plan = await planBetween(c.engine(), from, to);
    } else {
      plan = (
        await planApply(c.engine(), {
          load: c.sourceLoader(o, c.repoDir()),
          repoDir: c.repoDir(),
          loadOptions: c.loadOptions(),
          backupExt: backupExt(o.backup),
        })
      ).plan;
    }
    showPlan(c, plan, o);
    if (o.detailedExitcode && plan.changes.length) process.exitCode = ExitCode.changes;
  });
}

export function showPlan(c: Cli, plan: Plan, o: { markdown?: boolean; all?: boolean; diff?: boolean }) {
  if (c.opts.json) c.printJson(planJson(plan, o));
  else if (o.markdown) c.print(renderPlanMarkdown(plan, c.renderOptions(o)));
  else c.print(renderPlanText(plan, c.palette, { ...c.renderOptions(o), all: o.all }));
}
