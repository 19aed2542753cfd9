import { Command } from "commander";
import { registerAgent } from "./agent.js";
import { addGlobalOptions } from "./globals.js";
import { reportError } from "./report-error.js";

/**
 * `dotops agent` through a program that knows only that command: the full one
 * (program.ts) loads every command's modules, and the long-running agent would
 * keep them all in memory. A command line this program does not run as
 * `agent` (another command, --help, a usage error) returns undefined, silently,
 * for the full program to parse and report as usual.
 */
export async function runAgentCommand(argv: string[]): Promise<number | undefined> {
  const program = addGlobalOptions(new Command("dotops"))
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerAgent(program);
  let started = false;
  program.hook("preAction", () => {
    started = true;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    return started ? reportError(err, program) : undefined;
  }
  if (!started) return undefined;
  return process.exitCode === undefined ? 0 : Number(process.exitCode);
}
