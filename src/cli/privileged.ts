import type { Command } from "commander";
import { resourceContext } from "../engine/engine.js";
import { runPrivileged } from "../engine/privilege.js";
import { statePaths } from "../engine/state.js";
import { UsageError } from "../errors.js";
import { RealHost } from "../host/real-host.js";
import type { Step } from "../resources/step.js";
import type { CliFactory } from "./program.js";

/**
 * `sudo -n dotops --state DIR privileged run|undo` (steps as JSON on stdin):
 * the one door to root (engine/privilege.ts). Hidden: apply calls it.
 */
export function registerPrivileged(program: Command, cli: CliFactory) {
  program
    .command("privileged", { hidden: true })
    .description("carry out an apply's root steps (run by apply through sudo -n; not for people)")
    .argument("<direction>", "run | undo")
    .action(async (direction: string) => {
      if (direction !== "run" && direction !== "undo")
        throw new UsageError(`"${direction}": expected run or undo`);
      const c = cli();
      let text = "";
      process.stdin.setEncoding("utf8");
      for await (const chunk of process.stdin) text += chunk;
      const { steps } = JSON.parse(text) as { steps: Step[] };
      if (!Array.isArray(steps)) throw new UsageError("expected { steps: [...] } on stdin");
      const host = new RealHost({ home: c.home, env: process.env });
      await runPrivileged(
        resourceContext({ host, state: statePaths(c.stateDir), log: c.log }),
        steps,
        direction,
      );
    });
}
