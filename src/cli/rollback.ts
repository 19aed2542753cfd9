import type { Command } from "commander";
import { suspend } from "../agent/agent-state.js";
import { switchGeneration } from "../engine/apply.js";
import { currentGeneration, listGenerations, previousApplied } from "../engine/generations.js";
import { DotopsError } from "../errors.js";
import { renderPlanText } from "../report/render-plan.js";
import { parseGeneration } from "./diff.js";
import { backupExt, withBackupOption } from "./options.js";
import type { CliFactory } from "./program.js";

export function registerRollback(program: Command, cli: CliFactory) {
  withBackupOption(
    program
      .command("rollback")
      .description("switch back to generation N (default: the previous applied one)")
      .argument("[n]", "generation number")
      .option(
        "--allow-destructive",
        "allow steps that remove files dotops does not manage (kept in its trash)",
      ),
  ).action(async (n: string | undefined, o: { backup?: string | boolean; allowDestructive?: boolean }) => {
    const c = cli();
    const eng = c.engine();
    let target: number;
    if (n !== undefined) target = parseGeneration(n);
    else {
      const prev = previousApplied(
        await listGenerations(eng.host, eng.state),
        await currentGeneration(eng.host, eng.state),
      );
      if (!prev)
        throw new DotopsError(
          "there is no earlier applied generation to roll back to",
          1,
          "see `dotops generations`",
        );
      target = prev.number;
    }
    const plan = await switchGeneration(eng, target, {
      backupExt: backupExt(o.backup),
      allowDestructive: o.allowDestructive,
    });
    // Otherwise the agent would re-apply the branch tip on its next pass.
    await suspend(eng.host, eng.state, `rolled back to generation ${target} by hand`);
    if (c.opts.json) c.printJson({ generation: target, changes: plan.changes.length, agentSuspended: true });
    else {
      c.print(renderPlanText(plan, c.palette, c.renderOptions()));
      c.print(
        c.palette.green(`Generation ${target} is current. The agent is suspended until \`dotops resume\`.`),
      );
    }
  });
}
