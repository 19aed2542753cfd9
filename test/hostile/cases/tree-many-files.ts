import { defineCase, entry } from "../case.js";
import { commitTree } from "../tree.js";

export default defineCase({
  title: "a directory source of 20,500 files (a tree made with git mktree)",
  decision:
    "refused (exit 2) by its listing, before any file is read: dotops manages at most 20,000 files for one host; ignore: and .dotopsignore leave big trees out",
  files: { "dotops.yaml": entry("{ target: ~/.many, source: many }") },
  async setup(w) {
    await commitTree(w, "many", 20_500);
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:5:24: source many holds 20500 files: more than the 20000 dotops manages for one host (with the entries before it); leave big trees out with ignore: or .dotopsignore",
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["holds 20500 files"] },
  ],
});
