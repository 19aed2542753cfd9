import type { Command } from "commander";
import { summarize } from "../engine/plan.js";
import { diffGenerations, diffVersions } from "../engine/status.js";
import { UsageError } from "../errors.js";
import { changeJson, changeLines, inputLines } from "../report/render-plan.js";
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
      const { changes, inputs } = await diffGenerations(c.engine(), from, to);
      const versions = await diffVersions(c.engine(), from, to);
      const summary = summarize(changes);
      if (c.opts.json) c.printJson({ from, to, changes: changes.map(changeJson), versions, inputs, summary });
      else if (!changes.length && !versions.length && !inputs.length) c.print("No differences.");
      else {
        for (const l of inputLines({ inputs })) c.print(`  ${c.palette.cyan(l)}`);
        if (changes.length) c.print(changeLines(changes, c.palette, c.renderOptions()).join("\n"));
        for (const v of versions) c.print(`  ${c.palette.yellow(`~ ${v.id}`)} ${v.from} → ${v.to}`);
        c.print(
          `generation ${from} → ${to}: ${summary.create} created, ${summary.update} updated, ${summary.delete} deleted${versions.length ? `, ${versions.length} version(s) changed` : ""}.`,
        );
      }
    });
}

export function parseGeneration(s: string): number {
  if (!/^\d+$/.test(s)) throw new UsageError(`"${s}" is not a generation number`, "see `dotops generations`");
  return Number(s);
}
