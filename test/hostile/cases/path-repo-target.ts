import { join } from "node:path";
import { git } from "../../helpers.js";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target inside the config repo (a clone in HOME, ~/dotfiles)",
  decision: "refused (exit 2): dotops never edits the repo it reads",
  files: { "dotops.yaml": entry("{ target: ~/dotfiles/dotops.yaml, text: 'version: 1' }") },
  async setup(w) {
    await git(w.home, "clone", "-q", w.repo.dir, "dotfiles");
    w.repoDir = join(w.home, "dotfiles");
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: ["target ~/dotfiles/dotops.yaml is inside the config repo (~/dotfiles)"],
    },
    { args: ["apply"], exit: 2, stderr: ["is inside the config repo"] },
  ],
});
