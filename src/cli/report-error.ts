import { type Command, CommanderError } from "commander";
import { ConfigError, DotopsError, ExitCode, ReportedError } from "../errors.js";
import { ioProblem } from "../host/io-problem.js";
import { redact } from "../report/redact.js";
import type { GlobalOptions } from "./globals.js";

/** Turns what a command threw into a message on stderr (and JSON on stdout with --json) and an exit code. */
export function reportError(err: unknown, program: Command): number {
  if (err instanceof CommanderError) {
    // --help and --version exit through here with code 0
    return err.exitCode === 0 ? 0 : ExitCode.usage;
  }
  const json = Boolean(program.opts<GlobalOptions>().json);
  if (err instanceof ReportedError) {
    if (json && err.json !== undefined) process.stdout.write(`${JSON.stringify(err.json, null, 2)}\n`);
    return err.exitCode;
  }
  // A full disk or a read-only directory is the machine's condition, not a bug: said as such.
  const io = ioProblem(err);
  if (io) err = new DotopsError(io.message, ExitCode.error, io.hint);
  if (err instanceof DotopsError) {
    if (json) {
      const problems = err instanceof ConfigError ? err.problems : undefined;
      process.stdout.write(
        redact(
          `${JSON.stringify({ error: { message: err.message, exitCode: err.exitCode, hint: err.hint, problems } }, null, 2)}\n`,
        ),
      );
    }
    process.stderr.write(redact(`error: ${err.message}\n`));
    if (err.hint) process.stderr.write(redact(`hint: ${err.hint}\n`));
    return err.exitCode;
  }
  process.stderr.write(
    `error: unexpected failure: ${redact((err as Error)?.stack ?? String(err))}\nThis is a bug in dotops; please report it with the output of \`dotops doctor\` and the command you ran.\n`,
  );
  return ExitCode.error;
}
