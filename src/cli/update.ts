import type { Command } from "commander";
import { writeLock } from "./lock.js";
import type { CliFactory } from "./program.js";

export function registerUpdate(program: Command, cli: CliFactory) {
  program
    .command("update")
    .description(
      "move inputs and externals to the newest commit of their ref and rewrite dotops.lock (all, or those named)",
    )
    .argument("[names...]", "inputs (base, base/company) or externals (~/.oh-my-zsh) to move; default all")
    .action(async (names: string[]) => writeLock(cli(), names.length ? names : "all"));
}
