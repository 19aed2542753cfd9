import { spawn } from "node:child_process";
import { DotopsError } from "../errors.js";

/*
 * src/git/ is the only place that runs Git (STYLE 11: one funnel, as
 * actions/checkout's git-command-manager); the rest of dotops calls its
 * functions, and test/funnels.test.ts fails on a git started anywhere else
 * in src/ or action/src. Two runners, one environment (gitEnv):
 * - `git()` below, a spawn of its own, for everything local: reading commits
 *   and refs (rev-parse, ls-tree -z, cat-file --batch), and the clone's own
 *   config (remote set-url). Output as bytes, input piped, nothing to load:
 *   the long-running agent imports this file, so it stays free of simple-git.
 * - simple-git, in ./remote.ts, for the network: clone and fetch (and the
 *   remotes a fetch reads), with its time limit on a stalled transfer.
 */

/**
 * The environment of every git dotops runs: the user's own, never prompting
 * (no terminal prompt; ssh in BatchMode unless the user set GIT_SSH_COMMAND),
 * C locale so messages can be matched, and no optional locks taken behind the
 * user's back.
 */
export function gitEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    GIT_TERMINAL_PROMPT: "0",
    // BatchMode: an agent must never sit at a password prompt.
    GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
    LC_ALL: "C",
    GIT_OPTIONAL_LOCKS: "0",
  };
}

/**
 * Every local git call goes through here: argument arrays, no shell, the
 * environment of gitEnv.
 */
export async function git(
  cwd: string,
  args: string[],
  opts: {
    input?: string | Buffer;
    allowFail?: boolean;
    /** Takes stdout as it arrives instead of collecting it (cat-file --batch of many blobs). */
    onStdout?: (chunk: Buffer) => void;
  } = {},
): Promise<{ stdout: Buffer; stderr: string; exitCode: number }> {
  const r = await spawnGit(cwd, args, opts.input, opts.onStdout);
  const stderr = r.stderr.toString("utf8");
  if (r.exitCode === null) throw new DotopsError(`cannot run git: ${r.error}`, 1, "install git");
  if (r.exitCode !== 0 && !opts.allowFail) {
    throw new DotopsError(`git ${args[0]} failed in ${cwd}: ${stderr.trim() || `exit ${r.exitCode}`}`);
  }
  return { stdout: r.stdout, stderr, exitCode: r.exitCode };
}

/**
 * git as a child process, output collected as bytes. Plain node:child_process
 * rather than execa: every command reads a commit, and loading execa cost
 * more than the git calls of a no-op apply.
 */
function spawnGit(
  cwd: string,
  args: string[],
  input: string | Buffer | undefined,
  onStdout?: (chunk: Buffer) => void,
): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number | null; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", args, {
      cwd,
      env: gitEnv(),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", onStdout ?? ((d: Buffer) => out.push(d)));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.once("error", (e) =>
      resolve({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: null, error: e.message }),
    );
    child.once("close", (code, signal) =>
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        exitCode: code ?? null,
        ...(code === null ? { error: `killed by ${signal}` } : {}),
      }),
    );
    child.stdin.on("error", () => {}); // git may exit before reading all of its input
    child.stdin.end(input);
  });
}

export async function gitText(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).stdout.toString("utf8").trim();
}

/** Full SHA of `rev`, or a clear error when it is not a commit. */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  const r = await git(repo, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { allowFail: true });
  if (r.exitCode !== 0) {
    // --quiet: an unknown rev fails silently; anything on stderr is git itself failing (a broken config, say).
    if (/not a git repository/i.test(r.stderr)) throw notARepo(repo);
    if (r.stderr.trim()) throw new DotopsError(`git rev-parse failed in ${repo}: ${r.stderr.trim()}`);
    const empty =
      rev === "HEAD" && (await git(repo, ["rev-parse", "--git-dir"], { allowFail: true })).exitCode === 0;
    throw new DotopsError(
      empty ? `${repo} has no commits yet` : `${rev} is not a commit in ${repo}`,
      2,
      empty ? "commit your config first, or use --worktree to apply uncommitted files" : undefined,
    );
  }
  return r.stdout.toString("utf8").trim();
}

/** A usage error, not git's text: the user pointed dotops at a plain dir (LC_ALL=C keeps git's message matchable). */
function notARepo(dir: string): DotopsError {
  return new DotopsError(
    `${dir} is not a Git repository, and dotops reads the config from a commit`,
    2,
    `make it one (cd ${dir} && git init && git add -A && git commit), use --worktree to read the files as they are, or pass --repo DIR for your config repo`,
  );
}

/** The top of the work tree holding `dir`, or null outside one. */
export async function gitTopLevel(dir: string): Promise<string | null> {
  const r = await git(dir, ["rev-parse", "--show-toplevel"], { allowFail: true });
  return r.exitCode === 0 ? r.stdout.toString("utf8").trim() : null;
}

export async function isGitRepo(dir: string): Promise<boolean> {
  return (await git(dir, ["rev-parse", "--is-inside-work-tree"], { allowFail: true })).exitCode === 0;
}

/** `git --version`'s number (`2.39.5`), or null when git cannot be run here (`dotops doctor`). */
export async function gitVersion(): Promise<string | null> {
  try {
    const r = await git(process.cwd(), ["--version"], { allowFail: true });
    if (r.exitCode !== 0) return null;
    return /(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout.toString("utf8"))?.[1] ?? null;
  } catch {
    return null; // not on PATH: git() says "cannot run git"
  }
}
