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
}

export const Phase = {
  createDirs: 10,
  backups: 20,
  place: 30,
  switch: 40,
  remove: 50,
  removeDirs: 60,
  /** A directory becomes a file or link: after everything inside it has been removed. */
  replaceDirs: 70,
} as const;
