import { execa } from "execa";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a Git tree made with plumbing whose entries are named .. (files/conf/../../outside/victim/x)",
  decision:
    "refused (exit 2) naming the entry: git mktree accepts `..` and only fsck objects to it, so dotops checks every name it lists; joined onto a target it would climb out of HOME (and out of the generation's tree)",
  files: { "dotops.yaml": entry("{ target: ~/.conf, source: files/conf }") },
  async setup(w) {
    const git = async (args: string[], input?: string) =>
      (
        await execa("git", args, {
          cwd: w.repo.dir,
          input,
          env: {
            GIT_AUTHOR_NAME: "T",
            GIT_AUTHOR_EMAIL: "t@t",
            GIT_COMMITTER_NAME: "T",
            GIT_COMMITTER_EMAIL: "t@t",
          },
        })
      ).stdout;
    const tree = (lines: string[]) => git(["mktree"], `${lines.join("\n")}\n`);
    const blob = await git(["hash-object", "-w", "--stdin"], "pwned\n");
    // ~/.conf/../../outside/victim/x: the canary beside HOME
    let t = await tree([`100644 blob ${blob}\tx`]);
    t = await tree([`040000 tree ${t}\tvictim`]);
    t = await tree([`040000 tree ${t}\toutside`]);
    t = await tree([`040000 tree ${t}\t..`]);
    const conf = await tree(
      [`100644 blob ${blob}\tok`, `040000 tree ${t}\t..`].sort((a, b) =>
        (a.split("\t")[1] as string).localeCompare(b.split("\t")[1] as string),
      ),
    );
    const files = await tree([`040000 tree ${conf}\tconf`]);
    const yaml = await git(["rev-parse", "HEAD:dotops.yaml"]);
    const root = await tree([`100644 blob ${yaml}\tdotops.yaml`, `040000 tree ${files}\tfiles`]);
    const commit = await git(["commit-tree", root, "-p", "HEAD", "-m", "dotdot"]);
    await git(["update-ref", "HEAD", commit]);
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:5:24: files/conf/../../outside/victim/x: a tree entry named . or .. (made with Git plumbing; git fsck refuses it); remove it from the repo",
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["a tree entry named . or .."] },
  ],
});
