import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { ConfigError, DotopsError, ExitCode } from "../errors.js";
import { registerAgent } from "./agent.js";
import { registerApply } from "./apply.js";
import { registerCheck } from "./check.js";
import { registerCompletion } from "./completion.js";
import { Cli, type GlobalOptions } from "./context.js";
import { registerDevEnv } from "./dev-env.js";
import { registerDiff } from "./diff.js";
import { registerGc } from "./gc.js";
import { registerGenerations } from "./generations.js";
import { registerHealth } from "./health.js";
import { registerInit } from "./init.js";
import { registerInstallAgent } from "./install-agent.js";
import { registerPlan } from "./plan.js";
import { registerResume } from "./resume.js";
import { registerRollback } from "./rollback.js";
import { registerSchema } from "./schema.js";
import { registerStatus } from "./status.js";
import { registerSuspend } from "./suspend.js";
import { registerUninstallAgent } from "./uninstall-agent.js";

export type CliFactory = () => Cli;

const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export function buildProgram(): { program: Command; cli: CliFactory } {
  const program = new Command("dotops")
    .description(
      "GitOps for your machine: every commit a generation, every PR a plan, git revert a rollback.",
    )
    .version(VERSION, "-V, --version")
    .option("--repo <dir>", "config repo (default: $DOTOPS_REPO, the current dir, or the agent's clone)")
    .option(
      "--host <name>",
      "host from dotops.yaml (default: the one named like this machine, or the only one)",
    )
    .option("--state <dir>", "state dir (default: $XDG_STATE_HOME/dotops or ~/.local/state/dotops)")
    .option("--json", "machine-readable output on stdout")
    .addOption(new Option("--log-format <format>", "log format on stderr").choices(["pretty", "json"]))
    .option("-v, --verbose", "more logs (repeat for trace)", (_v, prev: number) => prev + 1, 0)
    .option("-q, --quiet", "only errors on stderr")
    .option("--no-color", "no colours (NO_COLOR is honoured too)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let cli: Cli | undefined;
  const factory: CliFactory = () => {
    cli ??= new Cli(program.opts<GlobalOptions>());
    return cli;
  };
  for (const register of [
    registerInit,
    registerCheck,
    registerPlan,
    registerApply,
    registerGenerations,
    registerDiff,
    registerRollback,
    registerGc,
    registerStatus,
    registerHealth,
    registerDevEnv,
    registerAgent,
    registerSuspend,
    registerResume,
    registerInstallAgent,
    registerUninstallAgent,
    registerSchema,
    registerCompletion,
  ]) {
    register(program, factory);
  }
  for (const cmd of program.commands) cmd.exitOverride();
  return { program, cli: factory };
}

export async function run(argv: string[]): Promise<number> {
  const { program } = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    return reportError(err, program);
  }
}

function reportError(err: unknown, program: Command): number {
  if (err instanceof CommanderError) {
    // --help and --version exit through here with code 0
    return err.exitCode === 0 ? 0 : ExitCode.usage;
  }
  const json = Boolean(program.opts<GlobalOptions>().json);
  if (err instanceof DotopsError) {
    if (json) {
      const problems = err instanceof ConfigError ? err.problems : undefined;
      process.stdout.write(
        `${JSON.stringify({ error: { message: err.message, exitCode: err.exitCode, hint: err.hint, problems } }, null, 2)}\n`,
      );
    }
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  process.stderr.write(
    `error: unexpected failure: ${(err as Error)?.stack ?? String(err)}\nThis is a bug in dotops; please report it with the output of \`dotops --version\` and the command you ran.\n`,
  );
  return ExitCode.error;
}
