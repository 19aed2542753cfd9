import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";
import { DotopsError } from "../errors.js";
import { gitEnv } from "./git.js";
import { readRef } from "./history.js";

/**
 * Network git (clone, fetch) through simple-git, never prompting, bounded in
 * time, in the same environment as every other git call (gitEnv). That
 * environment is the user's own, so simple-git's guards against an injected
 * one are relaxed for it (USERS_OWN_ENV).
 */
export function client(baseDir: string, timeoutMs: number): SimpleGit {
  return simpleGit({
    baseDir,
    timeout: { block: timeoutMs },
    trimmed: true,
    unsafe: USERS_OWN_ENV,
  }).env(gitEnv());
}

/**
 * simple-git refuses to start git when the environment names a program git
 * could run: EDITOR, PAGER, GIT_ASKPASS (set by VS Code's terminal),
 * SSH_ASKPASS, GIT_SSH_COMMAND, GIT_CONFIG_* (and the settings those carry).
 * That guards apps handing someone else's environment to git; dotops hands
 * git the user's own, as every git the user runs gets it, so an EDITOR in a
 * shell must not make the remote look unreachable. The guards on arguments
 * (--upload-pack, protocol overrides) stay: dotops's arguments never need
 * them, and a remote URL from the config cannot smuggle them in.
 */
const USERS_OWN_ENV = {
  allowUnsafeSshCommand: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeEditor: true,
  allowUnsafePager: true,
  allowUnsafeAskPass: true,
  allowUnsafeGitProxy: true,
  allowUnsafeTemplateDir: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeDiffTextConv: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeAlias: true,
  allowUnsafeHooksPath: true,
  allowUnsafeFilter: true,
  allowUnsafeFsMonitor: true,
  allowUnsafeGpgProgram: true,
  allowUnsafeMergeDriver: true,
} as const;

/** A fetch or clone that failed because the remote could not be reached: retry later (Flux's "waiting"). */
export class RemoteUnreachableError extends DotopsError {
  constructor(message: string) {
    super(message, 1, "dotops keeps the last good generation and retries with backoff");
    this.name = "RemoteUnreachableError";
  }
}

/** The branch is gone from the remote: nothing to apply until it is back. */
export class BranchMissingError extends DotopsError {
  constructor(branch: string, remote: string) {
    super(
      `branch ${branch} does not exist on ${remote}`,
      1,
      "push the branch again, or point agent.branch elsewhere",
    );
    this.name = "BranchMissingError";
  }
}

/** Clones `url` as a bare mirror of its branches into `dir` unless a clone is already there. */
export async function ensureClone(dir: string, url: string | undefined, timeoutMs = 300_000): Promise<void> {
  if (existsSync(dir)) return;
  if (!url) {
    throw new DotopsError(
      `no config repo at ${dir}`,
      2,
      "run `dotops agent --remote <url>` once to clone it, or pass --repo",
    );
  }
  await mkdir(dirname(dir), { recursive: true });
  try {
    await client(dirname(dir), timeoutMs).clone(url, dir, ["--bare", "--quiet"]);
  } catch (err) {
    throw new RemoteUnreachableError(`cannot clone ${url}: ${firstLine(err)}`);
  }
}

/**
 * Fetches `branch` from origin into the clone. In a bare clone the branch ref
 * itself is updated (forced: whether a rewrite is acceptable is decided by the
 * history check, not by git); in a work-tree clone the remote-tracking ref is.
 */
export async function fetchBranch(
  repo: string,
  branch: string,
  bare: boolean,
  timeoutMs = 300_000,
): Promise<void> {
  const git = client(repo, timeoutMs);
  const remotes = await git.getRemotes(true);
  const origin = remotes.find((r) => r.name === "origin");
  if (!origin) return; // a local-only repo: the watcher sees its commits
  const dest = bare ? `refs/heads/${branch}` : `refs/remotes/origin/${branch}`;
  try {
    await git.fetch("origin", `+refs/heads/${branch}:${dest}`, ["--quiet", "--no-tags", "--prune"]);
  } catch (err) {
    const msg = firstLine(err);
    if (/couldn't find remote ref|not found/i.test(msg))
      throw new BranchMissingError(branch, origin.refs.fetch);
    throw new RemoteUnreachableError(`cannot fetch ${branch} from ${origin.refs.fetch}: ${msg}`);
  }
}

/**
 * Brings `branches` up to date from origin, asking first with one `git
 * ls-remote` (one round trip, no objects) and fetching only a branch whose
 * tip differs from ours: most polls find nothing new, and an idle poll then
 * costs the server no pack negotiation and the clone no write. The first
 * branch must exist on the remote; the others (the default branch beside a
 * testing one) are best effort. Returns the branches fetched.
 */
export async function fetchIfMoved(
  repo: string,
  branches: [string, ...string[]],
  bare: boolean,
  timeoutMs = 300_000,
): Promise<string[]> {
  const git = client(repo, timeoutMs);
  const origin = (await git.getRemotes(true)).find((r) => r.name === "origin");
  if (!origin) return []; // a local-only repo: the watcher sees its commits
  let listed: string;
  try {
    listed = await git.listRemote(["origin", ...branches.map((b) => `refs/heads/${b}`)]);
  } catch (err) {
    throw new RemoteUnreachableError(
      `cannot fetch ${branches[0]} from ${origin.refs.fetch}: ${firstLine(err)}`,
    );
  }
  const tips = new Map(
    listed
      .split("\n")
      .map((l) => l.split("\t"))
      .filter((f): f is [string, string] => f.length === 2)
      .map(([sha, ref]) => [ref, sha]),
  );
  const fetched: string[] = [];
  for (const [i, branch] of branches.entries()) {
    const tip = tips.get(`refs/heads/${branch}`);
    if (!tip) {
      if (i === 0) throw new BranchMissingError(branch, origin.refs.fetch);
      continue;
    }
    const ours = await readRef(repo, bare ? `refs/heads/${branch}` : `refs/remotes/origin/${branch}`);
    if (ours === tip) continue;
    const fetch = fetchBranch(repo, branch, bare, timeoutMs);
    await (i === 0 ? fetch : fetch.catch(() => {}));
    fetched.push(branch);
  }
  return fetched;
}

export function firstLine(err: unknown): string {
  return (
    String((err as Error)?.message ?? err)
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-1)[0] ?? "unknown error"
  );
}

/**
 * Fetches one commit by its SHA from origin, shallowly (the Action's checkout
 * holds one commit, and a plan needs the other side of the pull request). A
 * failed fetch is not an error here: the caller checks whether the commit
 * arrived and says what to do when it did not.
 */
export async function fetchCommit(repo: string, sha: string, timeoutMs = 300_000): Promise<void> {
  try {
    await client(repo, timeoutMs).fetch("origin", sha, ["--no-tags", "--no-recurse-submodules", "--depth=1"]);
  } catch {
    // reported by the caller as the commit missing
  }
}
