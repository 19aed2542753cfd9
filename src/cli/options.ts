import type { Command } from "commander";

/** --commit / --worktree, shared by plan and apply. */
export function withSourceOptions(cmd: Command): Command {
  return cmd
    .option("--commit <rev>", "read the config from this commit (default HEAD)")
    .option("--worktree", "read uncommitted files from the work tree instead of a commit");
}

/** --diff: show created and deleted files' contents in a plan, not only the diffs of updates. */
export function withDiffOption(cmd: Command): Command {
  return cmd.option("--diff", "show the content of created and deleted files too (also -v)");
}

/** --backup [ext]: move unmanaged files in the way aside (Home Manager's -b). */
export function withBackupOption(cmd: Command): Command {
  return cmd.option(
    "--backup [ext]",
    "move unmanaged files in the way to <file><ext> (default .dotops-backup)",
  );
}

export function backupExt(value: string | boolean | undefined): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return ".dotops-backup";
  return value.startsWith(".") ? value : `.${value}`;
}
