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
