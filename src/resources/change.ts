import type { Origin } from "../errors.js";
import type { Step } from "./step.js";

export type Action = "create" | "update" | "delete";

/** One planned change of one resource, with the steps that carry it out. */
export interface Change {
  action: Action;
  kind: string;
  id: string;
  /** Uninstall, delete or overwrite of content dotops cannot restore by itself. */
  destructive: boolean;
  needsRoot: boolean;
  /** Unified diff of file contents, when there is one. */
  diff?: string;
  /** One line for humans: "backs up ~/.zshrc to ~/.zshrc.dotops-backup". */
  note?: string;
  /** Set when the change cannot go ahead as things are (an unmanaged file in the way). */
  refusal?: string;
  /** Order among changes: dirs first, deletions last. */
  phase: number;
  steps: Step[];
  origin?: Origin;
  /**
   * What the machine had before dotops first managed this resource (a package
   * that was already installed, a default's prior value): kept with every
   * generation while the resource stays managed (`ResourceContext.ownership`),
   * so that unmanaging it restores exactly that instead of removing it.
   */
  owns?: unknown;
}

/**
 * Steps of all changes run phase by phase; within a phase, by id, so that the
 * steps of one kind sit together and batch (`StepOp.runBatch`).
 */
export const Phase = {
  createDirs: 10,
  backups: 20,
  /** Package sources (Homebrew taps) before the packages from them. */
  sources: 22,
  /** Packages: installed before the dotfiles that configure them. */
  packages: 24,
  place: 30,
  /** Settings (macOS defaults): written once files and packages are in place. */
  settings: 34,
  switch: 40,
  /** Run scripts: once the files they use are in place, before services start. */
  scripts: 42,
  /** Services load after the switch: what they run (a linked script) is in place. */
  services: 44,
  /** Apps restarted to read changed settings (killall Dock). */
  restarts: 46,
  /** Services stop before what they run is removed. */
  stopServices: 48,
  remove: 50,
  /** Packages leave after their dotfiles. */
  uninstall: 55,
  removeDirs: 60,
  /** A directory becomes a file or link: after everything inside it has been removed. */
  replaceDirs: 70,
  /** Package sources go last: nothing installed from them is left. */
  removeSources: 75,
} as const;
