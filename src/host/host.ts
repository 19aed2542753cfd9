/**
 * The one seam for side effects (chezmoi's `System`). Engine and resources never
 * touch node:fs or spawn processes themselves: they get a Host. That is what
 * makes dry-run, plan and tests honest.
 */

export type EntryType = "file" | "dir" | "symlink" | "other";

export interface Stat {
  type: EntryType;
  /** permission bits, e.g. 0o644 */
  mode: number;
  size: number;
  mtimeMs: number;
  /** The owner's uid, where the host knows it. */
  uid?: number;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
  /** The command only reads (an observation such as `brew info`): a dry run still runs it. */
  readOnly?: boolean;
  /** Each line of output as it arrives (long installs stream to the log and the progress line). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Host {
  /** Absolute path of the user's home directory on this host. */
  readonly home: string;
  /** Environment the host runs commands with (HOME included). */
  readonly env: Readonly<Record<string, string | undefined>>;

  // reads
  /** Does not follow `path` itself; null when nothing can be there (missing, or a parent is a file or a symlink loop). */
  lstat(path: string): Promise<Stat | null>;
  readFile(path: string): Promise<Buffer>;
  readlink(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
  /** Resolves symlinks; throws a HostError with code ELOOP/ENOENT like realpath(3). */
  realpath(path: string): Promise<string>;

  // writes
  /** Atomic: writes a temporary sibling and renames it over `path`. */
  /**
   * Atomic: writes a temporary sibling and renames it over `path`. Durable
   * (fsync) before it returns, unless `deferSync`: then the next `sync` makes
   * it durable, with every other deferred write (a store of 1,000 objects pays
   * one flush instead of 1,000).
   */
  writeFile(
    path: string,
    data: string | Buffer,
    mode?: number,
    opts?: { deferSync?: boolean },
  ): Promise<void>;
  /** Creates `path` exclusively; false when it already exists (used for locks). */
  createExclusive(path: string, data: string): Promise<boolean>;
  appendFile(path: string, data: string, opts?: { sync?: boolean }): Promise<void>;
  /** Makes every write so far durable, deferred ones included, on the file system holding `path`. */
  sync(path: string): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Removes a file or symlink (never follows it). Missing is fine. */
  unlink(path: string): Promise<void>;
  /** Removes an empty directory; false when it is not empty or missing (a parent or the path is not a directory). */
  rmdir(path: string): Promise<boolean>;
  /** Removes a tree. Only for dotops-owned paths (state dir). */
  removeTree(path: string): Promise<void>;

  // processes
  exec(cmd: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Where `cmd` is on the host's PATH, or null. Tools are the machine's own
   * (a sandbox re-roots files, not the programs it runs).
   */
  which(cmd: string): Promise<string | null>;
  /** Is process `pid` alive on this host? (for stale-lock detection) */
  processAlive(pid: number): boolean;
  /** This machine's name: a lock taken on another machine (a shared state dir) cannot be judged by its pid. */
  hostname(): string;
}

/** Points `link` at `target` atomically: a new symlink renamed over the old one (or over nothing). */
export async function atomicSymlink(host: Host, link: string, target: string): Promise<void> {
  const tmp = `${link}.dotops-new`;
  await host.unlink(tmp);
  await host.symlink(target, tmp);
  await host.rename(tmp, link);
}

export class HostError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "HostError";
  }
}

export function isHostError(err: unknown, code?: string): err is HostError {
  return err instanceof HostError && (code === undefined || err.code === code);
}
