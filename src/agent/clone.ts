import type { Log } from "../engine/engine.js";
import { git } from "../git/git.js";

/**
 * The branch the agent follows when neither --branch nor agent.branch names
 * one, and the base a testing branch must be on top of: in the agent's bare
 * clone its HEAD (the remote's default branch when it was cloned); in a work
 * tree origin/HEAD when the clone has it, else the branch checked out. Null
 * when none of these names a branch (a detached HEAD).
 */
export async function defaultBranch(repo: string, bare: boolean): Promise<string | null> {
  if (!bare) {
    const tracked = await symbolicRef(repo, "refs/remotes/origin/HEAD");
    if (tracked?.startsWith("origin/")) return tracked.slice("origin/".length);
  }
  return symbolicRef(repo, "HEAD");
}

async function symbolicRef(repo: string, ref: string): Promise<string | null> {
  const r = await git(repo, ["symbolic-ref", "--quiet", "--short", ref], { allowFail: true });
  return r.exitCode === 0 ? r.stdout.toString("utf8").trim() || null : null;
}

/**
 * Points the agent's clone at `url` (--remote, else agent.remote of the
 * applied config), as Flux follows a GitRepository's url: a changed URL
 * switches origin, said once at info. The new remote's commits still go
 * through the history check, so a remote whose branch does not descend from
 * the applied commit is refused unless agent.allowForcePush.
 */
export async function followRemote(repo: string, url: string, log: Log): Promise<void> {
  const r = await git(repo, ["remote", "get-url", "origin"], { allowFail: true });
  const current = r.exitCode === 0 ? r.stdout.toString("utf8").trim() : null;
  if (current === url) return;
  await git(repo, current === null ? ["remote", "add", "origin", url] : ["remote", "set-url", "origin", url]);
  log.info(
    { from: current, to: url },
    `the agent's clone now fetches from ${url} (was ${current ?? "none"})`,
  );
}
