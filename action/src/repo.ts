import { existsSync } from "node:fs";
import type { ConfigSource } from "../../src/config/source.js";
import { DotopsError } from "../../src/errors.js";
import { git } from "../../src/git/git.js";
import type { InputCache } from "../../src/git/input-cache.js";
import { fetchCommit } from "../../src/git/remote.js";
import { commitSource } from "../../src/git/source.js";

/** The Git work tree holding the config, and where in it the config lives ("" or "dotfiles/"). */
export interface ConfigRepo {
  root: string;
  prefix: string;
}

export async function openRepo(configPath: string): Promise<ConfigRepo> {
  if (!existsSync(configPath))
    throw new DotopsError(
      `config-path ${configPath} does not exist`,
      2,
      "check out the repository first (actions/checkout) and point config-path at the folder holding dotops.yaml",
    );
  const r = await git(configPath, ["rev-parse", "--show-toplevel", "--show-prefix"], { allowFail: true });
  if (r.exitCode !== 0)
    throw new DotopsError(
      `config-path ${configPath} is not inside a Git repository`,
      2,
      "use actions/checkout",
    );
  const [root, prefix = ""] = r.stdout.toString("utf8").split("\n");
  return { root: root as string, prefix };
}

/**
 * Makes sure `sha` is in the clone: actions/checkout fetches one commit by
 * default (a PR's merge commit), so base and head may need fetching.
 */
export async function ensureCommit(root: string, sha: string): Promise<void> {
  const has = async () =>
    (await git(root, ["cat-file", "-e", `${sha}^{commit}`], { allowFail: true })).exitCode === 0;
  if (await has()) return;
  await fetchCommit(root, sha);
  if (await has()) return;
  throw new DotopsError(
    `commit ${sha} is not in the checkout at ${root} and could not be fetched from origin`,
    1,
    "use actions/checkout with fetch-depth: 0",
  );
}

/** The config at `sha`, re-rooted at the config's folder when it is not the repository root. */
export async function configAt(repo: ConfigRepo, sha: string, inputs: InputCache): Promise<ConfigSource> {
  return commitSource(repo.root, sha, { subdir: repo.prefix, inputs });
}
