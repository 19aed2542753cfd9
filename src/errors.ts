/**
 * Typed errors carry their exit code (changesets' style); only the CLI entry
 * point turns them into `process.exit`. `hint` says what to do next.
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  changes: 3,
  refused: 4,
  rolledBack: 5,
  /** `health`, `maintain`: nothing failed, something wants a look (a warn line). */
  warnings: 6,
} as const;

export class DotopsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.error,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "DotopsError";
  }
}

/** Source position of a value in the user's config repo. */
export interface Origin {
  file: string;
  line: number;
  col: number;
}

export function formatOrigin(o: Origin | undefined): string {
  return o ? `${o.file}:${o.line}:${o.col}` : "";
}

export interface ConfigProblem {
  message: string;
  origin?: Origin;
  /** schema path, e.g. files[2].mode */
  path?: string;
}

/** Invalid config: a new commit is needed (Flux's "stalling" error). */
export class ConfigError extends DotopsError {
  constructor(
    readonly problems: ConfigProblem[],
    hint?: string,
  ) {
    super(problems.map(formatProblem).join("\n"), ExitCode.usage, hint);
    this.name = "ConfigError";
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.origin ? `${formatOrigin(p.origin)}: ` : "";
  const path = p.path ? ` (at ${p.path})` : "";
  return `${where}${p.message}${path}`;
}

/** Refused by policy: unmanaged file in the way, destructive step, unsigned commit, history rewrite. */
export class PolicyError extends DotopsError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.refused, hint);
    this.name = "PolicyError";
  }
}

export class UsageError extends DotopsError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
    this.name = "UsageError";
  }
}

/**
 * A failure another dotops process (the agent's reconcile child) already
 * reported on the stderr both share: all that is left to do is its exit code,
 * and its JSON error on stdout with --json.
 */
export class ReportedError extends Error {
  constructor(
    readonly json: unknown,
    readonly exitCode: number,
  ) {
    super(`exit ${exitCode}`);
    this.name = "ReportedError";
  }
}
