import { defineCase, entry } from "../case.js";
import { commitTree } from "../tree.js";

export default defineCase({
  title: "a commit whose tree lists 60,000 files (made in a moment with git mktree)",
  decision:
    "refused (exit 2) by counting the listing, before any entry is parsed: every command lists the whole commit, so dotops reads repos of up to 50,000 files",
  files: { "dotops.yaml": entry("{ target: ~/.a, text: a }") },
  async setup(w) {
    await commitTree(w, "vendor", 60_000);
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "the repo's tree lists 60001 files; dotops reads config repos of up to 50000 (dotfiles are hundreds): keep vendored trees and data out of the repo",
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["the repo's tree lists 60001 files"] },
  ],
});
