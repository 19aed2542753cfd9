import { Command } from "commander";
import { version } from "../self.js";
import { registerAdopt } from "./adopt.js";
import { registerAgent } from "./agent.js";
import { registerApply } from "./apply.js";
import { registerCheck } from "./check.js";
import { registerCompletion } from "./completion.js";
import { Cli } from "./context.js";
import { registerDevEnv } from "./dev-env.js";
import { registerDiff } from "./diff.js";
import { registerDoctor } from "./doctor.js";
import { registerExport } from "./export.js";
import { registerFleet } from "./fleet.js";
import { registerGc } from "./gc.js";
import { registerGenerations } from "./generations.js";
import { addGlobalOptions, type GlobalOptions } from "./globals.js";
import { registerHealth } from "./health.js";
import { helpText } from "./help-text.js";
import { registerImport } from "./import.js";
import { registerInit } from "./init.js";
import { registerInstallAgent } from "./install-agent.js";
import { registerLock } from "./lock.js";
import { registerMaintain } from "./maintain.js";
import { registerPerf } from "./perf.js";
import { registerPlan } from "./plan.js";
import { registerPrivileged } from "./privileged.js";
import { reportError } from "./report-error.js";
import { registerResume } from "./resume.js";
import { registerRollback } from "./rollback.js";
import { registerSchema } from "./schema.js";
import { registerStatus } from "./status.js";
import { registerSuspend } from "./suspend.js";
import { registerUninstallAgent } from "./uninstall-agent.js";
import { registerUpdate } from "./update.js";

/** The prose `dotops program --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "Exit codes: 0 ok · 1 error · 2 usage or invalid config · 3 changes pending (plan and status with --detailed-exitcode) · 4 refused by policy (a file in the way, a destructive step not allowed, an unsigned commit, a rewritten history) · 5 applied, then rolled back (a health check failed) · 6 healthy with warnings (health, maintain).",
  "",
  "HOME is honoured everywhere, so `HOME=/tmp/sandbox dotops apply` touches nothing else. Results go to stdout; logs go to stderr, as JSON when stderr is not a terminal.",
].join("\n");

export type CliFactory = () => Cli;

const VERSION = version();

export function buildProgram(): { program: Command; cli: CliFactory } {
  const program = addGlobalOptions(
    new Command("dotops")
      .description(
        "GitOps for your machine: every commit a generation, every PR a plan, git revert a rollback.",
      )
      .version(VERSION, "-V, --version"),
  )
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", helpText(HELP))
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
    registerLock,
    registerUpdate,
    registerGenerations,
    registerDiff,
    registerRollback,
    registerGc,
    registerStatus,
    registerHealth,
    registerMaintain,
    registerPerf,
    registerDoctor,
    registerDevEnv,
    registerAdopt,
    registerImport,
    registerExport,
    registerAgent,
    registerSuspend,
    registerResume,
    registerInstallAgent,
    registerUninstallAgent,
    registerFleet,
    registerSchema,
    registerCompletion,
    registerPrivileged,
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
