import type { Command } from "commander";
import { diffGenerations } from "../engine/status.js";
import { UsageError } from "../errors.js";
import { planJson, renderPlanText } from "../report/render-plan.js";
import type { CliFactory } from "./program.js";

export function registerDiff(program: Command, cli: CliFactory) {
  program
    .command("diff")
    .description("what changed between two generations")
    .argument("<a>", "generation number (from)")
    .argument("<b>", "generation number (to)")
    .action(async (a: string, b: string) => {
      const c = cli();
      const [from, to] = [parseGeneration(a), parseGeneration(b)];
      const changes = await diffGenerations(c.engine(), from, to);
      const plan = {
        host: "",
        from: { generation: from, commit: null },
        to: { commit: null, manifestHash: "" },
        rollbackTo: null,
        changes,
        unchanged: 0,
        summary: { create: 0, update: 0, delete: 0, destructive: 0 },
      };
      for (const ch of changes) plan.summary[ch.action]++;
      if (c.opts.json) c.printJson({ from, to, changes: planJson(plan).changes, summary: plan.summary });
      else
        c.print(
          changes.length
            ? renderPlanText({ ...plan, host: `generation ${from} → generation ${to}` }, c.palette)
                .split("\n")
                .slice(1)
                .join("\n")
            : "No differences.",
        );
    });
}

export function parseGeneration(s: string): number {
  if (!/^\d+$/.test(s)) throw new UsageError(`"${s}" is not a generation number`, "see `dotops generations`");
  return Number(s);
}
