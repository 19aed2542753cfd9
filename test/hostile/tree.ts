import { execa } from "execa";
import type { World } from "./case.js";

/**
 * Commits a directory of `n` files named by `name(i)` under `prefix`, all one blob, made with
 * git plumbing (mktree, read-tree): the files are never written to the work tree, so even
 * 100k entries take a moment. Commit nothing after it (`add -A` would see them deleted).
 */
export async function commitTree(
  w: World,
  prefix: string,
  n: number,
  name: (i: number) => string = (i) => `f${i}`,
  content = "x\n",
): Promise<void> {
  const env = {
    GIT_AUTHOR_NAME: "T",
    GIT_AUTHOR_EMAIL: "t@t",
    GIT_COMMITTER_NAME: "T",
    GIT_COMMITTER_EMAIL: "t@t",
  };
  const blob = (await execa("git", ["hash-object", "-w", "--stdin"], { cwd: w.repo.dir, input: content }))
    .stdout;
  const lines = Array.from({ length: n }, (_, i) => `100644 blob ${blob}\t${name(i)}`).join("\n");
  const tree = (await execa("git", ["mktree"], { cwd: w.repo.dir, input: `${lines}\n` })).stdout;
  await execa("git", ["read-tree", `--prefix=${prefix}/`, tree], { cwd: w.repo.dir });
  await execa("git", ["commit", "-q", "-m", `${n} files`], { cwd: w.repo.dir, env });
}
