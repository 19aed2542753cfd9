import type { Command } from "commander";
import { recoverIfInterrupted } from "../engine/engine.js";
import { listGenerations } from "../engine/generations.js";
import type { CliFactory } from "./program.js";

export function registerGenerations(program: Command, cli: CliFactory) {
  program
    .command("generations")
    .description("list generations (one per applied commit)")
    .action(async () => {
      const c = cli();
      const eng = c.engine();
      await recoverIfInterrupted(eng);
      const gens = await listGenerations(eng.host, eng.state);
      if (c.opts.json) {
        c.printJson(
          gens.map((g) => ({
            number: g.number,
            commit: g.commit,
            manifestHash: g.manifestHash,
            host: g.host,
            createdAt: g.createdAt,
            outcome: g.outcome,
            current: g.current,
            sameContentAs: g.sameContentAs,
            superseded: g.superseded,
            ...(g.error ? { error: g.error } : {}),
          })),
        );
        return;
      }
      if (!gens.length) {
        c.print("No generations yet: run `dotops apply`.");
        return;
      }
      for (const g of gens) {
        const commit = g.commit ? g.commit.slice(0, 7) : "worktree";
        const same = g.sameContentAs ? ` = gen ${g.sameContentAs}` : "";
        const s = g.summary ? ` +${g.summary.create} ~${g.summary.update} -${g.summary.delete}` : "";
        const line = `${String(g.number).padStart(4)}  ${g.createdAt.replace("T", " ").slice(0, 19)}  ${commit}  ${g.outcome.padEnd(11)}${s}${same}`;
        c.print(g.current ? c.palette.bold(`${line}  (current)`) : line);
      }
    });
}
