import { execa } from "execa";
import { DotopsError } from "../errors.js";

/**
 * Every git call goes through here (actions/checkout's one funnel): argument
 * arrays, no shell, no prompts, C locale so messages can be matched.
 */
export async function git(
  cwd: string,
  args: string[],
  opts: { input?: string | Buffer; allowFail?: boolean } = {},
): Promise<{ stdout: Buffer; stderr: string; exitCode: number }> {
  const r = await execa("git", args, {
    cwd,
    input: opts.input,
    encoding: "buffer",
    reject: false,
    stripFinalNewline: false,
    env: { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" },
  });
  const stderr = Buffer.from(r.stderr as Uint8Array).toString("utf8");
  if (r.exitCode === undefined) throw new DotopsError(`cannot run git: ${r.shortMessage}`, 1, "install git");
  if (r.exitCode !== 0 && !opts.allowFail) {
    throw new DotopsError(`git ${args[0]} failed in ${cwd}: ${stderr.trim() || `exit ${r.exitCode}`}`);
  }
  return { stdout: Buffer.from(r.stdout as Uint8Array), stderr, exitCode: r.exitCode };
}

export async function gitText(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).stdout.toString("utf8").trim();
}

/** Full SHA of `rev`, or a clear error when it is not a commit. */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  const r = await git(repo, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { allowFail: true });
  if (r.exitCode !== 0) {
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

export async function isGitRepo(dir: string): Promise<boolean> {
  return (await git(dir, ["rev-parse", "--is-inside-work-tree"], { allowFail: true })).exitCode === 0;
}
