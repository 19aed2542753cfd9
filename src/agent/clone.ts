import type { Log } from "../engine/engine.js";
import { git } from "../git/git.js";

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
