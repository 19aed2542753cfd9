import { type PlistValue, toPlist } from "../../format/plist.js";

/** What a launchd agent's plist says: the `services:` entry, plus what only dotops' own agent sets. */
export interface LaunchdSpec {
  label: string;
  program: string[];
  runAtLoad?: boolean;
  /** true: restart whenever it exits; `{ SuccessfulExit: false }`: only after a failure. */
  keepAlive?: boolean | { SuccessfulExit: boolean };
  startInterval?: number;
  environment?: Record<string, string>;
  workingDirectory?: string;
  standardOutPath?: string;
  standardErrorPath?: string;
  processType?: "Background" | "Standard" | "Adaptive" | "Interactive";
}

const sorted = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The plist of a launchd agent, keys sorted as Homebrew and plutil write them,
 * so the same spec gives the same bytes on every machine (a changed plist is
 * what makes dotops re-bootstrap a service, so the bytes must be stable).
 */
export function launchdPlist(spec: LaunchdSpec): string {
  const keys: Record<string, PlistValue | undefined> = {
    EnvironmentVariables: spec.environment && sorted(spec.environment),
    KeepAlive: spec.keepAlive,
    Label: spec.label,
    ProcessType: spec.processType,
    ProgramArguments: spec.program,
    RunAtLoad: spec.runAtLoad,
    StandardErrorPath: spec.standardErrorPath,
    StandardOutPath: spec.standardOutPath,
    StartInterval: spec.startInterval,
    WorkingDirectory: spec.workingDirectory,
  };
  const dict: Record<string, PlistValue> = {};
  for (const [k, v] of Object.entries(keys).sort(([a], [b]) => (a < b ? -1 : 1)))
    if (v !== undefined) dict[k] = v;
  return toPlist(dict);
}

/** Where a user's launchd agent lives, as a HOME id. */
export const plistId = (label: string) => `~/Library/LaunchAgents/${label}.plist`;
