import { DotopsError } from "../errors.js";
import { git } from "./git.js";
import { client, firstLine } from "./remote.js";

/** The identity of commits the Action makes on the user's behalf (GitHub's own Actions bot). */
const BOT = [
  "-c",
  "user.name=github-actions[bot]",
  "-c",
  "user.email=41898282+github-actions[bot]@users.noreply.github.com",
];

/** Commits `paths` (already written) on top of HEAD; the new commit's id. */
export async function commitFiles(repo: string, paths: string[], message: string): Promise<string> {
  await git(repo, ["add", "--", ...paths]);
  await git(repo, [...BOT, "commit", "-q", "--no-verify", "-m", message, "--", ...paths]);
  return (await git(repo, ["rev-parse", "HEAD"])).stdout.toString("utf8").trim();
}

/** Force-pushes HEAD to `branch` on origin: one branch the Action owns, rewritten each time. */
export async function forcePushHead(repo: string, branch: string, timeoutMs = 300_000): Promise<void> {
  try {
    await client(repo, timeoutMs).push("origin", `HEAD:refs/heads/${branch}`, ["--force", "--quiet"]);
  } catch (err) {
    throw new DotopsError(
      `cannot push ${branch} to origin: ${firstLine(err)}`,
      1,
      "give the job `permissions: contents: write`, and keep actions/checkout's persist-credentials",
    );
  }
}
