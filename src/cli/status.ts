import type { Command } from "commander";
import { readAgentState, suspension } from "../agent/agent-state.js";
import { status } from "../engine/status.js";
import { ExitCode } from "../errors.js";
import { changeJson } from "../report/render-plan.js";
import type { CliFactory } from "./program.js";

export function registerStatus(program: Command, cli: CliFactory) {
  program
    .command("status")
    .description("the current generation, its commit, and drift of the machine from it")
    .option("--detailed-exitcode", "exit 3 when the machine has drifted")
    .action(async (o: { detailedExitcode?: boolean }) => {
      const c = cli();
      const eng = c.engine();
      const s = await status(eng);
      const drift = s.drift.map(changeJson);
      // What the agent is holding back, if anything: a suspension, a commit a staged rollout waits on.
      const [suspended, agentState] = await Promise.all([
        suspension(eng.host, eng.state),
        readAgentState(eng.host, eng.state),
      ]);
      const held = agentState.rollout;
      const agent = {
        ...(suspended ? { suspended } : {}),
        ...(held ? { rollout: { commit: held.commit, state: held.kind, reason: held.reason } } : {}),
      };
      if (c.opts.json) c.printJson({ generation: s.generation, drift, agent });
      else if (!s.generation) c.print("Nothing applied yet: run `dotops apply`.");
      else {
        const g = s.generation;
        c.print(
          `Generation ${g.number} (${g.outcome}) of ${g.commit ? `commit ${g.commit.slice(0, 12)}` : "the work tree"}, host ${g.host}, applied ${g.createdAt}`,
        );
        if (!s.drift.length) c.print(c.palette.green("No drift: the machine matches the generation."));
        else {
          c.print(
            c.palette.yellow(`Drift: ${s.drift.length} resource(s) differ from generation ${g.number}:`),
          );
          for (const d of s.drift)
            c.print(
              `  ${d.action} ${d.kind} ${d.id}${d.note ? ` (${d.note})` : ""}${d.refusal ? ` — ${d.refusal}` : ""}`,
            );
          c.print("Run `dotops apply` to restore them.");
        }
      }
      if (!c.opts.json && suspended)
        c.print(
          c.palette.yellow(
            `The agent is suspended since ${suspended.since}${suspended.reason ? ` (${suspended.reason})` : ""}: \`dotops resume\` to continue.`,
          ),
        );
      if (!c.opts.json && held)
        c.print(`The agent holds commit ${held.commit.slice(0, 12)} back (staged rollout): ${held.reason}.`);
      if (o.detailedExitcode && s.drift.length) process.exitCode = ExitCode.changes;
    });
}
