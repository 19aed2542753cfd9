import type { Command } from "commander";
import { resume } from "../agent/agent-state.js";
import type { CliFactory } from "./program.js";

export function registerResume(program: Command, cli: CliFactory) {
  program
    .command("resume")
    .description("let a suspended agent apply again (it reconciles to the branch tip)")
    .action(async () => {
      const c = cli();
      const eng = c.engine();
      const was = await resume(eng.host, eng.state);
      if (c.opts.json) c.printJson({ suspended: false, wasSuspended: was });
      else
        c.print(
          was
            ? "Resumed: the agent applies the branch tip on its next pass."
            : "The agent was not suspended.",
        );
    });
}
