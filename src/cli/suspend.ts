import type { Command } from "commander";
import { suspend } from "../agent/agent-state.js";
import type { CliFactory } from "./program.js";

export function registerSuspend(program: Command, cli: CliFactory) {
  program
    .command("suspend")
    .description("pause the agent (it keeps running but applies nothing) until `dotops resume`")
    .option("--reason <text>", "why, shown in logs and status", "suspended by hand")
    .action(async (o: { reason: string }) => {
      const c = cli();
      const eng = c.engine();
      await suspend(eng.host, eng.state, o.reason);
      if (c.opts.json) c.printJson({ suspended: true, reason: o.reason });
      else c.print("The agent is suspended; `dotops resume` lets it apply again.");
    });
}
